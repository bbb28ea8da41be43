/**
 * The error of an EngramTemplate schema lookup that failed, in a module of its own: the lookup
 * runs in every cluster batch run, the validator (and its JSON Schema library) only when the
 * template has a schema.
 * @module
 */
import { BubuError } from "../errors/bubu-error.ts";

/** Which payload a template schema checks. */
export type SchemaPayloadKind = "input" | "output";

/**
 * The `execution_error` (retryable, exit class `retry`) for a failed schema lookup:
 * `input schema resolution failed: <cause>` / `output schema resolution failed: <cause>`.
 * (A 403 is not an error: the caller skips validation.)
 */
export function schemaResolutionError(kind: SchemaPayloadKind, cause: unknown): BubuError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new BubuError("execution_error", `${kind} schema resolution failed: ${reason}`, {
    retryable: true,
    exitClass: "retry",
    cause,
  });
}
