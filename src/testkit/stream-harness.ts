/**
 * `StreamHarness`: runs `init` then `stream` in-process over a fixed list of inputs, with real
 * secret expansion and nothing else — no connector, no validation of outputs, no receipts on the
 * wire (contract testkit.md "StreamHarness"). Config is decoded through the engram's valibot
 * schema as `startStreaming` does (`decode: false` passes it untouched, as Go).
 * @module
 */
import type { StreamingEngram, StreamOutbound } from "../engram/streaming-engram.ts";
import type { InboundMessage, StreamMessage } from "../engram/streaming-message.ts";
import { expandSecrets } from "../engram/secret-expansion.ts";
import type { StoryInfo } from "../engram/story-info.ts";
import type { TemplateContext } from "../engram/execution-context.ts";
import type { RuntimeFs } from "../runtime/types.ts";
import { detectRuntime } from "../runtime/detect.ts";
import { decodePayload } from "../batch/decode.ts";

/** Fields of a {@link StreamHarness} (Go's `testkit.StreamHarness`). */
export interface StreamHarnessOptions<C> {
  readonly engram: StreamingEngram<C>;
  /** Config as it arrives (JSON); decoded through `engram.schemas.config`. Default `{}`. */
  readonly config?: C | Readonly<Record<string, unknown>>;
  /** Decode the config through the engram's schema (default true); a violation fails the run. */
  readonly decode?: boolean;
  /** Delivered to `stream` in order; the inbound iterable ends after the last one. */
  readonly inputs?: readonly StreamMessage[];
  /** Secret descriptors by logical name: literal values, `env:PREFIX` or `file:/path`. */
  readonly secrets?: Readonly<Record<string, string>>;
  /** Accepted for parity with Go; `stream` receives no execution context, so it is unused. */
  readonly storyInfo?: StoryInfo;
  /** Accepted for parity with Go; unused for the same reason. */
  readonly templateContext?: TemplateContext;
  /** Called with the original input the first time its `done()` is called. */
  readonly onInputProcessed?: (msg: StreamMessage) => void;
  /** Passed to `init` and `stream`; default: never aborted. */
  readonly signal?: AbortSignal;
  /** Environment for `env:` descriptors; default: the process environment. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** File system for `file:` descriptors; default: the runtime's. */
  readonly fs?: RuntimeFs;
}

/** What a {@link StreamHarness} run produced. */
export interface StreamHarnessResult {
  /** Every message `stream` sent, in order (empty when `init` or secret expansion failed). */
  readonly outputs: StreamMessage[];
  /** True when secret expansion, `init` or `stream` failed; `error` then holds the reason. */
  readonly failed: boolean;
  /**
   * `failed to expand secrets: …`, `engram is nil`, `init`'s or `stream`'s thrown value
   * unwrapped, or `engram stream panicked: …` when `stream` threw something that is not an Error.
   */
  readonly error: unknown;
}

/** Runs a streaming engram the way the Go testkit does. */
export class StreamHarness<C = Record<string, unknown>> {
  readonly options: StreamHarnessOptions<C>;

  constructor(options: StreamHarnessOptions<C>) {
    this.options = options;
  }

  /**
   * Expands secrets, calls `init(config, secrets, signal)`, then `stream` over the inputs and
   * collects its outputs. Never rejects: failures are reported in the result, alongside the
   * outputs sent before them.
   */
  async run(): Promise<StreamHarnessResult> {
    const o = this.options;
    if (!o.engram) return { outputs: [], failed: true, error: new Error("engram is nil") };
    const signal = o.signal ?? new AbortController().signal;
    try {
      const runtime = o.env && o.fs ? undefined : detectRuntime();
      const expanded = await expandSecrets(o.secrets ?? {}, {
        env: o.env ?? (runtime as NonNullable<typeof runtime>).envAll(),
        fs: o.fs ?? (runtime as NonNullable<typeof runtime>).fs,
        signal,
      });
      if (expanded.error) {
        const error = new Error(`failed to expand secrets: ${expanded.error.message}`, { cause: expanded.error });
        return { outputs: [], failed: true, error };
      }
      const config = o.decode === false ? o.config : decodePayload("config", o.engram.schemas?.config, o.config ?? {}, false);
      await o.engram.init?.(config as C, expanded.secrets, signal);
    } catch (error) {
      return { outputs: [], failed: true, error };
    }

    const outputs: StreamMessage[] = [];
    let closed = false;
    const outbound: StreamOutbound = {
      send(msg: StreamMessage, sendSignal?: AbortSignal): Promise<void> {
        // Go writes to a plain channel: no validation, and a send after `stream` returned is a bug.
        if (closed) return Promise.reject(new Error("outbound is closed: stream already returned"));
        if (sendSignal?.aborted) return Promise.reject(sendSignal.reason);
        outputs.push(msg);
        return Promise.resolve();
      },
    };
    try {
      await o.engram.stream(signal, closedInbound(o.inputs ?? [], o.onInputProcessed), outbound);
      return { outputs, failed: false, error: undefined };
    } catch (thrown) {
      // A thrown Error is Go's returned error; anything else stands in for a panic.
      const error = thrown instanceof Error ? thrown : new Error(`engram stream panicked: ${String(thrown)}`, { cause: thrown });
      return { outputs, failed: true, error };
    } finally {
      closed = true;
    }
  }
}

/**
 * The inputs as a pre-filled, closed channel: one shared queue, so iterating twice (or breaking
 * and resuming) never delivers a message again.
 */
function closedInbound(
  inputs: readonly StreamMessage[],
  onInputProcessed: ((msg: StreamMessage) => void) | undefined,
): AsyncIterable<InboundMessage> {
  const queue: InboundMessage[] = inputs.map((msg) => {
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
