/**
 * Inbound delivery: the Data stream's responses are reassembled, deduped, converted and handed
 * to the engram; receipts go out for sequenced packets once they are done, dropped or replayed.
 * A frame-less response is a keepalive: never delivered, but receipted when sequenced.
 * @module
 */
import { type Context, context as otelContext } from "@opentelemetry/api";
import type { InboundMessage, StreamMessage } from "../engram/streaming-message.ts";
import type { DataResponseWire } from "../gen/bubu/sdk/v1/wire_pb.ts";
import type { DataResponse } from "../gen/transport/v1/transport_pb.ts";
import { recordBackpressureTimeout, recordStreamMessage } from "../observability/instruments.ts";
import type { Logger } from "../observability/logger.ts";
import { extractTraceContext } from "../observability/propagation.ts";
import { type Deferred, deferred } from "./async-util.ts";
import type { DataSender } from "./data-sender.ts";
import { dedupeKey } from "./dedupe.ts";
import { formatMs, StreamingError, wrapRpcError } from "./errors.ts";
import type { StreamPipeline } from "./pipeline.ts";
import type { SessionContext } from "./session-context.ts";
import type { StreamingSettings } from "./settings.ts";
import { ChunkError, type ChunkLimits, ChunkReassembler, type ChunkResult } from "./wire/chunks.ts";
import type { Receipt } from "./wire/control.ts";
import { wireSize } from "./wire/data-request-encode.ts";
import { fromDataResponse, isDroppable } from "./wire/from-data-response.ts";
import { responseFromWire, wireOf } from "./wire/response-from-wire.ts";

/** Delivers one session's Data responses to the pipeline. */
export class Delivery {
  readonly #p: StreamPipeline;
  readonly #s: StreamingSettings;
  readonly #ctx: SessionContext;
  readonly #logger: Logger;
  readonly #sender: DataSender;
  readonly #reassembler: ChunkReassembler;
  readonly #sweep: ReturnType<typeof setInterval>;
  /** Resolves when the connector's side of Data ended (or failed). */
  readonly closed: Deferred<void> = deferred<void>();

  constructor(
    p: StreamPipeline,
    s: StreamingSettings,
    ctx: SessionContext,
    logger: Logger,
    sender: DataSender,
    chunkLimits: ChunkLimits | undefined,
  ) {
    this.#p = p;
    this.#s = s;
    this.#ctx = ctx;
    this.#logger = logger;
    this.#sender = sender;
    this.#reassembler = new ChunkReassembler(chunkLimits);
    this.#sweep = setInterval(() => this.#reassembler.sweep(), Math.max(10, (chunkLimits?.ttlMs ?? 120_000) / 2));
  }

  /** Stops the reassembler's sweeps. */
  stop(): void {
    clearInterval(this.#sweep);
  }

  /** Reads the responses until they end; a premature end or an error fails the session. */
  async run(responses: AsyncIterator<DataResponseWire>): Promise<void> {
    const ctx = this.#ctx;
    try {
      for (;;) {
        const r = await responses.next();
        if (r.done) break;
        ctx.touch();
        if (this.#p.stoppedReading) continue; // draining: read to the end, deliver nothing
        const waiting = this.#deliver(responseFromWire(r.value));
        if (waiting !== undefined) await waiting;
      }
      this.closed.resolve();
      if (!this.#sender.finished) ctx.fail(new StreamingError("data stream recv failed: EOF", { retriable: true }));
    } catch (err) {
      this.closed.resolve();
      if (!ctx.signal.aborted || ctx.failure === undefined)
        ctx.fail(err instanceof StreamingError ? err : wrapRpcError("data stream recv failed", err));
    }
  }

  // Synchronous unless the engram's inbound buffer is full: no promise per message.
  #deliver(packet: DataResponse): Promise<void> | undefined {
    const p = this.#p;
    if (packet.frame.case === undefined) {
      const r = receiptFor(packet);
      if (r) p.pushReceipt(r);
      return;
    }
    const result = reassemble(this.#reassembler, packet);
    if (result.kind === "partial" || result.kind === "duplicate") return;
    const whole = result.packet;
    const key = dedupeKey(whole);
    const receipt = receiptFor(whole);
    if (key !== undefined) {
      const state = p.deduper.begin(key);
      if (state === "completed") {
        if (receipt) p.pushReceipt(receipt);
        return;
      }
      if (state === "pending") return;
    }
    let msg: StreamMessage | undefined;
    try {
      msg = fromDataResponse(whole);
    } catch (err) {
      if (key !== undefined) p.deduper.release(key);
      throw new StreamingError(`invalid inbound packet: ${(err as Error).message}`, { retriable: true, cause: err });
    }
    if (msg === undefined || isDroppable(msg)) {
      if (key !== undefined) p.deduper.complete(key);
      if (receipt) p.pushReceipt(receipt);
      return;
    }
    recordStreamMessage("received");
    let doneCalled = false;
    const traceContext = traceContextOf(msg);
    const inbound: InboundMessage = {
      ...msg,
      ...(traceContext === undefined ? undefined : { traceContext }),
      done: () => {
        if (doneCalled) return;
        doneCalled = true;
        if (key !== undefined) p.deduper.complete(key);
        if (receipt) p.pushReceipt(receipt);
      },
    };
    if (p.stoppedReading) {
      // Drain started while this packet was in flight: it is not delivered; sequenced ones
      // are replayed by the hub, since no receipt goes out.
      if (key !== undefined) p.deduper.release(key);
      return;
    }
    if (p.inbound.tryPush(inbound)) return;
    return this.#waitToDeliver(inbound, key);
  }

  // The inbound buffer is full (or closed): wait, bounded by BUBU_GRPC_CHANNEL_SEND_TIMEOUT when set.
  async #waitToDeliver(inbound: InboundMessage, key: string | undefined): Promise<void> {
    const p = this.#p;
    const s = this.#s;
    const signal = this.#ctx.signal;
    if (s.channelSendTimeoutMs > 0) {
      const t = AbortSignal.timeout(s.channelSendTimeoutMs);
      try {
        await p.inbound.push(inbound, AbortSignal.any([t, signal]));
      } catch {
        if (key !== undefined) p.deduper.release(key);
        if (t.aborted) {
          recordBackpressureTimeout("client_receiver");
          this.#logger.warn("inbound message dropped: the engram did not read it in time", {
            timeout: formatMs(s.channelSendTimeoutMs),
          });
        }
      }
      return;
    }
    try {
      await p.inbound.push(inbound, signal);
    } catch {
      if (key !== undefined) p.deduper.release(key);
    }
  }
}

function sizeOf(p: DataResponse): number {
  // As received when it came off the wire (its Structs are not decoded just to be measured),
  // and counted, not encoded again.
  return wireSize(wireOf(p) ?? p);
}

function receiptFor(p: DataResponse): Receipt | undefined {
  const e = p.envelope;
  if (e === undefined || e.sequence <= 0n || e.streamId === "") return undefined;
  return { streamId: e.streamId, sequence: e.sequence, partition: e.partition, sizeBytes: sizeOf(p) };
}

/** Feeds the reassembler; a rule-breaking chunk ends the session (retriable). */
function reassemble(r: ChunkReassembler, packet: DataResponse): ChunkResult {
  try {
    return r.add(packet);
  } catch (err) {
    if (err instanceof ChunkError) throw new StreamingError(err.message, { retriable: true, cause: err });
    throw err;
  }
}

/** The trace context (or baggage) the metadata carries, if any. */
function traceContextOf(msg: StreamMessage): Context | undefined {
  if (msg.metadata === undefined) return undefined;
  const base = otelContext.active();
  const ctx = extractTraceContext(msg.metadata, base);
  return ctx === base ? undefined : ctx;
}
