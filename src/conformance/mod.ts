/**
 * Conformance suites: assert that an engram honours the runtime contract.
 * @module
 */
export { BatchSuite, type BatchSuiteOptions } from "./batch-suite.ts";
export { StreamSuite, type StreamSuiteOptions } from "./stream-suite.ts";
