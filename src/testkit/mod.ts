/**
 * Test helpers for engram authors: run an engram in-process, validate structured errors.
 * @module
 */
export { BatchHarness, type BatchHarnessOptions } from "./batch-harness.ts";
export { requireStructuredError, validateStructuredError } from "./validators.ts";
