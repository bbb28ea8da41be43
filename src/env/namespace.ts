/**
 * Namespace resolution, execution mode and cluster detection from env.
 * @module
 */

import { trimSpace } from "./go-text.ts";
import { ENV } from "./names.ts";
import { type EnvSource, envReader } from "./source.ts";

/** The SDK client's namespace order (`k8s.ResolvePodNamespace`): target story, impulse, step run, pod. */
export const POD_NAMESPACE_ORDER: readonly string[] = [
  ENV.TARGET_STORY_NAMESPACE,
  ENV.IMPULSE_NAMESPACE,
  ENV.STEPRUN_NAMESPACE,
  ENV.POD_NAMESPACE,
];

/** The namespace order of ConfigMap/Secret refs (the operator's): pod, step run, target story, impulse. */
export const KUBE_REF_NAMESPACE_ORDER: readonly string[] = [
  ENV.POD_NAMESPACE,
  ENV.STEPRUN_NAMESPACE,
  ENV.TARGET_STORY_NAMESPACE,
  ENV.IMPULSE_NAMESPACE,
];

/**
 * The Kubernetes client namespace: the first non-blank of {@link POD_NAMESPACE_ORDER}, else `""`.
 * Also used for the log path and the `bubu.transport.binding` header fallback. Never reads
 * `POD_NAMESPACE` or the service-account namespace file. Values are trimmed (Go takes the first
 * non-empty value untrimmed; a padded namespace would be invalid anyway).
 */
export function resolvePodNamespace(source: EnvSource): string {
  return firstNonBlank(source, POD_NAMESPACE_ORDER);
}

/** The default namespace of `$bubuConfigMapRef`/`$bubuSecretRef`: first non-blank of {@link KUBE_REF_NAMESPACE_ORDER}. */
export function resolveKubeRefNamespace(source: EnvSource): string {
  return firstNonBlank(source, KUBE_REF_NAMESPACE_ORDER);
}

function firstNonBlank(source: EnvSource, names: readonly string[]): string {
  const reader = envReader(source);
  for (const name of names) {
    const v = trimSpace(reader.get(name) ?? "");
    if (v !== "") return v;
  }
  return "";
}

/** `ExecutionMode()`: `BUBU_EXECUTION_MODE` trimmed and lower-cased, `batch` when unset or blank. */
export function executionMode(source: EnvSource): string {
  const mode = trimSpace(envReader(source).get(ENV.EXECUTION_MODE) ?? "");
  return mode === "" ? "batch" : mode.toLowerCase();
}

/**
 * `start`'s dispatch: `""`, `job`, `batch` and the operator's `hybrid` (a batch Job that may
 * bridge its output to a stream) run batch; `realtime` and anything else run streaming. The Go SDK
 * sends `hybrid` to streaming; we follow the operator's meaning (docs/go-differences.md).
 */
export function isBatchExecutionMode(mode: string): boolean {
  return mode === "" || mode === "job" || mode === "batch" || mode === "hybrid";
}

/**
 * Cluster mode: `KUBERNETES_SERVICE_HOST` or `BUBU_STEPRUN_NAME` is set (non-blank). With neither,
 * the SDK runs in local mode (docs/local-mode.md).
 */
export function isClusterMode(source: EnvSource): boolean {
  const reader = envReader(source);
  return [ENV.KUBERNETES_SERVICE_HOST, ENV.STEPRUN_NAME].some((n) => trimSpace(reader.get(n) ?? "") !== "");
}
