/**
 * Streaming session errors and whether the reconnect loop may retry them: a bad binding, a
 * protocol mismatch and the gRPC codes that mean "this will never work" end the engram at once;
 * everything else (EOF included) is retried. Go makes the same split.
 *
 * Connect's errors are recognised by their shape, as `ConnectError`'s own `instanceof` does, so
 * this module (which local mode loads too) does not load `@connectrpc/connect`.
 * @module
 */
import type { Code } from "@connectrpc/connect";
import { formatGoMillis } from "../env/duration.ts";

/** The gRPC status code names, by number (Connect's `Code` enum). */
const CODE_NAMES: readonly string[] = [
  "OK",
  "Canceled",
  "Unknown",
  "InvalidArgument",
  "DeadlineExceeded",
  "NotFound",
  "AlreadyExists",
  "PermissionDenied",
  "ResourceExhausted",
  "FailedPrecondition",
  "Aborted",
  "OutOfRange",
  "Unimplemented",
  "Internal",
  "Unavailable",
  "DataLoss",
  "Unauthenticated",
];

/** A Connect error's code and raw message, or `undefined` for any other value. */
function connectError(err: unknown): { readonly code: Code; readonly rawMessage: string } | undefined {
  if (!(err instanceof Error) || err.name !== "ConnectError") return undefined;
  const { code, rawMessage } = err as { code?: unknown; rawMessage?: unknown };
  if (typeof code !== "number") return undefined;
  return { code: code as Code, rawMessage: typeof rawMessage === "string" ? rawMessage : err.message };
}

/** A session or transport failure. `retriable: false` ends `startStreaming` at once. */
export class StreamingError extends Error {
  override readonly name: string = "StreamingError";
  readonly retriable: boolean;
  constructor(message: string, options: { retriable: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retriable = options.retriable;
  }
}

// gRPC codes the Go SDK never retries: InvalidArgument, PermissionDenied, FailedPrecondition,
// Unimplemented, Unauthenticated.
const FATAL_CODES: ReadonlySet<number> = new Set([3, 7, 9, 12, 16]);

const FATAL_TEXTS = [
  "transport binding missing",
  "transport connector endpoint empty",
  "transport binding missing endpoint",
  "protocol mismatch",
];

/** Whether the reconnect loop may retry after `err`. */
export function isRetriable(err: unknown): boolean {
  if (err instanceof StreamingError) return err.retriable;
  const rpc = connectError(err);
  if (rpc !== undefined) return !FATAL_CODES.has(rpc.code);
  const text = err instanceof Error ? err.message : String(err);
  return !FATAL_TEXTS.some((t) => text.includes(t));
}

/** The gRPC code of `err` when it is a Connect error. */
export function grpcCode(err: unknown): Code | undefined {
  return connectError(err)?.code;
}

/** `err`'s message with the gRPC code name, for logs and final errors. */
export function describeError(err: unknown): string {
  const rpc = connectError(err);
  if (rpc !== undefined) return `${CODE_NAMES[rpc.code] ?? rpc.code}: ${rpc.rawMessage}`;
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
