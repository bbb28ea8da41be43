/**
 * Structured errors, classification, sanitization and exit codes.
 * @module
 */

export {
  BubuError,
  type BubuErrorOptions,
  executionError,
  findStructuredErrorProvider,
  initializationError,
  isStructuredErrorProvider,
  rateLimitedError,
  retryableError,
  type StructuredErrorProvider,
  serializationError,
  storageError,
  terminalError,
  timeoutError,
  validationError,
} from "./bubu-error.ts";
export {
  buildStatusError,
  type StatusErrorContext,
  type StatusExitMetadata,
  statusExitMetadata,
  toStructuredJson,
} from "./build-status-error.ts";
export { classifyError, classifyErrorText } from "./classify.ts";
export { serializeErrorDetails } from "./details.ts";
export { errorMessage, findInErrorChain } from "./error-chain.ts";
export { classifyExitCode, ExitCode, exitClassFor, exitClassOverride, parseExitClass } from "./exit.ts";
export { MAX_ERROR_MESSAGE_BYTES, sanitizeErrorMessage, truncateUtf8 } from "./sanitize.ts";
export {
  ErrorType,
  ExitClass,
  isErrorType,
  isExitClass,
  normalizeStructuredError,
  STRUCTURED_ERROR_VERSION,
  type StructuredErrorFields,
  type StructuredErrorJson,
} from "./structured-error.ts";
