/**
 * The clients a run shares: one Kubernetes client and one storage manager, each built on first
 * use from the run's environment and closed when the run ends. Every capability of the run
 * (payload hydration, status writes, signals, effects, logs, stories) reaches them through here,
 * so nothing lives in a module-level singleton.
 * @module
 */
import type { BubuEnv } from "../env/load.ts";
import { errorText } from "../errors/error-text.ts";
import type { KubeClient } from "../k8s/client.ts";
import type { Logger } from "../observability/logger.ts";
import type { Runtime } from "../runtime/types.ts";
import type { StorageServices } from "./storage-services.ts";

/** The run's environment as the services read it. */
export interface ServicesInit {
  readonly rt: Runtime;
  /** The raw variables (the entry point's `env` option, else the process environment). */
  readonly vars: Readonly<Record<string, string>>;
  readonly env: BubuEnv;
  readonly logger: Logger;
}

/** Lazily built, shared clients of one run. */
export class RunServices {
  readonly #init: ServicesInit;
  readonly #rt: Runtime;
  #kube: Promise<KubeClient> | undefined;
  #storage: Promise<StorageServices> | undefined;
  #closed = false;

  constructor(init: ServicesInit) {
    this.#init = init;
    // Every client reads the run's variables, not the process environment.
    const vars = init.vars;
    this.#rt = { ...init.rt, env: (name) => vars[name], envAll: () => ({ ...vars }) };
  }

  /** The runtime with the run's environment. */
  get runtime(): Runtime {
    return this.#rt;
  }

  get env(): BubuEnv {
    return this.#init.env;
  }

  /** Whether storage is configured (`BUBU_STORAGE_PROVIDER`); in a cluster refs are resolved anyway. */
  get storageConfigured(): boolean {
    const p = this.#init.env.storage.provider;
    return p !== "" && p !== "none";
  }

  /**
   * The Kubernetes client (in-cluster config, else kubeconfig). A failed creation is not kept:
   * the next call tries again. Errors read `failed to create Kubernetes client: …`.
   */
  kube(): Promise<KubeClient> {
    this.#assertOpen();
    if (this.#kube === undefined) {
      const attempt = (async () => {
        const { createKubeClient } = await import("../k8s/create-client.ts");
        try {
          return await createKubeClient(this.#rt);
        } catch (err) {
          throw new Error(`failed to create Kubernetes client: ${errorText(err)}`, { cause: err });
        }
      })();
      this.#kube = attempt;
      attempt.catch(() => {
        if (this.#kube === attempt) this.#kube = undefined;
      });
    }
    return this.#kube;
  }

  /**
   * The storage manager and the payload services over it. In a cluster its
   * `$bubuConfigMapRef`/`$bubuSecretRef` resolver uses {@link kube}. Errors read
   * `failed to create storage manager: …`.
   */
  storage(): Promise<StorageServices> {
    this.#assertOpen();
    if (this.#storage === undefined) {
      const attempt = (async () => {
        const { createStorageServices, kubeRefResolver } = await import("./storage-services.ts");
        const { env, logger } = this.#init;
        const kubeRefs = env.clusterMode ? kubeRefResolver(env, logger, () => this.kube()) : undefined;
        return await createStorageServices(this.#rt, env, logger, kubeRefs ? { kubeRefs } : { kubeRefs: false });
      })();
      this.#storage = attempt;
      attempt.catch(() => {
        if (this.#storage === attempt) this.#storage = undefined;
      });
    }
    return this.#storage;
  }

  /** Closes what was built; later calls to {@link kube} and {@link storage} throw. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const storage = this.#storage;
    const kube = this.#kube;
    this.#storage = undefined;
    this.#kube = undefined;
    await settle(storage, (s) => s.close(), this.#init.logger, "closing the storage backend failed");
    await settle(kube, (k) => k.close(), this.#init.logger, "closing the Kubernetes client failed");
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error("the run has ended: its clients are closed");
  }
}

async function settle<T>(
  pending: Promise<T> | undefined,
  close: (value: T) => Promise<void>,
  logger: Logger,
  message: string,
): Promise<void> {
  if (pending === undefined) return;
  let value: T;
  try {
    value = await pending;
  } catch {
    return; // creation failed: nothing to close
  }
  try {
    await close(value);
  } catch (err) {
    logger.warn(message, { error: errorText(err) });
  }
}
