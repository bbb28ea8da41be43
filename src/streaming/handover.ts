/**
 * The handover of outbound packets to the connector, across sessions. The connector protocol
 * has no acknowledgement for outbound data, and a written packet is not a received one: when
 * the connector restarts, what was still in flight is gone. So every packet sent keeps its
 * place here until the connector confirmed it has read it (see confirmer.ts); after a failed
 * session the unconfirmed ones are sent again, first and in order, on the next. And a receipt
 * goes out only once everything the engram sent before it called `done()` is confirmed, so
 * the hub never drops the replay of an input whose output was lost.
 *
 * Packets get a serial number when first sent. The queue is first in, first out and a packet
 * put back goes to the front, so the n-th packet pushed is the n-th first sent, and
 * confirmations (which cover everything written before them) advance one watermark.
 * @module
 */
import type { BoundedQueue } from "./queue.ts";

/** What the handover needs of an outbound packet. */
export interface HandedPacket {
  /** Set when first sent (1, 2, …). */
  serial?: number;
}

/** Bounds of the resend buffer. */
export interface HandoverLimits {
  readonly maxPackets: number;
  readonly maxBytes: number;
}

/** The resend buffer's default bounds: beyond them the oldest are no longer kept for a resend. */
export const HANDOVER_LIMITS: HandoverLimits = { maxPackets: 4096, maxBytes: 32 * 1024 * 1024 };

/** The outbound packets sent but not yet confirmed, and the confirmed watermark. */
export class Handover<P extends HandedPacket> {
  readonly #limits: HandoverLimits;
  /** Sent, not confirmed, oldest first (a head index instead of shift()). */
  #unconfirmed: P[] = [];
  #sizes: number[] = [];
  #head = 0;
  #bytes = 0;
  #serial = 0;
  #confirmed = 0;
  #evicted = 0;
  readonly #listeners = new Set<() => void>();

  constructor(limits: HandoverLimits = HANDOVER_LIMITS) {
    this.#limits = limits;
  }

  /** Serial of the last packet confirmed; every earlier one is confirmed too. */
  get confirmed(): number {
    return this.#confirmed;
  }

  /** Packets sent and not yet confirmed. */
  get unconfirmed(): number {
    return this.#unconfirmed.length - this.#head;
  }

  /** Bytes (as given to `sent`: their encoded size) of the unconfirmed packets. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The bytes the resend buffer keeps; beyond them the oldest are dropped. */
  get maxBytes(): number {
    return this.#limits.maxBytes;
  }

  /** Packets dropped from the resend buffer unconfirmed because it was full. */
  get evicted(): number {
    return this.#evicted;
  }

  /**
   * Records `packet` as being sent (`size`: its encoded bytes). A packet sent again (after a
   * failed session) keeps its serial. Returns the serial.
   */
  sent(packet: P, size: number): number {
    packet.serial ??= ++this.#serial;
    this.#unconfirmed.push(packet);
    this.#sizes.push(size);
    this.#bytes += size;
    while (
      this.unconfirmed > this.#limits.maxPackets ||
      (this.#bytes > this.#limits.maxBytes && this.unconfirmed > 1)
    ) {
      // Kept no longer: counted as confirmed, so receipts behind it are not held forever.
      const oldest = this.#unconfirmed[this.#head];
      this.#drop();
      this.#evicted++;
      if (oldest.serial! > this.#confirmed) this.#confirmed = oldest.serial!;
    }
    return packet.serial;
  }

  /** The connector read everything up to serial `through`. */
  confirm(through: number): void {
    if (through <= this.#confirmed) return;
    this.#confirmed = through;
    while (this.unconfirmed > 0 && this.#unconfirmed[this.#head].serial! <= through) this.#drop();
    for (const l of this.#listeners) l();
  }

  /** Calls `listener` after every confirmation until the returned function is called. */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * A session ended: puts the unconfirmed packets back at the front of `outbound`, oldest
   * first, to be sent again. Returns how many.
   */
  requeue(outbound: BoundedQueue<P>): number {
    const back = this.#unconfirmed.slice(this.#head);
    this.#unconfirmed = [];
    this.#sizes = [];
    this.#head = 0;
    this.#bytes = 0;
    for (let i = back.length - 1; i >= 0; i--) outbound.unshift(back[i]);
    return back.length;
  }

  #drop(): void {
    this.#unconfirmed[this.#head] = undefined as unknown as P;
    this.#bytes -= this.#sizes[this.#head];
    this.#head++;
    if (this.#head === this.#unconfirmed.length) {
      this.#unconfirmed = [];
      this.#sizes = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#unconfirmed.length) {
      this.#unconfirmed.splice(0, this.#head);
      this.#sizes.splice(0, this.#head);
      this.#head = 0;
    }
  }
}
