/**
 * `StreamHarness`: runs a streaming engram's `init` then `stream` in-process over a fixed list of
 * inputs, with real secret expansion and config decoding, and captures its outputs plus what it
 * emitted (signals, effects, logs). No connector, no receipts on the wire.
 * @module
 */
import type { StreamingEngram, StreamOutbound } from "../engram/streaming-engram.ts";
import type { InboundMessage, StreamMessage } from "../engram/streaming-message.ts";
import { isDroppable } from "../streaming/wire/from-data-response.ts";
import { scrubThrown } from "./scrub-thrown.ts";
import { type Captured, type HarnessOptions, type TestContext, testContext } from "./test-context.ts";

/** Options of a {@link StreamHarness}. */
export interface StreamHarnessOptions<C> extends HarnessOptions {
  /** What `defineStreaming` made (or any object with `stream`, optional `init` and `schemas`). */
  readonly engram: Pick<StreamingEngram<C>, "init" | "stream" | "secrets"> & {
    readonly schemas?: StreamingEngram<C>["schemas"];
  };
  /** Delivered to `stream` in order; the inbound iterable ends after the last one. */
  readonly inputs?: readonly StreamMessage[];
  /** Called with the original input the first time its `done()` is called. */
  readonly onInputProcessed?: (msg: StreamMessage) => void;
}

/** What a {@link StreamHarness} run produced. */
export interface StreamHarnessResult extends Captured {
  /** Every message `stream` sent, in order (empty when `init` or secret expansion failed). */
  readonly outputs: StreamMessage[];
  /** True when secret expansion, decoding, `init` or `stream` failed; `error` holds the reason. */
  readonly failed: boolean;
  readonly error: unknown;
}

const NOTHING: Captured = { signals: [], effects: [], logs: [], logLines: [] };

/**
 * Runs a streaming engram in a test.
 *
 * @example
 * ```ts
 * const run = await new StreamHarness({ engram, inputs: [{ kind: "data", payload }] }).run();
 * assert.equal(run.outputs.length, 1);
 * ```
 */
export class StreamHarness<C = Record<string, unknown>> {
  readonly options: StreamHarnessOptions<C>;

  constructor(options: StreamHarnessOptions<C>) {
    this.options = options;
  }

  /**
   * Calls `init(ctx)`, then `stream(ctx, inbound, outbound)` over the inputs, and collects the
   * outputs. Never rejects: a failure is reported in the result, with the outputs sent before it.
   */
  async run(): Promise<StreamHarnessResult> {
    const o = this.options;
    if (!o.engram) return { ...NOTHING, outputs: [], failed: true, error: new Error("engram is required") };
    let prepared: Awaited<ReturnType<typeof testContext<C>>>;
    try {
      prepared = await testContext<C>(o, o.engram.schemas?.config, o.engram.secrets);
    } catch (error) {
      return { ...NOTHING, outputs: [], failed: true, error };
    }
    const { ctx, captured, release } = prepared;
    try {
      return await this.#run(ctx, captured);
    } finally {
      release();
    }
  }

  async #run(ctx: TestContext<C>["ctx"], captured: Captured): Promise<StreamHarnessResult> {
    const o = this.options;
    const engram = o.engram!;
    try {
      await engram.init?.(ctx);
    } catch (error) {
      return { ...captured, outputs: [], failed: true, error: scrubThrown(error) };
    }

    const outputs: StreamMessage[] = [];
    let closed = false;
    const outbound: StreamOutbound = {
      send(msg: StreamMessage, sendSignal?: AbortSignal): Promise<void> {
        // A send after `stream` returned is a bug in the engram.
        if (closed) return Promise.reject(new Error("outbound is closed: stream already returned"));
        if (sendSignal?.aborted) return Promise.reject(sendSignal.reason);
        outputs.push(msg);
        return Promise.resolve();
      },
    };
    try {
      await engram.stream(ctx, closedInbound(o.inputs ?? [], o.onInputProcessed), outbound);
      return { ...captured, outputs, failed: false, error: undefined };
    } catch (thrown) {
      const error =
        thrown instanceof Error
          ? thrown
          : new Error(`engram stream threw a non-Error value: ${String(thrown)}`, { cause: thrown });
      return { ...captured, outputs, failed: true, error: scrubThrown(error) };
    } finally {
      closed = true;
    }
  }
}

/**
 * The inputs as a pre-filled, closed channel: one shared queue, so iterating twice (or breaking
 * and resuming) never delivers a message again. What a real run drops is left out.
 */
function closedInbound(
  inputs: readonly StreamMessage[],
  onInputProcessed: ((msg: StreamMessage) => void) | undefined,
): AsyncIterable<InboundMessage> {
  // Heartbeats, noops and empty messages never reach the engram in a real run.
  const queue: InboundMessage[] = inputs
    .filter((msg) => !isDroppable(msg))
    .map((msg) => {
      let called = false;
      const done = (): void => {
        if (called) return;
        called = true;
        onInputProcessed?.(msg);
      };
      return { ...msg, done };
    });
  const iterator: AsyncIterator<InboundMessage> = {
    next(): Promise<IteratorResult<InboundMessage>> {
      const value = queue.shift();
      return Promise.resolve(value === undefined ? { done: true, value: undefined } : { done: false, value });
    },
    return(): Promise<IteratorResult<InboundMessage>> {
      return Promise.resolve({ done: true, value: undefined });
    },
  };
  return { [Symbol.asyncIterator]: () => iterator };
}
