/**
 * Building `StepRun.status.error` and the status exit metadata (`exitCode`, `exitClass`), as
 * the Go SDK builds them.
 * @module
 */
import { redactText, redactValue } from "../observability/redaction.ts";
import { findStructuredErrorProvider } from "./bubu-error.ts";
import { classifyError } from "./classify.ts";
import { serializeErrorDetails } from "./details.ts";
import { errorMessage } from "./error-chain.ts";
import { ExitCode, exitClassOverride } from "./exit.ts";
import { sanitizeErrorMessage } from "./sanitize.ts";
import {
  type ErrorType,
  type ExitClass,
  isErrorType,
  isExitClass,
  normalizeStructuredError,
  STRUCTURED_ERROR_VERSION,
  type StructuredErrorJson,
} from "./structured-error.ts";

/** `status.exitCode` and `status.exitClass` of a finished run. */
export interface StatusExitMetadata {
  readonly exitCode: number;
  readonly exitClass: ExitClass;
}

/**
 * The status exit metadata: timeout → 124/`retry`; success (`err` null/undefined) → 0/`success`;
 * failure → 1 and the provider's exit class (with `rateLimited` working), else `retryable`,
 * else `terminal`.
 */
export function statusExitMetadata(err: unknown, timedOut: boolean): StatusExitMetadata {
  if (timedOut) return { exitCode: ExitCode.Timeout, exitClass: "retry" };
  if (err === undefined || err === null) return { exitCode: ExitCode.Success, exitClass: "success" };
  return { exitCode: ExitCode.Failure, exitClass: exitClassOverride(err) ?? "terminal" };
}

/** The status values {@link buildStatusError} copies into the error. */
export interface StatusErrorContext {
  readonly timedOut: boolean;
  readonly exitCode: number;
  readonly exitClass: ExitClass;
}

/**
 * The `status.error` of a failed run; `undefined` when there is no error.
 *
 * 1. Base: `{version:"v1", type: classifyError(err), message: sanitize(message)}`.
 * 2. Merge the non-empty fields of the first provider in the chain.
 * 3. A timeout forces `type: "timeout"`.
 * 4. The message is sanitized again (as the Go SDK does, so an already redacted value gains a `]`).
 * 5. `exitCode` only when non-zero.
 * 6. `exitClass` is the status value, overwriting the provider's.
 * 7. `retryable`, if still unset, is `exitClass ∈ {retry, rateLimited}`.
 */
export function buildStatusError(err: unknown, status: StatusErrorContext): StructuredErrorJson | undefined {
  if (err === undefined || err === null) return undefined;
  // Step 1. classifyError already prefers a provider's valid type, which is exactly what the
  // merge in step 2 would do, so the result equals the Go SDK's substring-then-merge.
  let type: ErrorType = classifyError(err);
  let message = sanitizeErrorMessage(errorMessage(err));
  let retryable: boolean | undefined;
  let code: string | undefined;
  let details: Record<string, unknown> | undefined;

  // Step 2.
  const provided = findStructuredErrorProvider(err)?.structuredError();
  if (provided !== undefined) {
    // `version` stays "v1": it is the only version the CRD and this SDK know.
    // Go copies any non-empty type string; we keep only CRD values so the patch is not rejected.
    if (isErrorType(provided.type)) type = provided.type;
    if (typeof provided.message === "string" && provided.message !== "") message = provided.message;
    if (typeof provided.retryable === "boolean") retryable = provided.retryable;
    if (typeof provided.code === "string" && provided.code !== "") code = redactText(provided.code);
    // Go stores details as given; the run's secret values are taken out here (they would
    // otherwise reach the StepRun status and the local error output).
    if (provided.details !== undefined && provided.details !== null)
      details = redactValue(serializeErrorDetails(provided.details)) as Record<string, unknown> | undefined;
  }
  // Step 3.
  if (status.timedOut) type = "timeout";
  // Step 4.
  message = sanitizeErrorMessage(message);
  // Step 5.
  const exitCode = status.exitCode !== 0 ? status.exitCode : undefined;
  // Step 6.
  const exitClass = isExitClass(status.exitClass) ? status.exitClass : undefined;
  // Step 7.
  if (retryable === undefined && exitClass !== undefined) {
    retryable = exitClass === "retry" || exitClass === "rateLimited";
  }
  return normalizeStructuredError({
    version: STRUCTURED_ERROR_VERSION,
    type,
    message,
    retryable,
    exitCode,
    exitClass,
    code,
    details,
  });
}

/**
 * The structured error of `err` as a failed run would persist it, for printing in local mode.
 * `timedOut` gives the timeout form (124/`retry`/`timeout`).
 */
export function toStructuredJson(err: unknown, options: { readonly timedOut?: boolean } = {}): StructuredErrorJson {
  const timedOut = options.timedOut ?? false;
  const failure = err ?? new Error("engram failed");
  const meta = statusExitMetadata(failure, timedOut);
  return buildStatusError(failure, { timedOut, ...meta }) as StructuredErrorJson;
}
