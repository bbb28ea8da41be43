/**
 * The trigger throttle (`BUBU_TRIGGER_THROTTLE_*`): an in-flight semaphore taken first, then a
 * token-bucket reservation (Go's `golang.org/x/time/rate` `Limiter.Reserve`: tokens refill at
 * `rate`/s up to `burst`; a reservation may drive the bucket negative and waits until it is paid
 * back). One throttle per `rate;burst;max` per process.
 * @module
 */

import { sleep } from "../async/sleep.ts";
import type { TriggerThrottlePolicy } from "../env/load.ts";

/** What {@link TriggerThrottle.acquire} returns. */
export interface ThrottleTicket {
  /** The caller had to wait for a slot or a token (recorded as a throttled trigger). */
  readonly waited: boolean;
  /** Frees the in-flight slot. Idempotent. */
  release(): void;
}

/** Rate and in-flight limiter for story triggers. */
export class TriggerThrottle {
  readonly ratePerSecond: number;
  readonly burst: number;
  readonly maxInFlight: number;
  #tokens: number;
  #last: number;
  #inFlight = 0;
  readonly #waiters: (() => void)[] = [];
  readonly #now: () => number;

  constructor(policy: TriggerThrottlePolicy, now: () => number = () => performance.now()) {
    this.ratePerSecond = policy.ratePerSecond;
    this.burst = policy.burst > 0 ? policy.burst : policy.ratePerSecond;
    this.maxInFlight = policy.maxInFlight;
    this.#now = now;
    this.#tokens = this.burst;
    this.#last = now();
  }

  /** Triggers currently holding a slot. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Waits for a slot and a token; rejects with `signal.reason` when aborted (nothing held). */
  async acquire(signal?: AbortSignal): Promise<ThrottleTicket> {
    signal?.throwIfAborted();
    let waited = false;
    if (this.maxInFlight > 0) {
      if (this.#inFlight >= this.maxInFlight) {
        waited = true;
        await this.#waitForSlot(signal);
      } else {
        this.#inFlight++;
      }
    }
    let released = false;
    const release = (): void => {
      if (released || this.maxInFlight <= 0) return;
      released = true;
      const next = this.#waiters.shift();
      // Hand the slot straight to the next waiter: the count stays the same.
      if (next) next();
      else this.#inFlight--;
    };
    if (this.ratePerSecond > 0) {
      const delay = this.#reserve();
      if (delay > 0) {
        waited = true;
        try {
          await sleep(delay, signal);
        } catch (err) {
          this.#tokens = Math.min(this.burst, this.#tokens + 1);
          release();
          throw err;
        }
      }
    }
    return { waited, release };
  }

  #waitForSlot(signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      const grant = (): void => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      const onAbort = (): void => {
        const i = this.#waiters.indexOf(grant);
        if (i >= 0) this.#waiters.splice(i, 1);
        reject(signal!.reason);
      };
      this.#waiters.push(grant);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Takes one token; returns how long to wait (ms) until it is paid for. */
  #reserve(): number {
    const now = this.#now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#last) * this.ratePerSecond) / 1000);
    this.#last = now;
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : (-this.#tokens * 1000) / this.ratePerSecond;
  }
}

let cachedKey = "";
let cached: TriggerThrottle | undefined;

/**
 * The process-wide throttle for `policy` (Go's `getTriggerThrottle`, cached per
 * `rate;burst;max`); `undefined` when the policy limits nothing.
 */
export function triggerThrottleFor(policy: TriggerThrottlePolicy | undefined): TriggerThrottle | undefined {
  if (policy === undefined || (policy.ratePerSecond <= 0 && policy.maxInFlight <= 0)) return undefined;
  const key = `rate=${policy.ratePerSecond};burst=${policy.burst};max=${policy.maxInFlight}`;
  if (cached === undefined || cachedKey !== key) {
    cachedKey = key;
    cached = new TriggerThrottle(policy);
  }
  return cached;
}
