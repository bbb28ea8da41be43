/**
 * The `BUBU_K8S_*` settings (`contract/env.md`, "Kubernetes client").
 * @module
 */

import { nanosToMillis, parseGoDuration } from "../env/duration.ts";
import { parseGoInt, trimSpace } from "../env/go-text.ts";
import { ENV } from "../env/names.ts";

/** Reads one environment variable (for example `runtime.env`). */
export type EnvLookup = (name: string) => string | undefined;

/** Default per-request timeout (`rest.Config.Timeout`). */
export const DEFAULT_K8S_TIMEOUT_MS = 30_000;
/** Default budget of one operation (all patch attempts, a schema lookup). */
export const DEFAULT_K8S_OPERATION_TIMEOUT_MS = 30_000;
/** Default status-patch retries after the first attempt. */
export const DEFAULT_K8S_PATCH_MAX_RETRIES = 5;

/**
 * Default `User-Agent`. We keep Go's value rather than `bubu-sdk-ts/<version>`: the contract
 * fixes the default of `BUBU_K8S_USER_AGENT` (wire-parity checklist item 1), and the API server
 * derives the `managedFields` manager from it (no `fieldManager` is sent, quirk B8), so both
 * SDKs show up as the same manager `bubu-sdk-go`. Set `BUBU_K8S_USER_AGENT` to tell them apart.
 */
export const DEFAULT_K8S_USER_AGENT = "bubu-sdk-go";

/** The Kubernetes settings read from the environment. */
export interface K8sSettings {
  /** `BUBU_K8S_TIMEOUT`: per HTTP request. */
  readonly timeoutMs: number;
  /** `BUBU_K8S_OPERATION_TIMEOUT`: per operation, covering all its attempts. */
  readonly operationTimeoutMs: number;
  /** `BUBU_K8S_PATCH_MAX_RETRIES`: retries after the first attempt (`<0` → 0, invalid → 5). */
  readonly patchMaxRetries: number;
  /** `BUBU_K8S_USER_AGENT`, else {@link DEFAULT_K8S_USER_AGENT}. */
  readonly userAgent: string;
  /** `BUBU_POD_NAME` (trimmed), for zombie-pod fencing; `""` when unset. */
  readonly podName: string;
}

/**
 * A Go duration variable in milliseconds; unset, invalid or ≤0 gives `defaultMs` (Go's
 * `env.GetDuration`, which trims; `trim: false` for `BUBU_K8S_TIMEOUT`, which Go parses as is).
 */
export function durationEnvMs(env: EnvLookup, name: string, defaultMs: number, trim: boolean = true): number {
  const value = env(name) ?? "";
  const raw = trim ? trimSpace(value) : value;
  if (raw === "") return defaultMs;
  let nanos: bigint;
  try {
    nanos = parseGoDuration(raw);
  } catch {
    return defaultMs;
  }
  return nanos > 0n ? nanosToMillis(nanos) : defaultMs;
}

/** `BUBU_K8S_PATCH_MAX_RETRIES`: trimmed Go integer; `<0` → 0; invalid or unset → 5. */
export function patchMaxRetriesFromEnv(env: EnvLookup): number {
  const raw = trimSpace(env(ENV.K8S_PATCH_MAX_RETRIES) ?? "");
  if (raw === "") return DEFAULT_K8S_PATCH_MAX_RETRIES;
  const n = parseGoInt(raw);
  if (typeof n !== "number") return DEFAULT_K8S_PATCH_MAX_RETRIES;
  return n < 0 ? 0 : n;
}

/** Reads every `BUBU_K8S_*` setting (and `BUBU_POD_NAME`). */
export function readK8sSettings(env: EnvLookup): K8sSettings {
  const ua = env(ENV.K8S_USER_AGENT);
  return {
    timeoutMs: durationEnvMs(env, ENV.K8S_TIMEOUT, DEFAULT_K8S_TIMEOUT_MS, false),
    operationTimeoutMs: durationEnvMs(env, ENV.K8S_OPERATION_TIMEOUT, DEFAULT_K8S_OPERATION_TIMEOUT_MS),
    patchMaxRetries: patchMaxRetriesFromEnv(env),
    userAgent: ua !== undefined && ua !== "" ? ua : DEFAULT_K8S_USER_AGENT,
    podName: trimSpace(env(ENV.POD_NAME) ?? ""),
  };
}
