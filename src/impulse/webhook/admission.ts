/**
 * Bounds how many deliveries are processed at once: up to `maxInFlight` run, up to `maxQueued`
 * more wait (without their bodies read) for at most `queueTimeoutMs`, the rest are turned away
 * so the sender retries later. Memory and cluster load then stay bounded under a burst.
 * @module
 */

/** Options of {@link Admission}. */
export interface AdmissionOptions {
  /** Deliveries processed at once (body read, verification, trigger). Default 32. */
  readonly maxInFlight?: number;
  /** Deliveries waiting for a slot; more are refused. Default 256. */
  readonly maxQueued?: number;
  /** How long a delivery may wait for a slot. Default 10 s. */
  readonly queueTimeoutMs?: number;
}

interface Waiter {
  readonly grant: (release: () => void) => void;
  readonly refuse: () => void;
}

/** A counting semaphore with a bounded, time-limited queue. */
export class Admission {
  readonly maxInFlight: number;
  readonly maxQueued: number;
  readonly queueTimeoutMs: number;
  #inFlight = 0;
  readonly #queue: Waiter[] = [];

  constructor(options: AdmissionOptions = {}) {
    this.maxInFlight = Math.max(1, options.maxInFlight ?? 32);
    this.maxQueued = Math.max(0, options.maxQueued ?? 256);
    this.queueTimeoutMs = Math.max(0, options.queueTimeoutMs ?? 10_000);
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  get queued(): number {
    return this.#queue.length;
  }

  /**
   * A release function once a slot is held, or `undefined` when the queue is full, the wait
   * timed out or the signal aborted (the client left). `clientSignal` is read only when the
   * delivery has to wait: on Deno, reading a served request's `signal` prints a deprecation
   * notice on stderr (its legacy abort after a successful response), which a delivery that gets
   * a slot at once never causes.
   */
  enter(clientSignal?: () => AbortSignal): Promise<(() => void) | undefined> {
    if (this.#inFlight < this.maxInFlight) {
      this.#inFlight++;
      return Promise.resolve(this.#releaser());
    }
    if (this.#queue.length >= this.maxQueued) return Promise.resolve(undefined);
    const signal = clientSignal?.();
    if (signal?.aborted) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const leave = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", refuse);
        const i = this.#queue.indexOf(waiter);
        if (i >= 0) this.#queue.splice(i, 1);
      };
      const refuse = (): void => {
        leave();
        resolve(undefined);
      };
      const waiter: Waiter = {
        grant: (release) => {
          leave();
          resolve(release);
        },
        refuse,
      };
      const timer = setTimeout(refuse, this.queueTimeoutMs);
      signal?.addEventListener("abort", refuse, { once: true });
      this.#queue.push(waiter);
    });
  }

  #releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.#queue[0];
      // The slot passes straight to the next waiter; the count stays.
      if (next) next.grant(this.#releaser());
      else this.#inFlight--;
    };
  }
}
