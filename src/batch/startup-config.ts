/**
 * Config preparation at startup for streaming engrams and impulses (contract batch.md §8–9,
 * inputs-config.md "Config pipeline"): the batch `prepareConfig` over the storage seams (in a
 * cluster or with `BUBU_STORAGE_PROVIDER`) and the template seam, each loaded only when the
 * config has something for it.
 * @module
 */
import type { GenericSchema } from "valibot";
import type { BubuEnv } from "../env/load.ts";
import type { Logger } from "../observability/logger.ts";
import type { Runtime } from "../runtime/types.ts";
import type { StorageRuntime } from "../storage/create-manager.ts";
import type { StorageManager } from "../storage/manager.ts";
import { checkConfigTraversal } from "../storage/config-guard.ts";
import { hasTemplates } from "./has-templates.ts";
import { prepareConfig } from "./prepare.ts";
import { payloadLimitsOf } from "./settings-from-env.ts";
import type { BatchSeams, JsonObject } from "./seams.ts";

/** Inputs of {@link prepareStartupConfig}. */
export interface StartupConfigOptions {
  readonly runtime: Runtime;
  /**
   * The environment as the entry point sees it (its `env` option): the Kubernetes client of
   * ConfigMap/Secret refs and the S3 credentials read it instead of the process environment.
   */
  readonly vars: Readonly<Record<string, string>>;
  readonly env: BubuEnv;
  readonly logger: Logger;
  /** The config schema of the engram or impulse. */
  readonly schema: GenericSchema | undefined;
  readonly signal: AbortSignal;
}

/** The decoded config and what was opened to prepare it. */
export interface StartupConfig {
  readonly config: unknown;
  /** The storage manager used for hydration, when one was created. */
  readonly storage: StorageManager | undefined;
  /** Releases the storage backend (and the Kubernetes client of refs); safe to call twice. */
  close(): Promise<void>;
}

// As keys in JSON.stringify output (no spaces): a string value never matches these.
const REF_KEYS = ['"$bubuStorageRef":', '"$bubuConfigMapRef":', '"$bubuSecretRef":'];

/** True when `value` has a `$bubuStorageRef`, `$bubuConfigMapRef` or `$bubuSecretRef` key (a text check). */
export function hasHydrationRefs(value: unknown): boolean {
  const text = JSON.stringify(value) ?? "";
  return REF_KEYS.some((k) => text.includes(k));
}

/**
 * Hydrates (storage refs; in a cluster also `$bubuConfigMapRef`/`$bubuSecretRef`), templates
 * (always, for config) and decodes the config, with Go's error texts (`failed to create storage
 * manager: …`, `failed to hydrate config: …`, `failed to unmarshal config: …`). A config without
 * refs or templates loads neither storage nor the template engine.
 */
export async function prepareStartupConfig(options: StartupConfigOptions): Promise<StartupConfig> {
  const { env, logger, signal } = options;
  const config = env.payload.config;
  const withStorage = (env.clusterMode || env.storage.provider !== "") && Object.keys(config).length > 0;
  const templates = hasTemplates(config);
  const seams: BatchSeams = {};
  let storage: Awaited<ReturnType<typeof import("../storage/batch-seams.ts").createStorageSeams>> | undefined;
  if (withStorage && (templates || hasHydrationRefs(config))) {
    const { createStorageSeams } = await import("../storage/batch-seams.ts");
    storage = await createStorageSeams(runtimeWithEnv(options.runtime, options.vars), env, logger);
    seams.hydrateConfig = storage.hydrateConfig;
  } else if (withStorage) {
    // Nothing to hydrate, but Go's traversal guard still applies.
    const { configHydrationMaxDepth: maxDepth, configHydrationMaxNodes: maxNodes } = env.limits;
    seams.hydrateConfig = (value: JsonObject) => {
      try {
        checkConfigTraversal(value, maxDepth, maxNodes);
      } catch (err) {
        return Promise.reject(new Error(`config rejected before hydration: ${(err as Error).message}`, { cause: err }));
      }
      return Promise.resolve({ value, storagePaths: [] });
    };
  }
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await storage?.close();
  };
  try {
    if (templates) {
      const { createTemplateSeam } = await import("../templating/seam.ts");
      const manager = storage?.manager;
      seams.resolveTemplates = createTemplateSeam(
        env,
        logger,
        manager ? { hydrateContext: (vars, s) => manager.hydrate(vars, { signal: s }) } : {},
      ).resolveTemplates;
    }
    const settings = {
      config,
      templateContext: { inputs: {}, steps: {}, ...env.payload.templateContext },
      strictUnmarshal: env.payload.strictUnmarshal,
      payloadLimits: payloadLimitsOf(env),
    };
    const decoded = await prepareConfig({ schemas: { config: options.schema } }, settings, seams, signal);
    return { config: decoded, storage: storage?.manager, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The part of `rt` storage uses, with `env` reading `vars` instead of the process. */
function runtimeWithEnv(rt: Runtime, vars: Readonly<Record<string, string>>): StorageRuntime & Pick<Runtime, "homeDir"> {
  return {
    name: rt.name,
    fs: rt.fs,
    env: (name) => vars[name],
    cwd: () => rt.cwd(),
    homeDir: () => rt.homeDir(),
    createTlsFetch: (o) => rt.createTlsFetch(o),
  };
}
