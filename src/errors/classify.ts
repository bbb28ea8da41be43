/**
 * Error type classification (contract errors.md `classifyError`, DESIGN.md "Error
 * classification": typed errors first, Go's substring rules only for foreign errors).
 * @module
 */
import { findStructuredErrorProvider } from "./bubu-error.ts";
import { errorMessage } from "./error-chain.ts";
import { type ErrorType, isErrorType } from "./structured-error.ts";

/**
 * Go's `classifyError` on an error text: case-sensitive substring tests, in order. The whole
 * text (wrapper plus cause) is searched, so a cause can change the class.
 */
export function classifyErrorText(text: string): ErrorType {
  if (text.includes("dehydrat") || text.includes("storage")) return "storage_error";
  if (text.includes("unmarshal") || text.includes("marshal")) return "serialization_error";
  if (text.includes("schema") || text.includes("validation")) return "validation_error";
  if (text.includes("initialization") || text.includes("Init")) return "initialization_error";
  return "execution_error";
}

/**
 * The structured type of `err`: the `type` of the first {@link StructuredErrorProvider} in its
 * chain when that is a valid type, otherwise {@link classifyErrorText} of its message.
 * `null`/`undefined` is `unknown`, as in Go.
 */
export function classifyError(err: unknown): ErrorType {
  if (err === undefined || err === null) return "unknown";
  const provided = findStructuredErrorProvider(err)?.structuredError().type;
  if (isErrorType(provided)) return provided;
  return classifyErrorText(errorMessage(err));
}
