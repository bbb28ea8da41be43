/**
 * Reads the events of a watch response body (newline-delimited JSON) as they arrive.
 * @module
 */

import { KubernetesError } from "./errors.ts";
import { LineSplitter, LineTooLongError } from "./line-splitter.ts";
import { parseWatchEvent, type WatchEvent } from "./watch-event.ts";

/** What {@link readWatchEvents} needs besides the body. */
export interface WatchStreamContext {
  /** The watch URL, for errors. */
  readonly url: string;
  /** The caller's signal: once it aborts, the events end (no error) and the body is cancelled. */
  readonly signal: AbortSignal;
  /** Maps a failed read (a cut connection) to the client's transport error. */
  readonly failure: (err: unknown) => KubernetesError;
  /** Bound of one event line (default `DEFAULT_MAX_LINE_LENGTH`). */
  readonly maxLineLength?: number;
}

/**
 * The events of `body`, in order. Ends when the server ends the stream or `ctx.signal` aborts;
 * throws the {@link KubernetesError} of an `ERROR` event, of a cut connection, or of a line that
 * is not an event. However the consumer stops (break, throw, abort), the body is cancelled, which
 * closes the request.
 */
export async function* readWatchEvents<T>(
  body: ReadableStream<Uint8Array>,
  ctx: WatchStreamContext,
): AsyncGenerator<WatchEvent<T>, void, undefined> {
  const reader = body.getReader();
  const splitter = new LineSplitter(ctx.maxLineLength);
  // Cancelling the reader ends a pending read on every runtime, whether or not the fetch itself
  // watches the signal once the headers are in.
  const onAbort = (): void => {
    reader.cancel(ctx.signal.reason).catch(() => {});
  };
  ctx.signal.addEventListener("abort", onAbort, { once: true });
  try {
    while (!ctx.signal.aborted) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (err) {
        if (ctx.signal.aborted) return;
        throw ctx.failure(err);
      }
      if (ctx.signal.aborted) return;
      let lines: string[];
      try {
        lines = chunk.done ? splitter.end() : splitter.push(chunk.value);
      } catch (err) {
        if (!(err instanceof LineTooLongError)) throw err;
        throw new KubernetesError({
          kind: "protocol",
          reason: "InvalidResponse",
          message: `WATCH ${ctx.url}: ${err.message}`,
          method: "GET",
          url: ctx.url,
          cause: err,
        });
      }
      for (const line of lines) {
        yield parseWatchEvent<T>(line, ctx.url);
        if (ctx.signal.aborted) return;
      }
      if (chunk.done) return;
    }
  } finally {
    ctx.signal.removeEventListener("abort", onAbort);
    await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
