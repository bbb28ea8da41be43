/**
 * Test helpers for engram authors: run an engram in-process, validate structured errors and
 * stream messages.
 * @module
 */
export { BatchHarness, type BatchHarnessOptions } from "./batch-harness.ts";
export { StreamHarness, type StreamHarnessOptions, type StreamHarnessResult } from "./stream-harness.ts";
export {
  requireStreamErrorMessage,
  requireStreamMessage,
  requireStructuredError,
  validateStreamErrorMessage,
  validateStreamMessage,
  validateStructuredError,
} from "./validators.ts";
