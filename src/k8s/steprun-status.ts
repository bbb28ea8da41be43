/**
 * `patchStepRunStatus`: GET the StepRun, fence zombie pods, merge client-side, then send the
 * diff as a JSON merge patch to `/status`. When attempts are retried and for how long:
 * `docs/status-writes.md`.
 *
 * The patch carries `metadata.resourceVersion` as a precondition: a concurrent writer makes the
 * API server answer 409, and we GET, merge and patch again, so two appenders of `signalEvents` or
 * `effects` both keep their entries instead of the last one replacing the array.
 *
 * @remarks The Go SDK sends the merge patch without a precondition (last writer wins).
 * @module
 */

import { goJsonStringify } from "../json/go-json.ts";
import { abortText, jitter, sleep, withTimeout } from "./backoff.ts";
import type { KubeClient, KubeObject } from "./client.ts";
import { isConflict, KubernetesError } from "./errors.ts";
import type { JsonObject } from "./merge-patch.ts";
import { STEP_RUNS } from "./resources.ts";
import { attemptTimeoutMs, nextBackoff, retryDecision } from "./retry-policy.ts";
import { DEFAULT_K8S_OPERATION_TIMEOUT_MS, DEFAULT_K8S_PATCH_MAX_RETRIES } from "./settings.ts";
import { mergeStepRunStatus, type StepRunStatus, type StepRunStatusUpdate, statusDiff } from "./steprun-merge.ts";

/** First backoff between attempts; it doubles after each. */
export const PATCH_INITIAL_BACKOFF_MS = 100;

/** The StepRun is owned by another pod (`status.podName` ≠ `BUBU_POD_NAME`); nothing was written. */
export class ZombiePodFencedError extends Error {
  override readonly name: string = "ZombiePodFencedError";
  readonly currentPod: string;
  readonly existingPod: string;

  constructor(currentPod: string, existingPod: string) {
    super(
      `zombie pod fencing: current pod ${JSON.stringify(currentPod)} does not match existing ${JSON.stringify(
        existingPod,
      )}; skipping patch`,
    );
    this.currentPod = currentPod;
    this.existingPod = existingPod;
  }
}

/** A status write that failed after its retries, or whose budget ran out. */
export class StepRunStatusPatchError extends Error {
  override readonly name: string = "StepRunStatusPatchError";
  /** Which step failed last. */
  readonly stage: "get" | "patch" | "aborted";
  readonly attempts: number;

  constructor(message: string, stage: "get" | "patch" | "aborted", attempts: number, cause: unknown) {
    super(message, { cause });
    this.stage = stage;
    this.attempts = attempts;
  }
}

/** Options of {@link patchStepRunStatus}. */
export interface PatchStepRunStatusOptions {
  /** Cancels the whole operation. */
  readonly signal?: AbortSignal;
  /** An extra caller deadline (3s for signals and effects, 5s for logs in Go). */
  readonly timeoutMs?: number;
  /** Budget of all attempts; default the client's `operationTimeoutMs` (30s). */
  readonly operationTimeoutMs?: number;
  /** Retries after the first attempt; default the client's `patchMaxRetries` (5). */
  readonly maxRetries?: number;
  /**
   * Keep trying until this signal aborts, however many attempts that takes: replaces the
   * operation budget and `maxRetries` (a terminal status write uses the step's own window).
   */
  readonly retryUntil?: AbortSignal;
  /** One GET or PATCH; default `BUBU_K8S_TIMEOUT`, at most 10s. */
  readonly attemptTimeoutMs?: number;
  /** Pod name for fencing; default the client's `podName` (`BUBU_POD_NAME`). */
  readonly podName?: string;
  /** Random source for the jitter (tests). */
  readonly random?: () => number;
  /**
   * Rewrites `update` for the StepRun as read (on every attempt, after a 409 too); return
   * `undefined` to write nothing.
   */
  readonly adapt?: (stepRun: KubeObject, update: StepRunStatusUpdate) => StepRunStatusUpdate | undefined;
  /** Called before each pause, with the failure that caused it (for logs). */
  readonly onRetry?: (info: StatusWriteRetry) => void;
  /** Called once at the end, for the `bubu.k8s.operation.duration_seconds` metric. */
  readonly onComplete?: (outcome: { readonly durationSeconds: number; readonly success: boolean }) => void;
}

/** A failed attempt that will be tried again. */
export interface StatusWriteRetry {
  /** The attempt that failed, from 1. */
  readonly attempt: number;
  readonly stage: "get" | "patch";
  readonly error: unknown;
  /** The pause before the next attempt. */
  readonly delayMs: number;
}

/** What {@link patchStepRunStatus} did. */
export interface PatchStepRunStatusResult {
  /** False when the merge changed nothing, so no PATCH was sent. */
  readonly patched: boolean;
  /** Attempts used (GET + PATCH rounds), at least 1. */
  readonly attempts: number;
  /** How many PATCHes the API server refused with 409 (a concurrent writer). */
  readonly conflicts: number;
  /** The last PATCH body sent, exactly as bytes on the wire. */
  readonly body?: string;
  /** The StepRun as returned by the PATCH (or by the GET when nothing changed). */
  readonly stepRun: KubeObject;
}

/**
 * Writes `update` into `StepRun <namespace>/<name>` status.
 *
 * Each GET and PATCH is bounded by `attemptTimeoutMs`. A 409 is followed by a fresh GET and
 * merge; 429, 5xx, timeouts and connection failures are tried again after a jittered pause
 * (100ms doubling, at most 5s); any other 4xx stops at once (see `retryDecision`). Attempts end
 * with `maxRetries` or the operation budget, or, with `retryUntil`, only when that signal aborts.
 *
 * Throws {@link ZombiePodFencedError} (no write), `InvalidPhaseTransitionError` (no retry), or
 * {@link StepRunStatusPatchError} when a request fails for good, the attempts are used up or
 * the budget ends.
 *
 * @remarks Go bounds each request by `BUBU_K8S_TIMEOUT` (30s, the same as the whole budget, so
 * one unanswered PATCH uses it all), retries GETs only on its shared transient list and retries
 * every PATCH error, 4xx included.
 */
export async function patchStepRunStatus(
  client: KubeClient,
  namespace: string,
  name: string,
  update: StepRunStatusUpdate,
  options: PatchStepRunStatusOptions = {},
): Promise<PatchStepRunStatusResult> {
  const started = Date.now();
  const window = options.retryUntil;
  const operationTimeoutMs =
    options.operationTimeoutMs ?? client.config.operationTimeoutMs ?? DEFAULT_K8S_OPERATION_TIMEOUT_MS;
  const callerDeadline = options.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs);
  const signal =
    window === undefined
      ? withTimeout(operationTimeoutMs, options.signal, callerDeadline)
      : withTimeout(undefined, options.signal, callerDeadline, window);
  const maxRetries =
    window === undefined
      ? Math.max(0, options.maxRetries ?? client.config.patchMaxRetries ?? DEFAULT_K8S_PATCH_MAX_RETRIES)
      : Number.POSITIVE_INFINITY;
  const timeoutMs = options.attemptTimeoutMs ?? attemptTimeoutMs(client.config.timeoutMs);
  const podName = (options.podName ?? client.config.podName ?? "").trim();
  const random = options.random ?? Math.random;
  const done = (success: boolean): void =>
    options.onComplete?.({ durationSeconds: (Date.now() - started) / 1000, success });

  let backoff = PATCH_INITIAL_BACKOFF_MS;
  let conflicts = 0;
  // The last failure of an attempt of its own (not the abort that ended the wait).
  let lastError: unknown;
  const stop = (attempt: number, cause: unknown): StepRunStatusPatchError => aborted(signal, attempt, cause, lastError);
  const pause = async (attempt: number, stage: "get" | "patch", cause: unknown): Promise<void> => {
    lastError = cause;
    const delayMs = jitter(backoff, random);
    options.onRetry?.({ attempt, stage, error: cause, delayMs });
    try {
      await sleep(delayMs, signal);
    } catch {
      throw stop(attempt, cause);
    }
    backoff = nextBackoff(backoff);
  };

  try {
    for (let attempt = 1; ; attempt++) {
      const canRetry = attempt <= maxRetries;
      let stepRun: KubeObject;
      try {
        stepRun = await client.get(STEP_RUNS, namespace, name, { signal, timeoutMs });
      } catch (err) {
        if (signal.aborted) throw stop(attempt, err);
        if (canRetry && retryDecision(err) !== "stop") {
          await pause(attempt, "get", err);
          continue;
        }
        throw new StepRunStatusPatchError(
          `failed to get StepRun '${name}' in namespace '${namespace}' for status patch: ${messageOf(err)}`,
          "get",
          attempt,
          err,
        );
      }

      const current = statusOf(stepRun);
      const existingPod = typeof current.podName === "string" ? current.podName.trim() : "";
      if (podName !== "" && existingPod !== "" && existingPod !== podName) {
        throw new ZombiePodFencedError(podName, existingPod);
      }
      const adapted = options.adapt ? options.adapt(stepRun, update) : update;
      if (adapted === undefined) {
        done(true);
        return { patched: false, attempts: attempt, conflicts, stepRun };
      }
      const merged = mergeStepRunStatus(current, adapted);
      const diff = statusDiff(current, merged);
      if (Object.keys(diff).length === 0) {
        done(true);
        return { patched: false, attempts: attempt, conflicts, stepRun };
      }
      const body = patchBody(resourceVersionOf(stepRun), diff);
      try {
        const patched = await client.patchStatus(STEP_RUNS, namespace, name, body, { signal, timeoutMs });
        done(true);
        return { patched: true, attempts: attempt, conflicts, body, stepRun: patched };
      } catch (err) {
        if (isConflict(err)) conflicts++;
        if (signal.aborted) throw stop(attempt, err);
        if (canRetry && retryDecision(err) !== "stop") {
          await pause(attempt, "patch", err);
          continue;
        }
        throw new StepRunStatusPatchError(
          `failed to apply StepRun '${name}' status in namespace '${namespace}': ${messageOf(err)}`,
          "patch",
          attempt,
          err,
        );
      }
    }
  } catch (err) {
    done(false);
    throw err;
  }
}

/**
 * The PATCH body: `{"metadata":{"resourceVersion":…},"status":{…diff…}}` in Go's byte form
 * (keys sorted at every level, as `json.Marshal` of the diff map gives).
 */
export function patchBody(resourceVersion: string | undefined, statusPatch: JsonObject): string {
  const doc: JsonObject = { status: statusPatch };
  if (resourceVersion !== undefined && resourceVersion !== "") doc["metadata"] = { resourceVersion };
  return goJsonStringify(doc);
}

function statusOf(obj: KubeObject): StepRunStatus {
  const s = obj["status"];
  return typeof s === "object" && s !== null && !Array.isArray(s) ? (s as StepRunStatus) : {};
}

function resourceVersionOf(obj: KubeObject): string | undefined {
  const meta = obj["metadata"];
  if (typeof meta !== "object" || meta === null) return undefined;
  const rv = (meta as Record<string, unknown>)["resourceVersion"];
  return typeof rv === "string" ? rv : undefined;
}

function aborted(signal: AbortSignal, attempts: number, cause: unknown, lastError: unknown): StepRunStatusPatchError {
  // The last failure says why the write never landed; the abort alone would not.
  const failure = cause !== undefined && !isAbortOf(signal, cause) ? cause : lastError;
  const last = failure === undefined ? "" : `; last error: ${messageOf(failure)}`;
  return new StepRunStatusPatchError(
    `status patch retry aborted due to context cancellation: ${abortText(signal)}${last}`,
    "aborted",
    attempts,
    cause,
  );
}

/** Whether `err` is only the abort itself (a request cut by `signal`), not a failure of its own. */
function isAbortOf(signal: AbortSignal, err: unknown): boolean {
  return err === signal.reason || (err instanceof KubernetesError && err.kind === "canceled");
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
