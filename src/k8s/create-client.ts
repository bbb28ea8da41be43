/**
 * Creating the client from the environment, and the process-wide shared client (Go's
 * `NewClient` / `SharedClient`).
 * @module
 */

import type { Runtime } from "../runtime/types.ts";
import { KubeClient } from "./client.ts";
import { type LoadKubeConfigOptions, loadKubeConfig } from "./config.ts";

/** The runtime parts a client needs. */
export type KubeRuntime = Pick<Runtime, "env" | "fs" | "homeDir" | "cwd" | "createTlsFetch">;

/** Options of {@link createKubeClient}. */
export interface CreateKubeClientOptions extends LoadKubeConfigOptions {
  /** Token-file re-read interval (default one minute). */
  readonly tokenRefreshMs?: number;
}

/** Loads the configuration (in-cluster, else kubeconfig) and returns a client. */
export async function createKubeClient(runtime: KubeRuntime, options: CreateKubeClientOptions = {}): Promise<KubeClient> {
  const config = await loadKubeConfig(runtime, options);
  return new KubeClient(config, {
    createTlsFetch: (o) => runtime.createTlsFetch(o),
    fs: runtime.fs,
    ...(options.tokenRefreshMs !== undefined ? { tokenRefreshMs: options.tokenRefreshMs } : {}),
  });
}

let shared: Promise<KubeClient> | undefined;

/**
 * A lazily created, process-wide client. A failed creation is not cached: the next call tries
 * again (as Go's `SharedClient`).
 */
export function sharedKubeClient(runtime: KubeRuntime): Promise<KubeClient> {
  if (shared === undefined) {
    const attempt = createKubeClient(runtime);
    shared = attempt;
    attempt.catch(() => {
      if (shared === attempt) shared = undefined;
    });
  }
  return shared;
}

/** Drops and closes the shared client (tests, shutdown). */
export async function resetSharedKubeClient(): Promise<void> {
  const current = shared;
  shared = undefined;
  if (current !== undefined) {
    try {
      await (await current).close();
    } catch {
      // Creation failed: nothing to close.
    }
  }
}
