/**
 * Builds the client configuration like Go's `GetConfig()`: in-cluster first, else a kubeconfig;
 * then the `BUBU_K8S_*` settings and the namespace.
 * @module
 */

import { resolvePodNamespace } from "../env/namespace.ts";
import type { Runtime } from "../runtime/types.ts";
import { NotInClusterError, readInClusterConfig } from "./in-cluster.ts";
import { type KubeConnection, KubeconfigError, readKubeconfig } from "./kubeconfig.ts";
import { resolvePath } from "./paths.ts";
import { readK8sSettings } from "./settings.ts";

/** Everything a {@link KubeClient} needs. */
export interface KubeConfig extends KubeConnection {
  readonly source: "in-cluster" | "kubeconfig" | "explicit";
  /** The kubeconfig file used, when {@link source} is `kubeconfig`. */
  readonly kubeconfigPath?: string;
  /** The kubeconfig context's namespace; informational, never used as the SDK namespace. */
  readonly contextNamespace?: string;
  /** The client namespace: first non-blank of `BUBU_TARGET_STORY_NAMESPACE` → `BUBU_IMPULSE_NAMESPACE` → `BUBU_STEPRUN_NAMESPACE` → `BUBU_POD_NAMESPACE` (never the kubeconfig context namespace, as in Go); may be `""`. */
  readonly namespace: string;
  readonly userAgent: string;
  /** Per-request timeout (`BUBU_K8S_TIMEOUT`). */
  readonly timeoutMs: number;
  /** Per-operation budget (`BUBU_K8S_OPERATION_TIMEOUT`); 30s when absent. */
  readonly operationTimeoutMs?: number;
  /** Status-patch retries after the first attempt (`BUBU_K8S_PATCH_MAX_RETRIES`); 5 when absent. */
  readonly patchMaxRetries?: number;
  /** `BUBU_POD_NAME` for zombie-pod fencing; no fencing when absent or empty. */
  readonly podName?: string;
}

/** The runtime parts the configuration loader uses. */
export type ConfigRuntime = Pick<Runtime, "env" | "fs" | "homeDir" | "cwd">;

/** Options of {@link loadKubeConfig}. */
export interface LoadKubeConfigOptions {
  /** Service-account directory for the in-cluster config (default the standard mount). */
  readonly serviceAccountDir?: string;
  /** A kubeconfig path that wins over `KUBECONFIG` and `~/.kube/config`. */
  readonly kubeconfigPath?: string;
  /** A kubeconfig context instead of `current-context`. */
  readonly context?: string;
}

/**
 * The kubeconfig path: `KUBECONFIG`, else `$HOME/.kube/config`. A colon-separated list is not
 * merged as kubectl does: its first non-empty entry is used (Go passes the whole value as one
 * path, so lists do not work there at all).
 */
export function kubeconfigPathFromEnv(runtime: Pick<Runtime, "env" | "homeDir" | "cwd">): string {
  const list = (runtime.env("KUBECONFIG") ?? "").split(":").filter((p) => p !== "");
  if (list.length > 0) return resolvePath(runtime.cwd(), list[0]!);
  const home = runtime.homeDir() ?? "";
  return `${home}/.kube/config`;
}

/**
 * Loads the configuration: `rest.InClusterConfig()` when `KUBERNETES_SERVICE_HOST`/`_PORT` are set
 * and the token is readable, else the kubeconfig (current context). TLS is always verified.
 */
export async function loadKubeConfig(runtime: ConfigRuntime, options: LoadKubeConfigOptions = {}): Promise<KubeConfig> {
  const env = (name: string): string | undefined => runtime.env(name);
  const settings = readK8sSettings(env);
  const common = {
    namespace: resolvePodNamespace(env),
    userAgent: settings.userAgent,
    timeoutMs: settings.timeoutMs,
    operationTimeoutMs: settings.operationTimeoutMs,
    patchMaxRetries: settings.patchMaxRetries,
    podName: settings.podName,
  };
  let inClusterProblem: string | undefined;
  if (options.kubeconfigPath === undefined) {
    try {
      const conn = await readInClusterConfig({
        env,
        fs: runtime.fs,
        ...(options.serviceAccountDir !== undefined ? { serviceAccountDir: options.serviceAccountDir } : {}),
      });
      return { ...conn, ...common, source: "in-cluster" };
    } catch (err) {
      if (!(err instanceof NotInClusterError)) throw err;
      inClusterProblem = err.message;
    }
  }
  const path = options.kubeconfigPath ?? kubeconfigPathFromEnv(runtime);
  let text: string;
  try {
    text = await runtime.fs.readTextFile(path);
  } catch (err) {
    const prefix = inClusterProblem === undefined ? "" : `failed to get in-cluster config (${inClusterProblem}) and `;
    throw new KubeconfigError(`${prefix}no kubeconfig at ${path}: ${(err as Error).message}`);
  }
  const home = runtime.homeDir();
  const kc = await readKubeconfig(path, {
    text,
    fs: runtime.fs,
    ...(home !== undefined ? { homeDir: home } : {}),
    ...(options.context !== undefined ? { context: options.context } : {}),
  });
  const { contextName: _ignored, ...conn } = kc;
  return { ...conn, ...common, source: "kubeconfig", kubeconfigPath: path };
}
