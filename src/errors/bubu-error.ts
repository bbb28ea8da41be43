/**
 * `BubuError`: an error that carries its own classification, and the provider interface the
 * status writer looks for in an error's chain.
 * @module
 */
import { redactText, redactValue } from "../observability/redaction.ts";
import { serializeErrorDetails } from "./details.ts";
import { findInErrorChain } from "./error-chain.ts";
import { sanitizeErrorMessage } from "./sanitize.ts";
import {
  type ErrorType,
  type ExitClass,
  normalizeStructuredError,
  STRUCTURED_ERROR_VERSION,
  type StructuredErrorFields,
  type StructuredErrorJson,
} from "./structured-error.ts";

/**
 * Any value with a `structuredError()` method supplies the fields of `StepRun.status.error`.
 * Empty or absent fields leave the SDK's own values in place.
 */
export interface StructuredErrorProvider {
  structuredError(): StructuredErrorFields;
}

/** True when `value` itself (not its causes) is a {@link StructuredErrorProvider}. */
export function isStructuredErrorProvider(value: unknown): value is StructuredErrorProvider {
  return (
    (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    typeof (value as { structuredError?: unknown }).structuredError === "function"
  );
}

/**
 * The first {@link StructuredErrorProvider} in `err`'s chain (`err` itself, `AggregateError`
 * members, `cause`); `undefined` if there is none.
 */
export function findStructuredErrorProvider(err: unknown): StructuredErrorProvider | undefined {
  return findInErrorChain(err, (value) => (isStructuredErrorProvider(value) ? value : undefined));
}

/**
 * Options of {@link BubuError}.
 *
 * @remarks The Go SDK's `WithStructuredError…` options.
 */
export interface BubuErrorOptions {
  /** Marks the error retryable (`retry`) or not (`terminal`) when no `exitClass` is given. */
  readonly retryable?: boolean;
  /** The exit class to report; wins over `retryable` for `status.exitClass`. */
  readonly exitClass?: ExitClass;
  /** A component-specific error code. */
  readonly code?: string;
  /** Diagnostic data; must be JSON. Unserializable details are replaced by a summary. */
  readonly details?: Record<string, unknown>;
  /** The underlying error, kept as the standard `cause`. */
  readonly cause?: unknown;
}

/**
 * An error with an explicit type and classification. Throw it (or wrap it as a `cause`) from an
 * engram to control `StepRun.status.error` instead of relying on message substrings.
 *
 * Its `message` is the given message, else the cause's message, else `"engram failed"`;
 * persisted and serialized forms ({@link BubuError.toJSON}) are sanitized.
 *
 * @remarks The Go SDK's `NewStructuredError`; the `StepRun.status.error` it produces is the same.
 */
export class BubuError extends Error implements StructuredErrorProvider {
  /** The structured error type. */
  readonly type: ErrorType;
  /** The message as given (may be empty, in which case the SDK's message is kept). */
  readonly structuredMessage: string;
  readonly retryable: boolean | undefined;
  readonly exitClass: ExitClass | undefined;
  readonly code: string | undefined;
  /** JSON-clean details (or the unserializable summary). */
  readonly details: Record<string, unknown> | undefined;

  constructor(type: ErrorType, message: string, options: BubuErrorOptions = {}) {
    const cause = options.cause;
    const text = message || (cause instanceof Error ? cause.message : cause !== undefined ? String(cause) : "");
    super(text || "engram failed", cause === undefined ? undefined : { cause });
    this.name = "BubuError";
    this.type = type;
    this.structuredMessage = message;
    this.retryable = options.retryable;
    this.exitClass = options.exitClass;
    this.code = options.code;
    this.details = serializeErrorDetails(options.details);
  }

  /**
   * The provider payload: the fields as given (message unsanitized; the status builder
   * sanitizes), keys in the wire order.
   */
  structuredError(): StructuredErrorJson {
    return normalizeStructuredError({
      version: STRUCTURED_ERROR_VERSION,
      type: this.type,
      message: this.structuredMessage,
      retryable: this.retryable,
      exitClass: this.exitClass,
      code: this.code,
      details: this.details === undefined ? undefined : structuredClone(this.details),
    });
  }

  /** The sanitized structured error, so `JSON.stringify(err)` never prints a raw secret. */
  toJSON(): StructuredErrorJson {
    const json = this.structuredError();
    json.message = sanitizeErrorMessage(this.message);
    if (json.code !== undefined) json.code = redactText(json.code);
    if (json.details !== undefined) json.details = redactValue(json.details) as Record<string, unknown>;
    return json;
  }
}

/** A `validation_error`, not retryable unless told; `path` (e.g. `inputs.name`) goes to details. */
export function validationError(
  message: string,
  options: BubuErrorOptions & { readonly path?: string } = {},
): BubuError {
  const { path, ...rest } = options;
  const details = path === undefined ? rest.details : { ...rest.details, path };
  return new BubuError("validation_error", message, { retryable: false, ...rest, details });
}

/** A `timeout` error, retryable (`retry`) unless told otherwise. */
export function timeoutError(message: string, options: BubuErrorOptions = {}): BubuError {
  return new BubuError("timeout", message, { retryable: true, ...options });
}

/** A `storage_error`, retryable unless told otherwise (storage backends fail transiently). */
export function storageError(message: string, options: BubuErrorOptions = {}): BubuError {
  return new BubuError("storage_error", message, { retryable: true, ...options });
}

/** A `serialization_error`, not retryable unless told otherwise. */
export function serializationError(message: string, options: BubuErrorOptions = {}): BubuError {
  return new BubuError("serialization_error", message, { retryable: false, ...options });
}

/** An `initialization_error`, not retryable unless told otherwise. */
export function initializationError(message: string, options: BubuErrorOptions = {}): BubuError {
  return new BubuError("initialization_error", message, { retryable: false, ...options });
}

/** An `execution_error` with whatever classification the options give (none by default). */
export function executionError(message: string, options: BubuErrorOptions = {}): BubuError {
  return new BubuError("execution_error", message, options);
}

/** An `execution_error` with exit class `rateLimited` (retryable, with backoff). */
export function rateLimitedError(message: string, options: BubuErrorOptions = {}): BubuError {
  return new BubuError("execution_error", message, { retryable: true, exitClass: "rateLimited", ...options });
}

/** An `execution_error` that must not be retried (`terminal`). */
export function terminalError(message: string, options: BubuErrorOptions = {}): BubuError {
  return new BubuError("execution_error", message, { retryable: false, exitClass: "terminal", ...options });
}

/** An `execution_error` that should be retried (`retry`). */
export function retryableError(message: string, options: BubuErrorOptions = {}): BubuError {
  return new BubuError("execution_error", message, { retryable: true, exitClass: "retry", ...options });
}
