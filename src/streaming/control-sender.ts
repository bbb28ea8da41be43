/**
 * The Control stream's requests: our replies to directives and our control heartbeats first,
 * then, once the handshake gate is open, the pipeline's `downstream.delivered` receipts, each
 * once the connector confirmed what the engram had sent before it (handover.ts). The requests
 * end after the last receipt once the data side has drained.
 * @module
 */
import type { ControlRequest } from "../gen/transport/v1/transport_pb.ts";
import { type Deferred, deferred } from "./async-util.ts";
import type { StreamPipeline } from "./pipeline.ts";
import { BoundedQueue } from "./queue.ts";
import type { SessionContext } from "./session-context.ts";
import { heartbeatRequest, receiptRequest } from "./wire/control.ts";

/** Feeds one session's Control stream. */
export class ControlSender {
  readonly #pipeline: StreamPipeline;
  readonly #ctx: SessionContext;
  readonly #gate: Deferred<void>;
  readonly #dataDone: Deferred<void>;
  readonly #hurry: () => void;
  /** Requests the session itself originates (directive replies, heartbeats). */
  readonly #own = new BoundedQueue<ControlRequest>(Number.POSITIVE_INFINITY);
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  /** Resolves when our send side finished (after the last receipt). */
  readonly done: Deferred<void> = deferred<void>();
  /** Receipts written in this session. */
  sentReceipts = 0;

  /** `hurry` is called while the next receipt waits for a confirmation. */
  constructor(
    pipeline: StreamPipeline,
    ctx: SessionContext,
    gate: Deferred<void>,
    dataDone: Deferred<void>,
    hurry: () => void,
  ) {
    this.#pipeline = pipeline;
    this.#ctx = ctx;
    this.#gate = gate;
    this.#dataDone = dataDone;
    this.#hurry = hurry;
  }

  /** True once the last receipt was written and the data side had drained. */
  get finished(): boolean {
    return this.done.settled;
  }

  /** Queues a request of our own (never blocks). */
  push(req: ControlRequest): void {
    this.#own.tryPush(req);
  }

  /** Sends a control `HEARTBEAT` every `intervalMs` until {@link stop}. */
  startHeartbeat(intervalMs: number): void {
    this.#heartbeat ??= setInterval(() => this.push(heartbeatRequest(Date.now())), intervalMs);
  }

  stop(): void {
    clearInterval(this.#heartbeat);
  }

  async *requests(): AsyncGenerator<ControlRequest> {
    const signal = this.#ctx.signal;
    const receipts = this.#pipeline.receipts;
    const handover = this.#pipeline.handover;
    const gate = this.#gate;
    // Wake-ups registered once per session (a race over these promises in every wait would
    // add a reaction to each of them per receipt, kept until the session ends).
    let wake: (() => void) | undefined;
    const onEvent = (): void => wake?.();
    signal.addEventListener("abort", onEvent, { once: true });
    gate.promise.then(onEvent, onEvent);
    this.#dataDone.promise.then(onEvent, onEvent);
    const unsubscribe = handover.subscribe(onEvent);
    try {
      while (!signal.aborted) {
        const own = this.#own.tryShift();
        if (own !== undefined) {
          yield own.value;
          this.#ctx.touch();
          continue;
        }
        if (gate.settled) {
          const head = receipts.peek();
          if (head !== undefined && head.value.after <= handover.confirmed) {
            receipts.tryShift();
            try {
              yield receiptRequest(head.value.receipt);
            } catch (err) {
              receipts.unshift(head.value);
              throw err;
            }
            this.sentReceipts++;
            this.#ctx.touch();
            continue;
          }
          if (head !== undefined) this.#hurry();
          else if (receipts.closed && this.#dataDone.settled) {
            this.done.resolve();
            return;
          }
        }
        // A closed, empty receipt queue is always "readable": then the data side's end wakes
        // us. A receipt held back is released by a confirmation, which wakes us too.
        const watchReceipts = gate.settled && !receipts.closed;
        let cancelOwn!: () => void;
        let cancelReceipts: (() => void) | undefined;
        await new Promise<void>((resolve) => {
          wake = resolve;
          cancelOwn = this.#own.notifyReadable(resolve);
          if (watchReceipts) cancelReceipts = receipts.notifyReadable(resolve);
        });
        wake = undefined;
        cancelOwn();
        cancelReceipts?.();
      }
    } finally {
      unsubscribe();
      signal.removeEventListener("abort", onEvent);
    }
  }
}
