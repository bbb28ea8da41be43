/**
 * The Data stream's requests: the engram's outbound packets, and a data heartbeat when nothing
 * was sent for a heartbeat interval (`BUBU_GRPC_HEARTBEAT_INTERVAL`). Nothing goes out before the
 * handshake gate opens; the requests end once the outbound queue is closed and empty. Every
 * packet is handed over (handover.ts) as it is sent, and its completed write reported to the
 * confirmer. While too much sent is unconfirmed, nothing more is sent until the connector
 * confirmed some: what waits in `outbound` then holds `send` back, so a fast stream keeps a
 * bounded resend buffer instead of filling (and overflowing) it.
 * @module
 */
import { create } from "@bufbuild/protobuf";
import { type DataRequest, DataRequestSchema } from "../gen/transport/v1/transport_pb.ts";
import { recordClientBufferFlushed, recordStreamMessage } from "../observability/instruments.ts";
import { aborted, type Deferred, deferred } from "./async-util.ts";
import type { Confirmer } from "./confirmer.ts";
import type { OutboundPacket, StreamPipeline } from "./pipeline.ts";
import type { SessionContext } from "./session-context.ts";
import type { StreamingSettings } from "./settings.ts";
import { META_HEARTBEAT } from "./wire/constants.ts";
import { framedRequest } from "./wire/data-request-wire.ts";

/** Unconfirmed packets, or bytes, at which the sender waits for a confirmation (the resend buffer keeps 4,096). */
export const MAX_UNCONFIRMED_PACKETS: number = 4096;
export const MAX_UNCONFIRMED_BYTES: number = 8 * 1024 * 1024;

const HEARTBEAT: DataRequest = create(DataRequestSchema, { metadata: { [META_HEARTBEAT]: "true" } });

/** Feeds one session's Data stream from the pipeline's outbound queue. */
export class DataSender {
  readonly #pipeline: StreamPipeline;
  readonly #settings: StreamingSettings;
  readonly #ctx: SessionContext;
  readonly #gate: Promise<void>;
  readonly #confirmer: Confirmer;
  /** What was yielded and is not yet reported written, oldest first (undefined: a heartbeat). */
  #writing: (OutboundPacket | undefined)[] = [];
  #writingHead = 0;
  /** Resolves when our send side finished (drained). */
  readonly done: Deferred<void> = deferred<void>();
  /** `Date.now()` when the current write started; 0 while none is pending (send timeout). */
  suspendedSince = 0;

  constructor(
    pipeline: StreamPipeline,
    settings: StreamingSettings,
    ctx: SessionContext,
    gate: Promise<void>,
    confirmer: Confirmer,
  ) {
    this.#pipeline = pipeline;
    this.#settings = settings;
    this.#ctx = ctx;
    this.#gate = gate;
    this.#confirmer = confirmer;
  }

  /** The transport's callback for each completed Data write, in write order. */
  written(error?: unknown): void {
    if (this.#writingHead >= this.#writing.length) return;
    const packet = this.#writing[this.#writingHead];
    this.#writing[this.#writingHead++] = undefined;
    if (this.#writingHead === this.#writing.length) {
      this.#writing = [];
      this.#writingHead = 0;
    }
    if (packet !== undefined && !error) this.#confirmer.written(packet.serial!);
  }

  /** True once the outbound queue was drained and closed. */
  get finished(): boolean {
    return this.done.settled;
  }

  async *requests(): AsyncGenerator<DataRequest> {
    const signal = this.#ctx.signal;
    const outbound = this.#pipeline.outbound;
    try {
      await Promise.race([this.#gate, aborted(signal)]);
    } catch {
      return;
    }
    let lastSend = Date.now();
    // The idle wait ends on a new packet, the heartbeat deadline or the session's end. One
    // abort listener and at most one timer per heartbeat interval, not one of each per wait
    // (the queue is often empty between two messages).
    let wake: (() => void) | undefined;
    const onAbort = (): void => wake?.();
    // Waits for `subscribe`'s callback (or the abort, or the heartbeat timer: both call `wake`).
    const until = async (subscribe: (resolve: () => void) => () => void): Promise<void> => {
      let cancel!: () => void;
      await new Promise<void>((resolve) => {
        wake = resolve;
        cancel = subscribe(resolve);
      });
      wake = undefined;
      cancel();
    };
    signal.addEventListener("abort", onAbort, { once: true });
    let heartbeatTimer: ReturnType<typeof setTimeout> | undefined;
    try {
      const handover = this.#pipeline.handover;
      // Where the transport cannot ask (Deno), a packet stays unconfirmed for a whole grace period
      // after its write, and 8 MiB held a stream of 64 KiB messages to about 0.6x of what the
      // connection carries: there the sender may fill the resend buffer, short of evicting from it
      // (room is left for one packet of the largest size).
      const maxBytes = this.#confirmer.canAsk
        ? MAX_UNCONFIRMED_BYTES
        : Math.max(MAX_UNCONFIRMED_BYTES, handover.maxBytes - this.#settings.maxSendBytes);
      while (!signal.aborted) {
        let next: DataRequest = HEARTBEAT;
        let packet: OutboundPacket | undefined;
        if ((handover.unconfirmed >= MAX_UNCONFIRMED_PACKETS || handover.bytes >= maxBytes) && outbound.size > 0) {
          this.#confirmer.hurry();
          await until((resolve) => handover.subscribe(resolve));
          continue;
        }
        const got = outbound.tryShift();
        if (got === undefined) {
          if (outbound.closed) {
            this.done.resolve();
            return; // drained
          }
          const wait = this.#settings.heartbeatIntervalMs - (Date.now() - lastSend);
          if (wait > 0) {
            // A timer armed for an older deadline fires early; the loop then arms a new one.
            heartbeatTimer ??= setTimeout(() => {
              heartbeatTimer = undefined;
              wake?.();
            }, wait);
            await until((resolve) => outbound.notifyReadable(resolve));
            continue; // look again: a packet, the end, or the heartbeat is due
          }
        }
        if (got !== undefined) {
          packet = got.value;
          next = framedRequest(packet.frame);
          this.#pipeline.handover.sent(packet, packet.frame.length);
        }
        this.#writing.push(packet);
        this.suspendedSince = Date.now();
        yield next;
        this.suspendedSince = 0;
        if (packet !== undefined) {
          recordStreamMessage("sent");
          if (packet.buffered) {
            packet.buffered = false;
            recordClientBufferFlushed(1);
          }
        }
        lastSend = this.#ctx.lastActivity = Date.now();
      }
    } finally {
      clearTimeout(heartbeatTimer);
      signal.removeEventListener("abort", onAbort);
    }
  }
}
