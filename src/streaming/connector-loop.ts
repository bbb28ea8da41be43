/**
 * Sessions with reconnects: the contract's backoff and lifetime retry budget (contract
 * streaming.md §14 "Reconnect"; quirks I5: like Go, the budget is not reset by a good session).
 * @module
 */
import type { Logger } from "../observability/logger.ts";
import { sleep } from "./async-util.ts";
import { reconnectDelay } from "./backoff.ts";
import { describeError, isRetriable, StreamingError } from "./errors.ts";
import { runSession, type SessionDeps } from "./session.ts";

/** Options of {@link runConnector}. */
export interface ConnectorLoopDeps extends SessionDeps {
  readonly logger: Logger;
  /** Aborts the loop (a hard stop: the drain grace ran out, or `stream` failed for good). */
  readonly signal: AbortSignal;
  readonly random?: () => number;
}

/**
 * Runs sessions until one drains the pipeline. Throws a non-retriable error at once, and
 * `transport connector retries exhausted: …` when the budget is spent.
 */
export async function runConnector(d: ConnectorLoopDeps): Promise<void> {
  const { settings: s, logger } = d;
  let retries = 0;
  for (;;) {
    d.signal.throwIfAborted();
    try {
      await runSession(d);
      return;
    } catch (err) {
      if (d.signal.aborted) throw d.signal.reason;
      if (!isRetriable(err)) throw err;
      if (s.reconnectMaxRetries >= 0 && retries >= s.reconnectMaxRetries) {
        throw new StreamingError(`transport connector retries exhausted: ${describeError(err)}`, { retriable: false, cause: err });
      }
      const delay = reconnectDelay(retries, s.reconnectBaseMs, s.reconnectMaxMs, d.random);
      retries++;
      logger.warn("transport connector session ended; reconnecting", {
        error: describeError(err),
        attempt: retries,
        maxRetries: s.reconnectMaxRetries,
        delayMs: Math.round(delay),
      });
      await sleep(delay, d.signal);
    }
  }
}
