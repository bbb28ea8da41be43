/**
 * What the parts of one session share: how it ends (the first failure wins and aborts
 * everything) and when it last saw traffic (for the hang watcher).
 * @module
 */

/** The shared state of one session. */
export class SessionContext {
  readonly #abort = new AbortController();
  /** The first failure, once there is one. */
  failure: unknown;
  /** `Date.now()` of the last send or receive on either stream. */
  lastActivity: number = Date.now();

  /** Aborts when the session ends, failed or not. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** Records the session's failure (only the first counts) and ends it. */
  fail(err: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = err;
    this.#abort.abort(err);
  }

  /** Ends the session with `reason`, not a failure (a no-op once it has ended). */
  end(reason: unknown): void {
    this.#abort.abort(reason);
  }

  touch(): void {
    this.lastActivity = Date.now();
  }
}
