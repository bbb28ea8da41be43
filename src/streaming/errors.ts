/**
 * Streaming session errors and whether the reconnect loop may retry them: a bad binding, a
 * protocol mismatch and the gRPC codes that mean "this will never work" end the engram at once;
 * everything else (EOF included) is retried. Go makes the same split.
 * @module
 */
import { Code, ConnectError } from "@connectrpc/connect";
import { formatGoMillis } from "../env/duration.ts";

/** A session or transport failure. `retriable: false` ends `startStreaming` at once. */
export class StreamingError extends Error {
  override readonly name: string = "StreamingError";
  readonly retriable: boolean;
  constructor(message: string, options: { retriable: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retriable = options.retriable;
  }
}

// gRPC codes the Go SDK never retries.
const FATAL_CODES: ReadonlySet<Code> = new Set([
  Code.InvalidArgument,
  Code.PermissionDenied,
  Code.Unauthenticated,
  Code.Unimplemented,
  Code.FailedPrecondition,
]);

const FATAL_TEXTS = [
  "transport binding missing",
  "transport connector endpoint empty",
  "transport binding missing endpoint",
  "protocol mismatch",
];

/** Whether the reconnect loop may retry after `err`. */
export function isRetriable(err: unknown): boolean {
  if (err instanceof StreamingError) return err.retriable;
  if (err instanceof ConnectError) return !FATAL_CODES.has(err.code);
  const text = err instanceof Error ? err.message : String(err);
  return !FATAL_TEXTS.some((t) => text.includes(t));
}

/** The gRPC code of `err` when it is a Connect error. */
export function grpcCode(err: unknown): Code | undefined {
  return err instanceof ConnectError ? err.code : undefined;
}

/** `err`'s message with the gRPC code name, for logs and final errors. */
export function describeError(err: unknown): string {
  if (err instanceof ConnectError) return `${Code[err.code] ?? err.code}: ${err.rawMessage}`;
  return err instanceof Error ? err.message : String(err);
}

/** `err` as a session failure: a {@link StreamingError} as it is, else `prefix: …` retriable by its gRPC code. */
export function wrapRpcError(prefix: string, err: unknown): StreamingError {
  if (err instanceof StreamingError) return err;
  // The gRPC code decides retriability (FAILED_PRECONDITION etc. are fatal).
  return new StreamingError(`${prefix}: ${describeError(err)}`, { retriable: isRetriable(err), cause: err });
}

/** Milliseconds for messages, as Go prints a duration (`250ms`, `1.5s`, `1m30s`). */
export const formatMs: (ms: number) => string = formatGoMillis;
