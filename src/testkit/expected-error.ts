/**
 * The error-path checks shared by the batch and stream suites: the structured error (when
 * required) and the author's `validateError`.
 * @module
 */
import { findStructuredErrorProvider } from "../errors/bubu-error.ts";
import { validateStructuredError } from "../testkit/validators.ts";

/** Throws `expected structured error, got …`, `invalid structured error: …` or `error validation failed: …`. */
export async function checkExpectedError(
  err: unknown,
  requireStructuredError: boolean | undefined,
  validateError: ((error: unknown) => void | Promise<void>) | undefined,
): Promise<void> {
  if (requireStructuredError) {
    const provider = findStructuredErrorProvider(err);
    if (!provider) throw new Error(`expected structured error, got ${errorMessage(err)}`, { cause: err });
    const invalid = validateStructuredError(completeFields(provider.structuredError()));
    if (invalid) throw new Error(`invalid structured error: ${invalid.message}`, { cause: err });
  }
  if (validateError) {
    try {
      await validateError(err);
    } catch (e) {
      throw new Error(`error validation failed: ${errorMessage(e)}`, { cause: e });
    }
  }
}

/** A provider may leave `version` empty; the SDK fills it in when it builds the status. */
function completeFields(fields: object): object {
  const f = fields as Record<string, unknown>;
  return { ...f, version: f.version || "v1" };
}

/** The message of a thrown value. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
