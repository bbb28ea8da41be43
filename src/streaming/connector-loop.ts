/**
 * Sessions with reconnects: the contract's backoff and lifetime retry budget (contract
 * streaming.md §14 "Reconnect"; quirks I5: like Go, the budget is not reset by a good session).
 * @module
 */
import { Code, ConnectError } from "@connectrpc/connect";
import { recordClientBufferAdded, recordStreamReconnectAttempt, recordStreamReconnectFailure } from "../observability/instruments.ts";
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
      const reason = reconnectReason(err);
      if (s.reconnectMaxRetries >= 0 && retries >= s.reconnectMaxRetries) {
        recordStreamReconnectFailure(reason);
        throw new StreamingError(`transport connector retries exhausted: ${describeError(err)}`, { retriable: false, cause: err });
      }
      recordStreamReconnectAttempt(reason);
      // What waits in the outbound queue now (the unfinished write included) rides over the
      // reconnect in the client buffer; the next session counts it as flushed when it is sent.
      for (const packet of d.pipeline.outbound.peekAll()) {
        if (packet.buffered) continue;
        packet.buffered = true;
        recordClientBufferAdded("reconnect");
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

/**
 * A low-cardinality `reason` attribute for the reconnect metrics: the gRPC code name, or the
 * kind of session failure.
 */
export function reconnectReason(err: unknown): string {
  if (err instanceof ConnectError) return Code[err.code] ?? String(err.code);
  const text = err instanceof Error ? err.message : String(err);
  if (text.includes("dial failed")) return "dial";
  if (text.includes("handshake")) return "handshake";
  if (text.includes("hang detected")) return "hang";
  if (text.includes("send timed out")) return "send_timeout";
  if (text.includes("EOF")) return "eof";
  if (text.includes("invalid inbound packet")) return "invalid_packet";
  return "error";
}
