/**
 * Confirms, for one session, that the connector has read the packets written to it: once a
 * packet's write completed, it asks the connection to confirm (an HTTP/2 SETTINGS round trip:
 * the connector acknowledges it only after reading everything written before it) and then
 * advances the handover's watermark to the last packet written before the question. One
 * question at a time; each answer covers all writes before it. A question goes out at once
 * after a quiet spell; on a busy stream, within {@link ASK_INTERVAL_MS} while a receipt waits
 * for it (or much is unconfirmed), else every {@link QUIET_ASK_INTERVAL_MS}: a round trip per
 * message would cost more than the message.
 *
 * Where the transport cannot ask (Deno), a packet counts as read once the session stayed up
 * for {@link UNCONFIRMED_GRACE_MS} after its write: a connector that went away in that time
 * shows as a failed session, and the packet is sent again. Those grace periods overlap (one
 * starts every {@link GRACE_STEP_MS} while writes complete), so a packet waits about the grace
 * period, not up to twice it: on a fast stream everything written in that time is held for a
 * resend, and the sender stops while too much is (data-sender.ts).
 * @module
 */
import { sleep } from "./async-util.ts";
import { formatMs, StreamingError } from "./errors.ts";
import type { HandedPacket, Handover } from "./handover.ts";
import type { SessionContext } from "./session-context.ts";

/** How long a written packet must survive without a transport confirmation. */
export const UNCONFIRMED_GRACE_MS = 100;
/** The least time between the starts of two grace periods. */
export const GRACE_STEP_MS = 10;
/** The least time between two questions. */
export const ASK_INTERVAL_MS = 1;
/** Between two questions when nothing waits for the answer (the resend window after a restart). */
export const QUIET_ASK_INTERVAL_MS = 20;
/** Unconfirmed packets, or bytes, that make the next question as urgent as a waiting receipt. */
const URGENT_PACKETS = 256;
const URGENT_BYTES = 1024 * 1024;

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
  #urgent = false;
  #lastAsk = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = 0;
  /** Grace mode: the last serial a grace period was started for, and when. */
  #graceThrough = 0;
  #graceAt = 0;

  constructor(
    handover: Handover<HandedPacket>,
    ctx: SessionContext,
    confirmRead: (() => Promise<void>) | undefined,
    timeoutMs: number,
  ) {
    this.#handover = handover;
    this.#ctx = ctx;
    this.#confirmRead = confirmRead;
    this.#timeoutMs = timeoutMs;
  }

  /** True when the transport confirms by asking the connector; false when a grace period does. */
  get canAsk(): boolean {
    return this.#confirmRead !== undefined;
  }

  /** The write of the packet with `serial` completed. */
  written(serial: number): void {
    if (serial > this.#written) this.#written = serial;
    this.#schedule();
  }

  /** Something (a receipt) waits for the next answer: ask soon. */
  hurry(): void {
    if (this.#urgent) return;
    this.#urgent = true;
    this.#schedule();
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    if (this.#confirmRead === undefined) {
      this.#scheduleGrace();
      return;
    }
    if (this.#asking || this.#written <= this.#handover.confirmed || this.#ctx.signal.aborted) return;
    const h = this.#handover;
    const soon = this.#urgent || h.unconfirmed >= URGENT_PACKETS || h.bytes >= URGENT_BYTES;
    const at = this.#lastAsk + (soon ? ASK_INTERVAL_MS : QUIET_ASK_INTERVAL_MS);
    if (this.#timer !== undefined) {
      if (this.#timerAt <= at) return;
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#timerAt = at;
    this.#runIn(at - Date.now(), () => this.#ask());
  }

  /** Runs `fn` now, or after `wait` ms on the one timer. */
  #runIn(wait: number, fn: () => void): void {
    if (wait <= 0) {
      fn();
      return;
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      fn();
    }, wait);
  }

  #ask(): void {
    const through = this.#written;
    if (this.#asking || through <= this.#handover.confirmed || this.#ctx.signal.aborted) return;
    this.#asking = true;
    this.#urgent = false;
    this.#lastAsk = Date.now();
    this.#answer().then(
      (answer) => {
        this.#asking = false;
        // After the session ended its packets were put back to be sent again: a late answer
        // is not applied to them.
        if (this.#ctx.signal.aborted) return;
        if (answer === TIMED_OUT) {
          this.#ctx.fail(
            new StreamingError(`the connector did not confirm what was sent within ${formatMs(this.#timeoutMs)}`, {
              retriable: true,
            }),
          );
          return;
        }
        this.#handover.confirm(through);
        this.#schedule();
      },
      () => {
        // The connection is gone; the session fails on its own.
        this.#asking = false;
      },
    );
  }
  async #answer(): Promise<void | typeof TIMED_OUT> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      return await Promise.race([
        this.#confirmRead!(),
        new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(() => resolve(TIMED_OUT), this.#timeoutMs))),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  // Grace mode: a grace period starts for what was written so far at most every GRACE_STEP_MS;
  // writes in between are covered by the next one (a timer starts it when no write comes).
  #scheduleGrace(): void {
    if (this.#timer !== undefined || this.#written <= this.#graceThrough || this.#ctx.signal.aborted) return;
    this.#runIn(this.#graceAt + GRACE_STEP_MS - Date.now(), () => this.#startGrace());
  }

  #startGrace(): void {
    const through = this.#written;
    if (through <= this.#graceThrough || this.#ctx.signal.aborted) return;
    this.#graceThrough = through;
    this.#graceAt = Date.now();
    sleep(UNCONFIRMED_GRACE_MS, this.#ctx.signal).then(
      () => {
        // The session ended meanwhile: its packets were put back to be sent again.
        if (!this.#ctx.signal.aborted) this.#handover.confirm(through);
      },
      () => {},
    );
  }
}
