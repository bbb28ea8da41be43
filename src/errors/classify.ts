/**
 * Error type classification: typed errors (a provider in the chain) first, the Go SDK's message
 * substring rules only for foreign errors (docs/go-differences.md, "Errors").
 * @module
 */
import { findStructuredErrorProvider } from "./bubu-error.ts";
import { errorMessage } from "./error-chain.ts";
import { type ErrorType, isErrorType } from "./structured-error.ts";

/**
 * The Go SDK's classification of an error text: case-sensitive substring tests, in order. The whole
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
 * `null`/`undefined` is `unknown`.
 */
export function classifyError(err: unknown): ErrorType {
  if (err === undefined || err === null) return "unknown";
  const provided = findStructuredErrorProvider(err)?.structuredError().type;
  if (isErrorType(provided)) return provided;
  return classifyErrorText(errorMessage(err));
}
