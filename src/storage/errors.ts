/**
 * `StorageError`: every storage failure the SDK raises, classified `storage_error` whatever its
 * text says.
 * @module
 */
import { BubuError } from "../errors/bubu-error.ts";

/** Options of {@link StorageError}. */
export interface StorageErrorOptions {
  readonly cause?: unknown;
  /** A short machine-readable reason, e.g. `NoSuchKey`, `AccessDenied`, `disabled`. */
  readonly code?: string;
  /** The HTTP status of the failed backend request, when there was one. */
  readonly status?: number;
}

/**
 * A storage failure: `storage_error`, exit class `terminal`.
 *
 * @remarks The Go SDK reports storage failures with the same type and class.
 */
export class StorageError extends BubuError {
  /** The HTTP status of the backend answer, when the failure was one. */
  readonly status: number | undefined;
  constructor(message: string, options: StorageErrorOptions = {}) {
    super("storage_error", message, { retryable: false, code: options.code, cause: options.cause });
    this.name = "StorageError";
    this.status = options.status;
  }
}

/** The message of `err` (or its string form). */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Hydration met a value deeper than `BUBU_MAX_RECURSION_DEPTH`. A `validation_error`: the
 * payload's shape is at fault, and retrying cannot help.
 *
 * @remarks The text is the Go SDK's; it reports it without a type, which its classifier makes an
 * `execution_error` (also terminal).
 */
export function maxDepthError(limit: number): BubuError {
  return new BubuError("validation_error", `maximum recursion depth (${limit}) exceeded during hydration`, {
    retryable: false,
    code: "MaxDepth",
  });
}
