/**
 * The session's watchdog: it ends a session that saw no traffic for the hang timeout
 * (`BUBU_GRPC_HANG_TIMEOUT`), and one whose current Data write has not completed within the
 * message timeout (`BUBU_GRPC_MESSAGE_TIMEOUT`), because the connector stopped reading. Both
 * failures are retriable: the next session starts on a fresh connection.
 * @module
 */
import { recordBackpressureTimeout } from "../observability/instruments.ts";
import type { DataSender } from "./data-sender.ts";
import { formatMs, StreamingError } from "./errors.ts";
import type { SessionContext } from "./session-context.ts";
import type { StreamingSettings } from "./settings.ts";

/** Starts watching; returns the function that stops it. */
export function startWatchdog(ctx: SessionContext, sender: DataSender, s: StreamingSettings): () => void {
  const every = Math.max(5, Math.min(1_000, s.messageTimeoutMs / 4, s.hangTimeoutMs > 0 ? s.hangTimeoutMs / 4 : 1_000));
  const timer = setInterval(() => {
    const now = Date.now();
    if (s.hangTimeoutMs > 0 && now - ctx.lastActivity >= s.hangTimeoutMs) {
      ctx.fail(
        new StreamingError(`transport session hang detected: no activity for ${formatMs(s.hangTimeoutMs)}`, {
          retriable: true,
        }),
      );
    }
    if (sender.suspendedSince > 0 && now - sender.suspendedSince >= s.messageTimeoutMs) {
      // The connector stopped reading what we write.
      recordBackpressureTimeout("server_reader");
      ctx.fail(
        new StreamingError(`data stream send timed out after ${formatMs(s.messageTimeoutMs)}`, { retriable: true }),
      );
    }
  }, every);
  return () => clearInterval(timer);
}
