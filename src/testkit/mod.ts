/**
 * Testing engrams and impulses: harnesses that run a component in-process and capture what it
 * did (outputs, signals, effects, logs, triggered Stories), conformance suites that check the
 * runtime contract, and validators for structured errors and stream messages. Works under
 * `bun test`, `deno test` and `node --test`.
 *
 * @example
 * ```ts
 * import { BatchHarness } from "@bubustack/sdk/testkit";
 *
 * const run = await new BatchHarness({ engram, inputs: { name: "Ada" } }).run();
 * assert.deepEqual(run.output, { message: "Hello, Ada!" });
 * ```
 * @module
 */

export { type EffectStore, memoryEffectStore } from "../context/effect-store.ts";
export type { RecordedLog, RecordedSignal } from "../context/recording-capabilities.ts";
export type { StoppedStory, TriggeredStory } from "../impulse/local-stories.ts";
export { BatchHarness, type BatchHarnessOptions, type BatchRun } from "./batch-harness.ts";
export { BatchSuite, type BatchSuiteOptions } from "./batch-suite.ts";
export { ImpulseHarness, type ImpulseHarnessOptions, type ImpulseRun, type RunningImpulse } from "./impulse-harness.ts";
export { StreamHarness, type StreamHarnessOptions, type StreamHarnessResult } from "./stream-harness.ts";
export { StreamSuite, type StreamSuiteOptions } from "./stream-suite.ts";
export type { Captured, HarnessOptions } from "./test-context.ts";
export {
  requireStreamErrorMessage,
  requireStreamMessage,
  requireStructuredError,
  validateStreamErrorMessage,
  validateStreamMessage,
  validateStructuredError,
} from "./validators.ts";
