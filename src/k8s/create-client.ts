/**
 * Creating a Kubernetes client from the environment: in-cluster config, else kubeconfig.
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
export async function createKubeClient(
  runtime: KubeRuntime,
  options: CreateKubeClientOptions = {},
): Promise<KubeClient> {
  const config = await loadKubeConfig(runtime, options);
  return new KubeClient(config, {
    createTlsFetch: (o) => runtime.createTlsFetch(o),
    fs: runtime.fs,
    ...(options.tokenRefreshMs !== undefined ? { tokenRefreshMs: options.tokenRefreshMs } : {}),
  });
}
