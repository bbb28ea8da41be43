/**
 * Sessions with reconnects: jittered exponential backoff (backoff.ts) and one retry budget
 * (`BUBU_GRPC_RECONNECT_MAX_RETRIES`) for the whole process. A session that worked does not
 * reset the budget, as in Go, so a connector that keeps failing ends the engram.
 * @module
 */
import { Code, ConnectError } from "@connectrpc/connect";
import {
  recordClientBufferAdded,
  recordStreamReconnectAttempt,
  recordStreamReconnectFailure,
} from "../observability/instruments.ts";
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
      // Packets queued while no session was up (during the backoff and the dial) ride over the
      // reconnect in the client buffer too; mark them once the new session can send.
      const reconnected = retries > 0;
      await runSession({
        ...d,
        onEstablished: () => {
          if (reconnected) markBuffered(d.pipeline);
          d.onEstablished?.();
        },
      });
      return;
    } catch (err) {
      if (d.signal.aborted) throw d.signal.reason;
      if (!isRetriable(err)) throw err;
      const reason = reconnectReason(err);
      if (s.reconnectMaxRetries >= 0 && retries >= s.reconnectMaxRetries) {
        recordStreamReconnectFailure(reason);
        throw new StreamingError(`transport connector retries exhausted: ${describeError(err)}`, {
          retriable: false,
          cause: err,
        });
      }
      recordStreamReconnectAttempt(reason);
      // What waits in the outbound queue now (the unfinished write included) rides over the
      // reconnect in the client buffer; the next session counts it as flushed when it is sent.
      markBuffered(d.pipeline);
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

/** Marks every queued packet not yet counted as added to the client buffer. */
function markBuffered(pipeline: ConnectorLoopDeps["pipeline"]): void {
  for (const packet of pipeline.outbound.peekAll()) {
    if (packet.buffered) continue;
    packet.buffered = true;
    recordClientBufferAdded("reconnect");
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
  if (text.includes("handshake") || text.includes("startup metadata") || text.includes("startup.capabilities"))
    return "handshake";
  if (text.includes("hang detected")) return "hang";
  if (text.includes("send timed out")) return "send_timeout";
  if (text.includes("EOF")) return "eof";
  if (text.includes("invalid inbound packet")) return "invalid_packet";
  return "error";
}
