/**
 * The `BUBU_K8S_*` settings of the Kubernetes client: timeouts, status-patch retries and the
 * User-Agent.
 * @module
 */

import { parseK8sEnvVars } from "../env/schema.ts";
import { envReader } from "../env/source.ts";

/** Reads one environment variable (for example `runtime.env`). */
export type EnvLookup = (name: string) => string | undefined;

/** Default per-request timeout (`rest.Config.Timeout`). */
export const DEFAULT_K8S_TIMEOUT_MS = 30_000;
/** Default budget of one operation (all patch attempts, a schema lookup). */
export const DEFAULT_K8S_OPERATION_TIMEOUT_MS = 30_000;
/** Default status-patch retries after the first attempt. */
export const DEFAULT_K8S_PATCH_MAX_RETRIES = 5;

/**
 * Default `User-Agent`. No request sends a `fieldManager`, so the API server names the
 * `managedFields` manager after the User-Agent: `bubu-sdk-go`. Set `BUBU_K8S_USER_AGENT` to tell
 * this SDK's writes apart.
 *
 * @remarks The Go SDK's default, kept rather than `bubu-sdk-ts/<version>` so that both SDKs
 * show up as the same manager.
 */
export const DEFAULT_K8S_USER_AGENT = "bubu-sdk-go";

/** The Kubernetes settings read from the environment. */
export interface K8sSettings {
  /** `BUBU_K8S_TIMEOUT`: per HTTP request. */
  readonly timeoutMs: number;
  /** `BUBU_K8S_OPERATION_TIMEOUT`: per operation, covering all its attempts. */
  readonly operationTimeoutMs: number;
  /** `BUBU_K8S_PATCH_MAX_RETRIES`: retries after the first attempt (`<0` → 0). */
  readonly patchMaxRetries: number;
  /** `BUBU_K8S_USER_AGENT`, else {@link DEFAULT_K8S_USER_AGENT}. */
  readonly userAgent: string;
  /** `BUBU_POD_NAME` (trimmed), for zombie-pod fencing; `""` when unset. */
  readonly podName: string;
}

/**
 * Reads every `BUBU_K8S_*` setting (and `BUBU_POD_NAME`) with the SDK's env parsers, so a
 * malformed value is the same `EnvError` naming the variable here as at engram startup.
 */
export function readK8sSettings(env: EnvLookup): K8sSettings {
  const vars = parseK8sEnvVars(envReader(env));
  return {
    timeoutMs: vars.BUBU_K8S_TIMEOUT.millis,
    operationTimeoutMs: vars.BUBU_K8S_OPERATION_TIMEOUT.millis,
    patchMaxRetries: vars.BUBU_K8S_PATCH_MAX_RETRIES,
    userAgent: vars.BUBU_K8S_USER_AGENT || DEFAULT_K8S_USER_AGENT,
    podName: vars.BUBU_POD_NAME,
  };
}
