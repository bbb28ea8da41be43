/**
 * The v1 structured error written to `StepRun.status.error`.
 * @module
 */

/** The only structured-error version on the wire. */
export const STRUCTURED_ERROR_VERSION = "v1";

/** Error types accepted by the CRD (`status.error.type`). */
export const ErrorType: {
  readonly Timeout: "timeout";
  readonly Storage: "storage_error";
  readonly Serialization: "serialization_error";
  readonly Validation: "validation_error";
  readonly Initialization: "initialization_error";
  readonly Execution: "execution_error";
  readonly Unknown: "unknown";
} = Object.freeze({
  Timeout: "timeout",
  Storage: "storage_error",
  Serialization: "serialization_error",
  Validation: "validation_error",
  Initialization: "initialization_error",
  Execution: "execution_error",
  Unknown: "unknown",
});

/** One of the wire values of {@link ErrorType}. */
export type ErrorType = (typeof ErrorType)[keyof typeof ErrorType];

/**
 * Exit classes (`status.exitClass`, `status.error.exitClass`). `unknown` is allowed by the CRD
 * and the Go SDK, though BubuStack's published website schema omits it.
 */
export const ExitClass: {
  readonly Success: "success";
  readonly Retry: "retry";
  readonly Terminal: "terminal";
  readonly RateLimited: "rateLimited";
  readonly Unknown: "unknown";
} = Object.freeze({
  Success: "success",
  Retry: "retry",
  Terminal: "terminal",
  RateLimited: "rateLimited",
  Unknown: "unknown",
});

/** One of the wire values of {@link ExitClass}. */
export type ExitClass = (typeof ExitClass)[keyof typeof ExitClass];

const errorTypes: ReadonlySet<string> = new Set(Object.values(ErrorType));
const exitClasses: ReadonlySet<string> = new Set(Object.values(ExitClass));

/** True when `value` is exactly one of the {@link ErrorType} wire values. */
export function isErrorType(value: unknown): value is ErrorType {
  return typeof value === "string" && errorTypes.has(value);
}

/** True when `value` is exactly one of the {@link ExitClass} wire values. */
export function isExitClass(value: unknown): value is ExitClass {
  return typeof value === "string" && exitClasses.has(value);
}

/**
 * `runsv1alpha1.StructuredError` as JSON. Build instances with {@link normalizeStructuredError}
 * so that the keys come in the wire order and empty optional fields are left out.
 */
export interface StructuredErrorJson {
  version: "v1";
  type: ErrorType;
  message: string;
  retryable?: boolean;
  exitCode?: number;
  exitClass?: ExitClass;
  code?: string;
  details?: Record<string, unknown>;
}

/**
 * What a {@link StructuredErrorProvider} may return. Empty strings and absent fields mean "not
 * set"; `type` and `exitClass` are plain strings because foreign providers are not type-checked.
 */
export interface StructuredErrorFields {
  version?: string;
  type?: string;
  message?: string;
  retryable?: boolean;
  exitCode?: number;
  exitClass?: string;
  code?: string;
  details?: Record<string, unknown>;
}

/**
 * Returns a new object with the keys in the wire order (version, type, message, retryable,
 * exitCode, exitClass, code, details) and empty fields left out: `retryable`/`exitCode` only
 * when set, `exitClass`/`code` only when non-empty, `details` only when present.
 */
export function normalizeStructuredError(fields: {
  readonly version: "v1";
  readonly type: ErrorType;
  readonly message: string;
  readonly retryable?: boolean | undefined;
  readonly exitCode?: number | undefined;
  readonly exitClass?: ExitClass | undefined;
  readonly code?: string | undefined;
  readonly details?: Record<string, unknown> | undefined;
}): StructuredErrorJson {
  const out: StructuredErrorJson = { version: fields.version, type: fields.type, message: fields.message };
  if (typeof fields.retryable === "boolean") out.retryable = fields.retryable;
  if (typeof fields.exitCode === "number") out.exitCode = fields.exitCode;
  if (fields.exitClass) out.exitClass = fields.exitClass;
  if (fields.code) out.code = fields.code;
  if (fields.details !== undefined) out.details = fields.details;
  return out;
}
