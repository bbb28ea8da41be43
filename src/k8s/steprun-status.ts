/**
 * `patchStepRunStatus`: GET the StepRun, fence zombie pods, merge client-side, then send the
 * diff as a JSON merge patch to `/status` (`contract/kubernetes.md`, "PatchStepRunStatus").
 *
 * Unlike Go (quirk B4) the patch carries `metadata.resourceVersion` as a precondition
 * (DESIGN.md, "Status writes"): a concurrent writer makes the API server answer 409, and we GET,
 * merge and patch again inside the same retry budget, so two appenders of `signalEvents` or
 * `effects` both keep their entries instead of the last one replacing the array.
 * @module
 */

import { abortText, jitter, sleep, withTimeout } from "./backoff.ts";
import type { KubeClient, KubeObject } from "./client.ts";
import { isConflict, isRetryableKubernetesError } from "./errors.ts";
import { goJsonStringify } from "../json/go-json.ts";
import type { JsonObject } from "./merge-patch.ts";
import { DEFAULT_K8S_OPERATION_TIMEOUT_MS, DEFAULT_K8S_PATCH_MAX_RETRIES } from "./settings.ts";
import { STEP_RUNS } from "./resources.ts";
import { mergeStepRunStatus, statusDiff, type StepRunStatus, type StepRunStatusUpdate } from "./steprun-merge.ts";

/** First backoff between attempts; it doubles after each. */
export const PATCH_INITIAL_BACKOFF_MS = 100;

/** The StepRun is owned by another pod (`status.podName` ≠ `BUBU_POD_NAME`); nothing was written. */
export class ZombiePodFencedError extends Error {
  override readonly name: string = "ZombiePodFencedError";
  readonly currentPod: string;
  readonly existingPod: string;

  constructor(currentPod: string, existingPod: string) {
    super(
      `zombie pod fencing: current pod ${JSON.stringify(currentPod)} does not match existing ${
        JSON.stringify(existingPod)
      }; skipping patch`,
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
  /** Pod name for fencing; default the client's `podName` (`BUBU_POD_NAME`). */
  readonly podName?: string;
  /** Random source for the jitter (tests). */
  readonly random?: () => number;
  /** Called once at the end, for the `bubu.k8s.operation.duration_seconds` metric. */
  readonly onComplete?: (outcome: { readonly durationSeconds: number; readonly success: boolean }) => void;
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
 * Throws {@link ZombiePodFencedError} (no write), `InvalidPhaseTransitionError` (no retry), or
 * {@link StepRunStatusPatchError} when the GET fails non-retryably, the retries are exhausted or
 * the budget ends. GET errors are retried only when retryable; every PATCH error is retried
 * (quirk B5, as Go), a 409 after a fresh GET and merge.
 */
export async function patchStepRunStatus(
  client: KubeClient,
  namespace: string,
  name: string,
  update: StepRunStatusUpdate,
  options: PatchStepRunStatusOptions = {},
): Promise<PatchStepRunStatusResult> {
  const started = Date.now();
  const operationTimeoutMs = options.operationTimeoutMs ?? client.config.operationTimeoutMs ??
    DEFAULT_K8S_OPERATION_TIMEOUT_MS;
  const signal = withTimeout(
    operationTimeoutMs,
    options.signal,
    options.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs),
  );
  const maxRetries = Math.max(0, options.maxRetries ?? client.config.patchMaxRetries ?? DEFAULT_K8S_PATCH_MAX_RETRIES);
  const podName = (options.podName ?? client.config.podName ?? "").trim();
  const random = options.random ?? Math.random;
  const done = (success: boolean): void => options.onComplete?.({ durationSeconds: (Date.now() - started) / 1000, success });

  let backoff = PATCH_INITIAL_BACKOFF_MS;
  let conflicts = 0;
  const pause = async (attempt: number, cause: unknown): Promise<void> => {
    try {
      await sleep(jitter(backoff, random), signal);
    } catch {
      throw aborted(signal, attempt, cause);
    }
    backoff *= 2;
  };

  try {
    for (let attempt = 1;; attempt++) {
      const canRetry = attempt <= maxRetries;
      let stepRun: KubeObject;
      try {
        stepRun = await client.get(STEP_RUNS, namespace, name, { signal });
      } catch (err) {
        if (signal.aborted) throw aborted(signal, attempt, err);
        if (canRetry && isRetryableKubernetesError(err)) {
          await pause(attempt, err);
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
      const merged = mergeStepRunStatus(current, update);
      const diff = statusDiff(current, merged);
      if (Object.keys(diff).length === 0) {
        done(true);
        return { patched: false, attempts: attempt, conflicts, stepRun };
      }
      const body = patchBody(resourceVersionOf(stepRun), diff);
      try {
        const patched = await client.patchStatus(STEP_RUNS, namespace, name, body, { signal });
        done(true);
        return { patched: true, attempts: attempt, conflicts, body, stepRun: patched };
      } catch (err) {
        if (isConflict(err)) conflicts++;
        if (signal.aborted) throw aborted(signal, attempt, err);
        if (canRetry) {
          await pause(attempt, err);
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

function aborted(signal: AbortSignal, attempts: number, cause: unknown): StepRunStatusPatchError {
  return new StepRunStatusPatchError(
    `status patch retry aborted due to context cancellation: ${abortText(signal)}`,
    "aborted",
    attempts,
    cause,
  );
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
