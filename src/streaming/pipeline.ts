/**
 * What outlives a session: the engram's inbound and outbound buffers, the dedupe state, the
 * receipts not yet sent and the packets the connector has not confirmed (handover.ts).
 * Sessions come and go underneath (reconnects); `stream` sees one continuous inbound iterable
 * and one outbound sender.
 * @module
 */

import type { StreamOutbound } from "../engram/streaming-engram.ts";
import type { InboundMessage, StreamMessage } from "../engram/streaming-message.ts";
import type { DataRequest } from "../gen/transport/v1/transport_pb.ts";
import { injectTraceContext } from "../observability/propagation.ts";
import { deferred } from "./async-util.ts";
import { PacketDeduper } from "./dedupe.ts";
import { Handover } from "./handover.ts";
import { BoundedQueue, QueueClosedError } from "./queue.ts";
import type { Receipt } from "./wire/control.ts";
import { frameDataRequest } from "./wire/data-request-wire.ts";
import { toDataRequest } from "./wire/to-data-request.ts";

/** An outbound packet, already converted, size-checked and encoded. */
export interface OutboundPacket {
  /** The request as the gRPC message written to the connector (wire/data-request-wire.ts). */
  readonly frame: Uint8Array;
  /** Local mode only: the request itself, printed as a line (decoding `frame` would need protobuf's runtime). */
  readonly request?: DataRequest;
  /**
   * Set when a session failed while the packet waited (or was being written), so it is carried
   * over to the next session: counted once as added to, and once as flushed from, the client
   * buffer.
   */
  buffered?: boolean;
  /** Its place in the handover, once sent. */
  serial?: number;
}

/** A receipt, and how many outbound packets must be confirmed before it goes out. */
export interface HeldReceipt {
  readonly receipt: Receipt;
  /** Packets pushed to `outbound` when the receipt was made (all sent before the input was done). */
  readonly after: number;
}

/** The engram-facing buffers shared by all sessions. */
export class StreamPipeline {
  readonly inbound: BoundedQueue<InboundMessage>;
  readonly outbound: BoundedQueue<OutboundPacket>;
  /**
   * Receipts waiting for a live Control stream. Unbounded: a dropped receipt would make the hub
   * replay an input that was handled (Go drops them when its queue is full).
   */
  readonly receipts: BoundedQueue<HeldReceipt> = new BoundedQueue(Number.POSITIVE_INFINITY);
  /** Outbound packets sent and not yet confirmed by the connector. */
  readonly handover: Handover<OutboundPacket> = new Handover();
  readonly deduper: PacketDeduper = new PacketDeduper();
  readonly #maxSendBytes: number;
  readonly #keepRequests: boolean;
  readonly #stopReading = deferred<void>();
  /** Outbound messages accepted from the engram. */
  accepted = 0;

  /** `keepRequests`: local mode, whose packets carry the request to print as well. */
  constructor(options: {
    readonly bufferSize: number;
    readonly maxSendBytes: number;
    readonly keepRequests?: boolean;
  }) {
    this.inbound = new BoundedQueue(options.bufferSize);
    this.outbound = new BoundedQueue(options.bufferSize);
    this.#maxSendBytes = options.maxSendBytes;
    this.#keepRequests = options.keepRequests === true;
  }

  /** Resolves when the SDK stops reading inbound data (drain started). */
  get readingStopped(): Promise<void> {
    return this.#stopReading.promise;
  }

  get stoppedReading(): boolean {
    return this.#stopReading.settled;
  }

  /** Drain, step 1: no more inbound; `stream` sees the end after what is buffered. */
  stopReading(): void {
    if (this.#stopReading.settled) return;
    this.#stopReading.resolve();
    this.inbound.close();
  }

  /** Drain, step 2 (after `stream` returned): the sessions flush what is left, then close. */
  closeOutbound(): void {
    this.outbound.close(new QueueClosedError("the stream has ended; no more messages can be sent"));
    this.receipts.close();
  }

  /** Queues a receipt behind everything the engram has sent so far. */
  pushReceipt(receipt: Receipt): void {
    this.receipts.tryPush({ receipt, after: this.outbound.pushed });
  }

  /** True when nothing is waiting to go out or to be confirmed. */
  get flushed(): boolean {
    return this.outbound.size === 0 && this.receipts.size === 0 && this.handover.unconfirmed === 0;
  }

  /**
   * Validates, converts and encodes `msg` (throws at the caller, the session is not affected). The W3C
   * trace context of the active context is written into a copy of its metadata first, when
   * propagation (`BUBU_TRACE_PROPAGATION`) is on and a span is active: inside `stream` that is
   * the context `startStreaming` was called in, or the one the engram made active around `send`.
   */
  convert(msg: StreamMessage): OutboundPacket {
    const metadata = injectTraceContext(msg.metadata);
    const traced =
      metadata === msg.metadata || (msg.metadata === undefined && Object.keys(metadata).length === 0)
        ? msg
        : { ...msg, metadata };
    const request = toDataRequest(traced);
    const frame = frameDataRequest(request, this.#maxSendBytes);
    return this.#keepRequests ? { frame, request } : { frame };
  }

  /** The `outbound` handed to `stream`. */
  sender(): StreamOutbound {
    return {
      send: (msg: StreamMessage, signal?: AbortSignal): Promise<void> => {
        let packet: OutboundPacket;
        try {
          packet = this.convert(msg);
          if (this.outbound.tryPush(packet)) {
            this.accepted++;
            return Promise.resolve();
          }
        } catch (err) {
          return Promise.reject(err);
        }
        // Full or closed: the waiting push decides.
        return this.outbound.push(packet, signal).then(() => {
          this.accepted++;
        });
      },
    };
  }

  /** The inbound iterable handed to `stream` (single consumer). */
  messages(signal?: AbortSignal): AsyncIterable<InboundMessage> {
    const queue = this.inbound;
    return {
      [Symbol.asyncIterator](): AsyncIterator<InboundMessage> {
        return {
          next(): Promise<IteratorResult<InboundMessage>> {
            const ready = queue.tryShift();
            if (ready !== undefined) return Promise.resolve({ done: false, value: ready.value });
            return queue
              .shift(signal)
              .then((got) =>
                got === undefined ? { done: true, value: undefined } : { done: false, value: got.value },
              );
          },
          async return(): Promise<IteratorResult<InboundMessage>> {
            return { done: true, value: undefined };
          },
        };
      },
    };
  }
}
