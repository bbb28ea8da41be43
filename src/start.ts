/**
 * `start`: the one process entry point for every kind of component. It runs a batch engram, a
 * streaming engram, an impulse, or a dual engram (batch or streaming by `BUBU_EXECUTION_MODE`),
 * then exits with the component's code.
 * @module
 */
import { startBatch } from "./batch/start-batch.ts";
import type { BatchEngram } from "./engram/batch-engram.ts";
import type { Stories, StoryRun } from "./engram/context.ts";
import type { DualEngram } from "./engram/dual-engram.ts";
import type { Impulse } from "./engram/impulse.ts";
import type { StreamingEngram } from "./engram/streaming-engram.ts";
import { executionMode, isBatchExecutionMode, isClusterMode } from "./env/namespace.ts";
import { MissingPackageError, rethrowMissing, STREAMING_PACKAGES } from "./errors/missing-package.ts";
import type { TriggeredStory } from "./impulse/local-stories.ts";
import { createLogger, type Logger } from "./observability/logger.ts";
import { type ProcessOptions, readProcessEnv } from "./process/process-run.ts";
import type { Runtime } from "./runtime/types.ts";
import type { RunnableStreaming } from "./streaming/start-streaming.ts";

/** Anything `define*` makes. */
export type Component =
  | BatchEngram<never, never, unknown>
  | StreamingEngram<never>
  | Impulse<never>
  | DualEngram<never, never, unknown>;

/** Options of {@link start}; all optional. */
export interface StartOptions extends ProcessOptions {
  /** Streaming, locally: where messages are read from (default stdin). */
  readonly stdin?: AsyncIterable<Uint8Array>;
  /** Streaming and the batch bridge: a PEM CA trusted for a TLS connector endpoint. */
  readonly connectorCa?: string;
  /** Impulses: where `ctx.stories` goes (default the cluster in a pod, the local sink on a laptop). */
  readonly stories?: Stories;
  /**
   * Impulses on a laptop: run each triggered Story (`storyRunnerHook` from `@bubustack/sdk/story`)
   * instead of only printing it.
   */
  readonly runStory?: (triggered: TriggeredStory) => Promise<StoryRun | void>;
}

/** How the run ended (returned when `exit: false`). */
export interface Outcome {
  readonly kind: "batch" | "streaming" | "impulse";
  /** 0 success, 1 failure, 124 timeout, 143 SIGTERM, 130 SIGINT (a streaming engram drains and exits 0). */
  readonly exitCode: number;
  /** Why it failed. */
  readonly error?: unknown;
  /** A batch step's output, as written to the StepRun. */
  readonly output?: Readonly<Record<string, unknown>>;
}

/** Operator modes plus the batch aliases; anything else runs as streaming with a warning. */
const KNOWN_MODES: ReadonlySet<string> = new Set(["", "job", "batch", "hybrid", "realtime"]);

/** Which lifecycle a dual engram runs for a normalized `BUBU_EXECUTION_MODE`. */
export function executionTarget(mode: string): "batch" | "streaming" {
  return isBatchExecutionMode(mode) ? "batch" : "streaming";
}

/** Whether `mode` is one the operator sends (anything else runs as streaming, with a warning). */
export function isKnownExecutionMode(mode: string): boolean {
  return KNOWN_MODES.has(mode);
}

/**
 * Runs `component` as this process and exits with its code (unless `exit: false`).
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { defineBatch, start } from "@bubustack/sdk";
 *
 * const hello = defineBatch({
 *   inputs: v.object({ name: v.string() }),
 *   process: (ctx, { name }) => ({ message: `Hello, ${name}!` }),
 * });
 * if (import.meta.main) await start(hello);
 * ```
 *
 * @remarks A dual engram runs as batch for `BUBU_EXECUTION_MODE` unset, `batch`, `job` and the
 * operator's `hybrid` (the Go SDK sends `hybrid` to streaming), and as streaming for `realtime`.
 */
export async function start(component: Component, options: StartOptions = {}): Promise<Outcome> {
  switch (component.kind) {
    case "batch":
      return batchOutcome(await startBatch(component as BatchEngram<unknown, unknown, unknown>, options));
    case "streaming":
      return await streaming(component as StreamingEngram<unknown>, options);
    case "impulse": {
      const { runImpulse } = await import("./impulse/run-impulse.ts");
      const out = await runImpulse(component as Impulse<unknown>, options);
      return { kind: "impulse", exitCode: out.exitCode, ...(out.error !== undefined ? { error: out.error } : {}) };
    }
    case "dual": {
      const env = readProcessEnv(options.runtime ?? (await import("./runtime/detect.ts")).detectRuntime(), options);
      const mode = executionMode(env);
      const dual = component as DualEngram<unknown, unknown, unknown>;
      if (executionTarget(mode) === "batch") return batchOutcome(await startBatch(dual, { ...options, env }));
      if (!isKnownExecutionMode(mode)) await warnUnknownMode(mode, env, options);
      return await streaming(dual, { ...options, env });
    }
    default:
      throw new TypeError(
        "start() needs a component made by defineBatch, defineStreaming, defineImpulse or defineDual",
      );
  }
}

function batchOutcome(out: Awaited<ReturnType<typeof startBatch>>): Outcome {
  const error = out.end.kind === "success" ? (out.statusError ?? undefined) : out.end.error;
  return {
    kind: "batch",
    exitCode: out.exitCode,
    ...(error !== undefined ? { error } : {}),
    ...(out.output !== undefined ? { output: out.output } : {}),
  };
}

async function streaming(engram: RunnableStreaming<unknown>, options: StartOptions): Promise<Outcome> {
  // Loaded only here: a batch run (and `import "@bubustack/sdk"`) never pays for gRPC.
  let startStreaming: typeof import("./streaming/start-streaming.ts").startStreaming;
  try {
    ({ startStreaming } = await import("./streaming/start-streaming.ts").catch(
      rethrowMissing(STREAMING_PACKAGES, "a streaming engram"),
    ));
  } catch (err) {
    if (!(err instanceof MissingPackageError)) throw err;
    // What to install, as a log line like any other failure; the module resolver's stack adds nothing.
    const rt = options.runtime ?? (await import("./runtime/detect.ts")).detectRuntime();
    const env = readProcessEnv(rt, options);
    (options.logger ?? placeLogger(env, rt)).error("streaming engram failed", { error: err.message, exitCode: 1 });
    if (options.exit !== false) rt.exit(1);
    return { kind: "streaming", exitCode: 1, error: err };
  }
  const out = await startStreaming(engram, options);
  return { kind: "streaming", exitCode: out.exitCode, ...(out.error !== undefined ? { error: out.error } : {}) };
}

async function warnUnknownMode(
  mode: string,
  env: Readonly<Record<string, string>>,
  options: StartOptions,
): Promise<void> {
  const logger =
    options.logger ?? placeLogger(env, options.runtime ?? (await import("./runtime/detect.ts")).detectRuntime());
  logger.warn("unknown BUBU_EXECUTION_MODE; running as a streaming engram", {
    mode,
    expected: "batch, job, hybrid or realtime",
  });
}

/** A logger where the lifecycles log: stdout in a pod, stderr on a laptop (stdout carries data there). */
function placeLogger(env: Readonly<Record<string, string>>, rt: Runtime): Logger {
  return createLogger({
    sink: isClusterMode(env) ? (l: string) => rt.writeStdout(l) : (l: string) => rt.writeStderr(l),
  });
}
