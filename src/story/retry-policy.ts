/**
 * When the operator runs a step's Job again, and after how long.
 *
 * @remarks bobrapet v0.1.13 `internal/controller/runs/steprun_controller.go`:
 * `handleJobFailed` → `scheduleRetryIfNeeded` only runs for a StepRun the SDK left non-terminal
 * (a StepRun in a final phase is never reconciled again, so an SDK-written `Failed`, whatever its
 * exit class, is final); the exit class is the one the status carries, else `classifyExitCode`
 * of the pod's exit code; `retryableExitClass` is `retry`, `rateLimited` or `unknown`;
 * `computeRetryDelay` is exponential (`delay·2^(n-1)`), linear (`delay·n`) or constant, capped by
 * `maxDelay` (at least 10ms), with `jitter`% added, never under 10ms. The policy is the step's
 * `execution.retry`, else the Story's `policy.retries.stepRetryPolicy`, with the EngramTemplate's
 * recommended delay/maxDelay/backoff filling unset fields (`step_executor.go`,
 * `config.MergeTemplateRetryIntoPolicy`), then `ResolveRetryPolicy`'s defaults: 3 retries, 1s,
 * exponential (`internal/webhook/v1alpha1/retry_defaults.go`). The Story webhook's defaulting sets
 * `maxRetries: 0` for a `sideEffects: true` step without a retry policy.
 * @module
 */
import { parseGoDuration } from "../env/duration.ts";
import { classifyExitCode } from "../errors/exit.ts";
import type { EngramTemplate, RetryPolicy, Step, Story } from "./types.ts";

/** The operator's reading of a pod's exit code (one table, shared with the SDK's own). */
export { classifyExitCode };

/** `retryableExitClass`. */
export function isRetryableExitClass(c: string): boolean {
  return c === "retry" || c === "rateLimited" || c === "unknown";
}

/** The fully defaulted policy of a step's StepRun. */
export interface ResolvedRetryPolicy {
  readonly maxRetries: number;
  readonly delayMs: number;
  readonly maxDelayMs: number;
  readonly jitter: number;
  readonly backoff: "exponential" | "linear" | "constant";
}

/** The smallest delay the operator requeues with (`config.MinRequeueDelay`). */
export const MIN_RETRY_DELAY_MS = 10;

function durationMs(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === "") return undefined;
  try {
    const ns = parseGoDuration(raw);
    return ns > 0n ? Number(ns) / 1e6 : undefined;
  } catch {
    return undefined;
  }
}

/** `StepRun.spec.retry` of an Engram step, before the controller's defaults. */
export function stepRetrySpec(story: Story, step: Step, template: EngramTemplate | undefined): RetryPolicy | undefined {
  let policy: RetryPolicy | undefined = step.execution?.retry ?? story.spec.policy?.retries?.stepRetryPolicy;
  if (step.sideEffects === true && step.execution?.retry === undefined) policy = { maxRetries: 0 };
  const rec = template?.spec.execution?.retry;
  const recDelay =
    typeof rec?.recommendedBaseDelay === "string" && rec.recommendedBaseDelay !== ""
      ? rec.recommendedBaseDelay
      : undefined;
  const recMax =
    typeof rec?.recommendedMaxDelay === "string" && rec.recommendedMaxDelay !== ""
      ? rec.recommendedMaxDelay
      : undefined;
  const recBackoff = ["exponential", "linear", "constant"].includes(rec?.recommendedBackoff as string)
    ? (rec!.recommendedBackoff as RetryPolicy["backoff"])
    : undefined;
  if (recDelay === undefined && recMax === undefined && recBackoff === undefined) return policy;
  return {
    ...policy,
    ...(policy?.delay ? {} : recDelay ? { delay: recDelay } : {}),
    ...(policy?.maxDelay ? {} : recMax ? { maxDelay: recMax } : {}),
    ...(policy?.backoff ? {} : recBackoff ? { backoff: recBackoff } : {}),
  };
}

/** `ResolveRetryPolicy` with the default operator config. */
export function resolveRetryPolicy(policy: RetryPolicy | undefined): ResolvedRetryPolicy {
  const jitter = Math.min(100, Math.max(0, policy?.jitter ?? 0));
  return {
    maxRetries: policy?.maxRetries ?? 3,
    delayMs: durationMs(policy?.delay) ?? 1000,
    maxDelayMs: durationMs(policy?.maxDelay) ?? 0,
    jitter,
    backoff: policy?.backoff ?? "exponential",
  };
}

/** `computeRetryDelay` for retry number `attempt` (1 for the first retry). */
export function retryDelayMs(p: ResolvedRetryPolicy, attempt: number, random: () => number = Math.random): number {
  const n = Math.max(1, attempt);
  let maxDelay = p.maxDelayMs;
  if (maxDelay > 0 && maxDelay < MIN_RETRY_DELAY_MS) maxDelay = MIN_RETRY_DELAY_MS;
  let delay = p.backoff === "linear" ? p.delayMs * n : p.backoff === "constant" ? p.delayMs : p.delayMs * 2 ** (n - 1);
  if (maxDelay > 0 && delay > maxDelay) delay = maxDelay;
  if (p.jitter > 0) {
    // wait.Jitter: delay + random·factor·delay.
    delay = delay + random() * (p.jitter / 100) * delay;
    if (maxDelay > 0 && delay > maxDelay) delay = maxDelay;
  }
  return Math.max(MIN_RETRY_DELAY_MS, delay);
}
