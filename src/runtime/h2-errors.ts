/**
 * gRPC codes for Node HTTP/2 failures, as `@connectrpc/connect-node` assigns them (so the
 * connector session sees the same codes whichever streaming path carried the call; gRPC's
 * PROTOCOL-HTTP2.md "Errors" for the RST_STREAM codes).
 * @module
 */
import { Code, ConnectError } from "@connectrpc/connect";

/** RST_STREAM codes used here (RFC 9113 §7). */
export const H2_INTERNAL_ERROR = 0x2;
export const H2_CANCEL = 0x8;

const RESET_CODES: ReadonlyMap<number, [string, Code]> = new Map([
  [0x1, ["PROTOCOL_ERROR", Code.Internal]],
  [0x2, ["INTERNAL_ERROR", Code.Internal]],
  [0x3, ["FLOW_CONTROL_ERROR", Code.Internal]],
  [0x4, ["SETTINGS_TIMEOUT", Code.Internal]],
  [0x6, ["FRAME_SIZE_ERROR", Code.Internal]],
  [0x7, ["REFUSED_STREAM", Code.Unavailable]],
  [0x8, ["CANCEL", Code.Canceled]],
  [0x9, ["COMPRESSION_ERROR", Code.Internal]],
  [0xa, ["CONNECT_ERROR", Code.Internal]],
  [0xb, ["ENHANCE_YOUR_CALM", Code.ResourceExhausted]],
  [0xc, ["INADEQUATE_SECURITY", Code.PermissionDenied]],
  [0xd, ["HTTP_1_1_REQUIRED", Code.PermissionDenied]],
]);

/** The error for a stream reset with `rstCode`; undefined for NO_ERROR and STREAM_CLOSED. */
export function connectErrorFromResetCode(rstCode: number): ConnectError | undefined {
  const known = RESET_CODES.get(rstCode);
  if (known === undefined) return undefined;
  return new ConnectError(`http/2 stream closed with error code ${known[0]} (0x${rstCode.toString(16)})`, known[1]);
}

/** A `ConnectError` for a Node error (socket and stream error codes decide the gRPC code). */
export function connectErrorFromNodeReason(reason: unknown): ConnectError {
  if (reason instanceof ConnectError) return reason;
  const codes = errorCodes(reason);
  let code = Code.Internal;
  if (
    codes.some(
      (c) =>
        c === "ERR_STREAM_WRITE_AFTER_END" ||
        c === "ERR_STREAM_DESTROYED" ||
        c === "ERR_HTTP2_INVALID_STREAM" ||
        c === "ECONNRESET",
    )
  ) {
    code = Code.Aborted;
  } else if (codes.some((c) => c === "ETIMEDOUT" || c === "ENOTFOUND" || c === "EAI_AGAIN" || c === "ECONNREFUSED")) {
    code = Code.Unavailable;
  }
  const err = ConnectError.from(reason, code);
  if (err !== reason) err.cause = reason;
  return err;
}

/** The `code` strings along an error's `cause` chain. */
function errorCodes(reason: unknown): string[] {
  const out: string[] = [];
  const seen = new Set<unknown>();
  for (let r = reason; r instanceof Error && !seen.has(r); r = (r as { cause?: unknown }).cause) {
    seen.add(r);
    const c = (r as { code?: unknown }).code;
    if (typeof c === "string") out.push(c);
  }
  return out;
}
