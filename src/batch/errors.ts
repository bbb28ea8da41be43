/**
 * Errors the batch lifecycle creates, with Go's texts so that classification and messages match.
 * @module
 */

import { formatGoDuration } from "../env/duration.ts";
import { BubuError } from "../errors/bubu-error.ts";
import { findInErrorChain } from "../errors/error-chain.ts";
import { errorText } from "../errors/error-text.ts";

/**
 * Go's `BatchTimeoutError`: `batch execution timed out after <d>[: <cause>]`. Deliberately not a
 * structured-error provider: as in Go, a classified error thrown by the engram stays visible
 * through `cause`, and the status builder forces type `timeout` and 124/`retry`.
 */
export class BatchTimeoutError extends Error {
  readonly timeoutNs: bigint;
  constructor(timeoutNs: bigint, cause: unknown) {
    const suffix = cause === undefined ? "" : `: ${errorText(cause)}`;
    super(`batch execution timed out after ${formatGoDuration(timeoutNs)}${suffix}`, { cause });
    this.name = "BatchTimeoutError";
    this.timeoutNs = timeoutNs;
  }
}

/**
 * The run was cut short by a signal: retryable, exit 143 (130 for SIGINT), and no status in a pod,
 * so the operator retries the step. (Go has no signal handler: its process just dies with 143.)
 */
export function terminatedError(signal: "SIGTERM" | "SIGINT", cause: unknown): BubuError {
  const suffix = cause === undefined ? "" : `: ${errorText(cause)}`;
  const err = new BubuError("execution_error", `batch execution terminated by ${signal} before completion${suffix}`, {
    retryable: true,
    code: signal,
    cause,
  });
  // Its message says everything: no stack of the SDK's own frames under it (error-detail.ts).
  err.name = "BatchTerminatedError";
  return err;
}

/** `process` (or `init`) ignored its aborted signal for the whole grace window. */
export function abandonedError(graceMs: number): Error {
  return new Error(`engram did not return within ${graceMs}ms after its signal was aborted`);
}

/** Go's `ReasonTimeout`: the condition reason of a timed-out step. */
export const REASON_TIMEOUT: "Timeout" = "Timeout";

/** Whether `err` or anything in its `cause` chain (or an AggregateError) is a {@link BatchTimeoutError} (Go's `errors.Is(err, ErrBatchTimeout)`). */
export function isBatchTimeout(err: unknown): boolean {
  return findInErrorChain(err, (e) => (e instanceof BatchTimeoutError ? true : undefined)) === true;
}

/** Go's `BatchExitCode`: 0 for no error, 124 for a batch timeout, 1 for anything else. */
export function batchExitCode(err: unknown): 0 | 1 | 124 {
  if (err === undefined || err === null) return 0;
  return isBatchTimeout(err) ? 124 : 1;
}
