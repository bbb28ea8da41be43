/**
 * An engram that can run as a batch step and as a streaming step (Go's `DualEngram[C, I]`),
 * for `start`'s dispatch on `BUBU_EXECUTION_MODE`.
 * @module
 */
import type { BatchEngram } from "./batch-engram.ts";
import type { StreamingEngram } from "./streaming-engram.ts";

/**
 * Both contracts at once: `init` is shared, `process` serves batch runs and `stream` serves
 * streaming runs.
 */
export type DualEngram<C = Record<string, unknown>, I = Record<string, unknown>, O = unknown> =
  & BatchEngram<C, I, O>
  & StreamingEngram<C>;
