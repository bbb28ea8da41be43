/**
 * `start`: the entry point of a {@link DualEngram}. It runs the batch lifecycle or the streaming
 * lifecycle depending on `BUBU_EXECUTION_MODE` (contract batch.md §1).
 *
 * Routing (quirks A6, option b): `""`, `job`, `batch` **and `hybrid`** run batch — `hybrid` is
 * the operator's batch-with-bridge mode, which Go wrongly sends to streaming; `realtime` and any
 * other value run streaming, an unknown value with a warning.
 * @module
 */
import type { DualEngram } from "../engram/dual-engram.ts";
import { parseDebugFlag } from "../env/flags.ts";
import { executionMode, isBatchExecutionMode, isClusterMode } from "../env/namespace.ts";
import { createLogger, type Logger } from "../observability/logger.ts";
import { detectRuntime } from "../runtime/detect.ts";
import type { StartStreamingOptions, StreamingOutcome } from "../streaming/start-streaming.ts";
import type { BatchOutcome } from "./run-batch.ts";
import { startBatch, type StartBatchOptions } from "./start-batch.ts";

/** Which lifecycle a mode runs. */
export type ExecutionTarget = "batch" | "streaming";

/** Modes the operator sends, plus Go's batch aliases. */
const KNOWN_MODES: ReadonlySet<string> = new Set(["", "job", "batch", "hybrid", "realtime"]);

/**
 * The lifecycle for an execution mode as returned by `executionMode()` (trimmed, lower-cased):
 * `""`, `job`, `batch`, `hybrid` → batch; everything else → streaming.
 */
export function executionTarget(mode: string): ExecutionTarget {
  return isBatchExecutionMode(mode) ? "batch" : "streaming";
}

/** Whether `mode` is one the operator or Go defines (anything else is routed with a warning). */
export function isKnownExecutionMode(mode: string): boolean {
  return KNOWN_MODES.has(mode);
}

/** Options of {@link start}: those of `startBatch` and `startStreaming`. */
export interface StartOptions extends StartBatchOptions, StartStreamingOptions {}

/** What {@link start} ran and how it ended. */
export type StartOutcome =
  | { readonly target: "batch"; readonly mode: string; readonly outcome: BatchOutcome }
  | { readonly target: "streaming"; readonly mode: string; readonly outcome: StreamingOutcome };

/**
 * Runs `engram` as a batch or a streaming engram according to `BUBU_EXECUTION_MODE` (default
 * `batch`), then exits the process like `startBatch`/`startStreaming` do (unless `exit: false`).
 *
 * @example
 * ```ts
 * await start({
 *   process: (_ctx, inputs) => ({ echoed: inputs }),
 *   async stream(_signal, inbound, outbound) {
 *     for await (const msg of inbound) {
 *       await outbound.send({ kind: msg.kind, payload: msg.payload });
 *       msg.done();
 *     }
 *   },
 * });
 * ```
 */
export async function start<C, I, O>(engram: DualEngram<C, I, O>, options: StartOptions = {}): Promise<StartOutcome> {
  const rt = options.runtime ?? detectRuntime();
  const env = options.env ?? rt.envAll();
  const mode = executionMode(env);
  const target = executionTarget(mode);
  if (!isKnownExecutionMode(mode)) {
    const logger = options.logger ?? defaultLogger(env, rt.writeStdout.bind(rt), rt.writeStderr.bind(rt));
    logger.warn("unknown BUBU_EXECUTION_MODE; running as a streaming engram", { mode, expected: "batch, job, hybrid or realtime" });
  }
  const resolved: StartOptions = { ...options, runtime: rt, env };
  if (target === "batch") return { target, mode, outcome: await startBatch(engram, resolved) };
  // Loaded only here: a batch run (and `import "@bubustack/sdk"`) never pays for gRPC.
  const { startStreaming } = await import("../streaming/start-streaming.ts");
  return { target, mode, outcome: await startStreaming(engram, resolved) };
}

/** The logger the lifecycles would create: stdout in a pod, stderr locally (stdout is data there). */
function defaultLogger(
  env: Readonly<Record<string, string>>,
  stdout: (line: string) => void,
  stderr: (line: string) => void,
): Logger {
  return createLogger({ sink: isClusterMode(env) ? stdout : stderr, level: parseDebugFlag(env.BUBU_DEBUG) ? "DEBUG" : "INFO" });
}
