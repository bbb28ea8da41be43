/**
 * Storage services of a run: config and input hydration (storage refs and, in a cluster,
 * `$bubuConfigMapRef`/`$bubuSecretRef`), output offload with retries, and the upload of captured
 * logs.
 * @module
 */

import { pause, sleep } from "../async/sleep.ts";
import type { BubuEnv } from "../env/load.ts";
import type { LogsRef } from "../k8s/logs-patch.ts";
import type { Logger } from "../observability/logger.ts";
import type { Runtime } from "../runtime/types.ts";
import { checkConfigTraversal } from "../storage/config-guard.ts";
import {
  type CreateStorageManagerOptions,
  createStorageManager,
  type StorageRuntime,
} from "../storage/create-manager.ts";
import { messageOf, StorageError } from "../storage/errors.ts";
import { type KubeRefClient, KubeRefResolver } from "../storage/kube-refs.ts";
import { logIdentityFromEnv, schemaMetadata, uploadLogBlob } from "../storage/logs.ts";
import type { StorageManager } from "../storage/manager.ts";
import { findStorageRefPaths, namespacedKey } from "../storage/refs.ts";
import type { JsonObject, PayloadServices } from "./payload-services.ts";

/** What {@link createStorageServices} returns. */
export interface StorageServices
  extends Required<Pick<PayloadServices, "hydrateConfig" | "hydrateInputs" | "dehydrateOutput">> {
  readonly manager: StorageManager;
  /**
   * Uploads captured logs as a raw blob at `<ns>/logs/<storyRun>/<step>/<stepRun>/<unixNano>.log`
   * and returns the ref for `buildLogsStatusUpdate`; `undefined` (nothing written) when storage is
   * disabled, `BUBU_STEPRUN_NAME` is unset or `bytes` is empty (Go's `ErrLogsUnavailable`).
   */
  publishLogs(bytes: Uint8Array, contentType?: string, signal?: AbortSignal): Promise<LogsRef | undefined>;
  /** Releases the storage backend. */
  close(): Promise<void>;
}

/** Options of {@link createStorageServices}. */
export interface StorageServicesOptions extends Omit<CreateStorageManagerOptions, "kubeRefs"> {
  /**
   * ConfigMap/Secret ref resolution: a resolver to use, or `false` for none. By default a
   * resolver is made in cluster mode (`BubuEnv.clusterMode`) only, with a Kubernetes client of
   * its own built the first time a ref is resolved.
   */
  readonly kubeRefs?: KubeRefResolver | false;
  /** The sleep between dehydration attempts (tests shorten it); default `setTimeout`. */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Clock for the log object name; default now in ns. */
  readonly nowNanos?: () => bigint;
}

/** Output offload attempts: 3, sleeping 1s then 2s between them (as the Go SDK retries). */
export const DEHYDRATE_ATTEMPTS = 3;

/** The resolver of a run: the run's Kubernetes client, built when the first ref is resolved. */
export function kubeRefResolver(env: BubuEnv, logger: Logger, client: () => Promise<KubeRefClient>): KubeRefResolver {
  return new KubeRefResolver({
    workloadNamespace: env.namespaces.kubeRef,
    createClient: client,
    onIgnoredRef: (kind, reason) => logger.warn(`${kind} reference left unresolved`, { reason }),
  });
}

/** A resolver with a client of its own, for callers outside a run. */
function defaultKubeRefResolver(
  runtime: StorageRuntime & Partial<Pick<Runtime, "homeDir">>,
  env: BubuEnv,
  logger: Logger,
): KubeRefResolver {
  return kubeRefResolver(env, logger, async () => {
    const { createKubeClient } = await import("../k8s/create-client.ts");
    return await createKubeClient({
      env: (name) => runtime.env(name),
      fs: runtime.fs,
      cwd: () => runtime.cwd(),
      homeDir: () => runtime.homeDir?.(),
      createTlsFetch: (o) => runtime.createTlsFetch(o),
    });
  });
}

/**
 * Creates the storage manager from `env` and the services over it. Fails (a `StorageError`,
 * Go's `failed to create storage manager: …` bootstrap failure) when the storage env is invalid.
 */
export async function createStorageServices(
  runtime: StorageRuntime & Partial<Pick<Runtime, "homeDir">>,
  env: BubuEnv,
  logger: Logger,
  options: StorageServicesOptions = {},
): Promise<StorageServices> {
  let manager: StorageManager;
  const { kubeRefs: kubeRefsOption, ...managerOptions } = options;
  const kubeRefs =
    kubeRefsOption === false
      ? undefined
      : (kubeRefsOption ?? (env.clusterMode ? defaultKubeRefResolver(runtime, env, logger) : undefined));
  try {
    const created = await createStorageManager(runtime, env, { ...managerOptions, ...(kubeRefs ? { kubeRefs } : {}) });
    manager = created.manager;
    if (created.credentialSource) logger.debug("S3 credentials", { source: created.credentialSource });
  } catch (err) {
    throw new StorageError(`failed to create storage manager: ${messageOf(err)}`, { cause: err, code: "Config" });
  }
  const info = env.storyInfo;
  const stepRunKey = namespacedKey(info.stepRunNamespace, info.stepRunID);
  const output = schemaMetadata("output", info.stepRunNamespace, env);
  const { configHydrationMaxDepth: maxDepth, configHydrationMaxNodes: maxNodes } = env.limits;
  const sleep = options.sleep ?? pause;

  return {
    manager,

    async hydrateConfig(
      config: JsonObject,
      signal: AbortSignal,
    ): Promise<{ value: JsonObject; storagePaths: string[] }> {
      if (Object.keys(config).length === 0) return { value: config, storagePaths: [] };
      try {
        checkConfigTraversal(config, maxDepth, maxNodes);
      } catch (err) {
        throw new Error(`config rejected before hydration: ${messageOf(err)}`, { cause: err });
      }
      // Recorded before hydration, as for inputs: stored values are never template-evaluated.
      const storagePaths = findStorageRefPaths(config);
      // Nor are ConfigMap/Secret values (a Secret holding `{{` must reach the engram verbatim);
      // Go protects only storage refs here, which evaluates such a Secret.
      const kubeRefPaths: string[] = [];
      const hydrated = await manager.hydrate(config, { signal, kubeRefPaths });
      if (hydrated === null || hydrated === undefined) return { value: {}, storagePaths: [] };
      if (typeof hydrated !== "object" || Array.isArray(hydrated)) {
        throw new Error(
          `hydrated config must be an object, got ${Array.isArray(hydrated) ? "[]interface {}" : typeof hydrated}`,
        );
      }
      try {
        checkConfigTraversal(hydrated, maxDepth, maxNodes);
      } catch (err) {
        throw new Error(`hydrated config rejected before template resolution: ${messageOf(err)}`, { cause: err });
      }
      return { value: hydrated as JsonObject, storagePaths: [...storagePaths, ...kubeRefPaths] };
    },

    async hydrateInputs(inputs: JsonObject, signal: AbortSignal): Promise<{ value: unknown; storagePaths: string[] }> {
      // Recorded before hydration, as Go does: these values are never template-evaluated.
      const storagePaths = findStorageRefPaths(inputs);
      const kubeRefPaths: string[] = [];
      // Go hydrates inputs under `storage.WithStepRunID`, which labels the span and the metric.
      const value = await manager.hydrate(inputs, { signal, stepRunId: info.stepRunID, kubeRefPaths });
      return { value, storagePaths: [...storagePaths, ...kubeRefPaths] };
    },

    async dehydrateOutput(value: unknown, signal: AbortSignal): Promise<unknown> {
      let lastError: unknown;
      for (let attempt = 1; attempt <= DEHYDRATE_ATTEMPTS; attempt++) {
        try {
          return await manager.dehydrate(value, stepRunKey, { signal, ...output });
        } catch (err) {
          lastError = err;
          // Go does not retry a cancelled context or an invalid storage path.
          if (signal.aborted || messageOf(err).includes("invalid storage path")) break;
          if (attempt < DEHYDRATE_ATTEMPTS) {
            logger.warn("output dehydration failed, retrying", { attempt, error: messageOf(err) });
            await sleep(1000 * 2 ** (attempt - 1), signal);
          }
        }
      }
      throw new StorageError(
        `failed to dehydrate output after ${DEHYDRATE_ATTEMPTS} retries (storage backend unavailable): ${messageOf(lastError)}`,
        { cause: lastError, code: (lastError as StorageError | undefined)?.code },
      );
    },

    async publishLogs(bytes: Uint8Array, contentType = "", signal?: AbortSignal): Promise<LogsRef | undefined> {
      if (!manager.enabled || info.stepRunID.trim() === "" || bytes.length === 0) return undefined;
      const unixNano = options.nowNanos?.();
      return await uploadLogBlob(manager, logIdentityFromEnv(env), env, bytes, contentType, {
        ...(signal ? { signal } : {}),
        ...(unixNano !== undefined ? { unixNano } : {}),
      });
    },

    close: () => manager.close(),
  };
}
