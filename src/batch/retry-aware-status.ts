/**
 * What the terminal status must say so the operator applies the step's retry policy.
 *
 * The operator (bobrapet) retries a failed Job only while the StepRun is not in a final phase:
 * a status with `phase: Failed` or `Timeout` ends the step whatever its `exitClass` says, while
 * failure details without a phase (`exitCode`, `exitClass`, `lastFailureMsg`, `error`) let the
 * step's retry policy decide, and once the retries are spent the operator ends the step itself
 * (keeping our `error`). So:
 *
 * - a retryable failure or a timeout, with retries left: the details without a phase;
 * - the last attempt (`status.retries >= spec.retry.maxRetries`): the final phase, so the real
 *   message survives;
 * - a terminal failure: the final phase, as the Go SDK writes it;
 * - SIGTERM/SIGINT: nothing (the pod is being stopped; the operator retries it like a killed pod);
 * - a success after retries: the earlier attempt's failure fields are cleared.
 *
 * @remarks The Go SDK v0.1.5 writes `Failed`/`Timeout` for every failure, so the operator never
 * retries a failure it reports; it writes nothing on SIGTERM because it has no handler.
 * @module
 */
import type { KubeObject } from "../k8s/client.ts";
import type { StepRunStatusUpdate as MergeUpdate } from "../k8s/steprun-merge.ts";
import type { RunEnd } from "./status.ts";

/** The retry budget the StepRun shows: its policy's `maxRetries` (if set) and the retries so far. */
export interface RetryState {
  readonly maxRetries: number | undefined;
  readonly retries: number;
}

/** Reads {@link RetryState} from a StepRun object. */
export function retryState(stepRun: KubeObject): RetryState {
  const spec = (stepRun["spec"] ?? {}) as { retry?: { maxRetries?: unknown } };
  const status = (stepRun["status"] ?? {}) as { retries?: unknown };
  const max = spec.retry?.maxRetries;
  return {
    maxRetries: typeof max === "number" && Number.isInteger(max) ? max : undefined,
    retries: typeof status.retries === "number" ? status.retries : 0,
  };
}

/**
 * The status to write for a run that ended as `end`, given the StepRun as read; `undefined`
 * writes nothing.
 */
export function retryAwareStatus(status: MergeUpdate, end: RunEnd, stepRun: KubeObject): MergeUpdate | undefined {
  if (end.kind === "terminated") return undefined;
  const state = retryState(stepRun);
  if (end.kind === "success") return state.retries > 0 ? { ...status, clearFailure: true } : status;
  const retryable = status.exitClass === "retry" || status.exitClass === "rateLimited";
  // Without a policy on the StepRun the operator's default applies, which a pod cannot read:
  // leave the decision to the operator.
  const lastAttempt = state.maxRetries !== undefined && state.retries >= state.maxRetries;
  if (!retryable || lastAttempt) return status;
  const { exitCode, exitClass, lastFailureMsg, error } = status;
  return { exitCode, exitClass, lastFailureMsg, error };
}
