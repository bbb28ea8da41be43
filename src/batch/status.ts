/**
 * The terminal StepRun status of a batch run: phase, finish time and duration, exit code and
 * class, the sanitized failure message and structured error, and the output (on failures too).
 * retry-aware-status.ts decides what of it a pod writes.
 * @module
 */

import { formatGoDuration } from "../env/duration.ts";
import { buildStatusError, statusExitMetadata } from "../errors/build-status-error.ts";
import { errorText } from "../errors/error-text.ts";
import { sanitizeErrorMessage } from "../errors/sanitize.ts";
import type { ExitClass, StructuredErrorJson } from "../errors/structured-error.ts";
import { formatMetaTime } from "../k8s/meta-time.ts";
import { signalExitCode } from "../process/termination.ts";

/** StepRun phases the SDK writes. */
export type TerminalPhase = "Succeeded" | "Failed" | "Timeout";

/** The partial `StepRun.status` the SDK sends; keys in Go's field order. */
export interface StepRunStatusUpdate {
  phase?: TerminalPhase;
  finishedAt?: string;
  duration?: string;
  exitCode?: number;
  exitClass?: ExitClass;
  lastFailureMsg?: string;
  output?: Record<string, unknown>;
  error?: StructuredErrorJson;
}

/** How a run ended. */
export type RunEnd =
  | { readonly kind: "success" }
  | { readonly kind: "failure"; readonly error: unknown }
  | { readonly kind: "timeout"; readonly error: unknown }
  | { readonly kind: "terminated"; readonly error: unknown; readonly signal: "SIGTERM" | "SIGINT" };

/** Builds the terminal status for `end` (exit code and class from the error rules). */
export function buildTerminalStatus(
  end: RunEnd,
  times: { readonly startedAt: Date; readonly finishedAt: Date },
  output: Record<string, unknown> | undefined,
): StepRunStatusUpdate {
  const elapsedNs = BigInt(Math.max(0, times.finishedAt.getTime() - times.startedAt.getTime())) * 1_000_000n;
  const status: StepRunStatusUpdate = {
    phase: end.kind === "success" ? "Succeeded" : end.kind === "timeout" ? "Timeout" : "Failed",
    finishedAt: formatMetaTime(times.finishedAt),
    duration: formatGoDuration(elapsedNs),
  };
  if (end.kind === "success") {
    status.exitClass = "success";
    if (output !== undefined) status.output = output;
    return status;
  }
  const timedOut = end.kind === "timeout";
  const meta = statusExitMetadata(end.error, timedOut);
  // SIGTERM/SIGINT: 143/130 with class `retry`, for work that was cut short. A pod never writes
  // this status (retry-aware-status.ts: the operator retries the step); the outcome carries it.
  const exitCode = end.kind === "terminated" ? signalExitCode(end.signal) : meta.exitCode;
  const exitClass: ExitClass = end.kind === "terminated" ? "retry" : meta.exitClass;
  status.exitCode = exitCode;
  status.exitClass = exitClass;
  status.lastFailureMsg = sanitizeErrorMessage(errorText(end.error));
  if (output !== undefined) status.output = output;
  status.error = buildStatusError(end.error, { timedOut, exitCode, exitClass });
  return status;
}
