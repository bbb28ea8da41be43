/**
 * Confirms, for one session, that the connector has read the packets written to it: once a
 * packet's write completed, it asks the connection to confirm (an HTTP/2 SETTINGS round trip:
 * the connector acknowledges it only after reading everything written before it) and then
 * advances the handover's watermark to the last packet written before the question. One
 * question at a time, at most one per {@link ASK_INTERVAL_MS}; each answer covers all writes
 * before it, so under load one round trip confirms many packets.
 *
 * Where the transport cannot ask (Deno), a packet counts as read once the session stayed up
 * for {@link UNCONFIRMED_GRACE_MS} after its write: a connector that went away in that time
 * shows as a failed session, and the packet is sent again.
 * @module
 */
import { sleep } from "./async-util.ts";
import { formatMs, StreamingError } from "./errors.ts";
import type { Handover, HandedPacket } from "./handover.ts";
import type { SessionContext } from "./session-context.ts";

/** How long a written packet must survive without a transport confirmation. */
export const UNCONFIRMED_GRACE_MS = 100;
/**
 * The least time between two questions: a busy stream asks about a millisecond's worth of
 * packets at once (a receipt waits at most that much longer), not one small batch per round trip.
 */
export const ASK_INTERVAL_MS = 1;

const TIMED_OUT = Symbol("timed out");

/** One session's confirmations. */
export class Confirmer {
  readonly #handover: Handover<HandedPacket>;
  readonly #ctx: SessionContext;
  readonly #confirmRead: (() => Promise<void>) | undefined;
  readonly #timeoutMs: number;
  /** Serial of the last packet whose write completed in this session. */
  #written = 0;
  #asking = false;
  #lastAsk = 0;

  constructor(handover: Handover<HandedPacket>, ctx: SessionContext, confirmRead: (() => Promise<void>) | undefined, timeoutMs: number) {
    this.#handover = handover;
    this.#ctx = ctx;
    this.#confirmRead = confirmRead;
    this.#timeoutMs = timeoutMs;
  }

  /** The write of the packet with `serial` completed. */
  written(serial: number): void {
    if (serial > this.#written) this.#written = serial;
    if (!this.#asking) this.#ask();
  }

  #ask(): void {
    if (this.#written <= this.#handover.confirmed || this.#ctx.signal.aborted) return;
    this.#asking = true;
    const wait = this.#lastAsk + ASK_INTERVAL_MS - Date.now();
    if (wait > 0) {
      setTimeout(() => this.#askNow(), wait);
      return;
    }
    this.#askNow();
  }

  #askNow(): void {
    const through = this.#written;
    this.#lastAsk = Date.now();
    if (through <= this.#handover.confirmed || this.#ctx.signal.aborted) {
      this.#asking = false;
      return;
    }
    this.#answer().then(
      (answer) => {
        this.#asking = false;
        // After the session ended its packets were put back to be sent again: a late answer
        // is not applied to them.
        if (this.#ctx.signal.aborted) return;
        if (answer === TIMED_OUT) {
          this.#ctx.fail(new StreamingError(`the connector did not confirm what was sent within ${formatMs(this.#timeoutMs)}`, { retriable: true }));
          return;
        }
        this.#handover.confirm(through);
        this.#ask();
      },
      () => {
        // The connection is gone; the session fails on its own.
        this.#asking = false;
      },
    );
  }

  async #answer(): Promise<void | typeof TIMED_OUT> {
    if (this.#confirmRead === undefined) {
      await sleep(UNCONFIRMED_GRACE_MS, this.#ctx.signal);
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      return await Promise.race([
        this.#confirmRead(),
        new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(() => resolve(TIMED_OUT), this.#timeoutMs))),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}
