/**
 * The structural rules every stream message must meet before it is sent.
 * @module
 */
import type { StreamMessage } from "./streaming-message.ts";

/** The message prefix of an {@link InvalidStreamMessageError}. */
export const INVALID_STREAM_MESSAGE = "invalid stream message";

/** The reserved envelope MIME type (`application/vnd.bubu.packet+json`). */
export const ENVELOPE_MIME_TYPE = "application/vnd.bubu.packet+json";

/** A message that breaks the stream message rules. `message` is `invalid stream message: <reason>`. */
export class InvalidStreamMessageError extends Error {
  override readonly name: string = "InvalidStreamMessageError";
  /** The reason alone, without the prefix. */
  readonly reason: string;
  constructor(reason: string) {
    super(`${INVALID_STREAM_MESSAGE}: ${reason}`);
    this.reason = reason;
  }
}

const KIND_RE = /^[A-Za-z0-9._-]+$/;
const TOKEN = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]+";
const MIME_RE = new RegExp(
  `^${TOKEN}/${TOKEN}(?:[ \\t]*;[ \\t]*${TOKEN}=(?:${TOKEN}|"(?:[^"\\\\]|\\\\.)*"))*[ \\t]*;?[ \\t]*$`,
);

/** True when `mime`'s media type (parameters ignored, case-insensitive) is `want`. */
export function mimeIs(mime: string | undefined, want: string): boolean {
  if (mime === undefined) return false;
  const semi = mime.indexOf(";");
  return (semi < 0 ? mime : mime.slice(0, semi)).trim().toLowerCase() === want;
}

/** True when `a` and `b` hold the same bytes. */
export function bytesEqual(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function trimmed(s: string): boolean {
  return s.trim() === s;
}

function nonNegative(ts: number | undefined): boolean {
  return ts === undefined || (Number.isFinite(ts) && ts >= 0);
}

function has(bytes: Uint8Array | undefined): bytes is Uint8Array {
  return bytes !== undefined && bytes.length > 0;
}

/**
 * Checks `msg` against the stream message rules: trimmed `kind` (`[A-Za-z0-9._-]`), `messageId`
 * and metadata keys; at most one of audio, video and binary, each with its required fields;
 * `error` messages carry a payload and no frame; `heartbeat`/`noop` carry nothing; a binary
 * frame's bytes agree with `payload`, and its envelope MIME type is reserved for envelope packets.
 *
 * @remarks The Go SDK's `StreamMessage.Validate()`, with the same reasons.
 * @throws {InvalidStreamMessageError}
 */
export function validateStreamMessage(msg: StreamMessage): void {
  const fail = (reason: string): never => {
    throw new InvalidStreamMessageError(reason);
  };
  const kind = msg.kind ?? "";
  if (!trimmed(kind)) fail("kind must not have surrounding whitespace");
  if (kind !== "" && !KIND_RE.test(kind)) fail(`kind ${JSON.stringify(kind)} has characters outside [A-Za-z0-9._-]`);
  const id = msg.messageId ?? "";
  if (!trimmed(id)) fail("messageId must not have surrounding whitespace");
  if (msg.timestamp !== undefined && Number.isNaN(msg.timestamp.getTime())) fail("timestamp is not a valid date");
  for (const key of Object.keys(msg.metadata ?? {})) {
    if (key === "") fail("metadata keys must not be empty");
    if (!trimmed(key)) fail(`metadata key ${JSON.stringify(key)} has surrounding whitespace`);
  }
  const frames = [msg.audio, msg.video, msg.binary].filter((f) => f !== undefined).length;
  if (frames > 1) fail("at most one of audio, video and binary may be set");

  const lower = kind.toLowerCase();
  if (lower === "error") {
    if (!has(msg.payload)) fail("error messages require a payload");
    if (frames > 0) fail("error messages must not carry frames");
  }
  if (lower === "heartbeat" || lower === "noop") {
    const empty =
      !has(msg.payload) &&
      !has(msg.inputs) &&
      (msg.transports?.length ?? 0) === 0 &&
      Object.keys(msg.metadata ?? {}).length === 0 &&
      frames === 0 &&
      msg.envelope === undefined &&
      id === "" &&
      msg.timestamp === undefined;
    if (!empty)
      fail(
        `${lower} messages must not carry payload, inputs, transports, metadata, frames, envelope, messageId or timestamp`,
      );
  }

  if (msg.audio !== undefined) {
    const a = msg.audio;
    if (!has(a.pcm)) fail("audio pcm must not be empty");
    if (!(a.sampleRateHz > 0)) fail("audio sampleRateHz must be positive");
    if (!(a.channels > 0)) fail("audio channels must be positive");
    if (!nonNegative(a.timestampMs)) fail("audio timestamp must not be negative");
    if (a.codec !== undefined && !trimmed(a.codec)) fail("audio codec must not have surrounding whitespace");
  }
  if (msg.video !== undefined) {
    const v = msg.video;
    if (!has(v.payload)) fail("video payload must not be empty");
    const codec = v.codec ?? "";
    if (!trimmed(codec)) fail("video codec must not have surrounding whitespace");
    if (!v.raw && codec === "") fail("video codec is required unless raw");
    if (v.raw && !((v.width ?? 0) > 0 && (v.height ?? 0) > 0)) fail("raw video requires width and height");
    if (!nonNegative(v.timestampMs)) fail("video timestamp must not be negative");
  }
  if (msg.binary !== undefined) {
    const b = msg.binary;
    if (!has(b.payload)) fail("binary payload must not be empty");
    if (!nonNegative(b.timestampMs)) fail("binary timestamp must not be negative");
    const mime = b.mimeType ?? "";
    if (mime !== "") {
      if (!trimmed(mime)) fail("binary mimeType must not have surrounding whitespace");
      if (!MIME_RE.test(mime)) fail(`binary mimeType ${JSON.stringify(mime)} is not a valid media type`);
    }
    if (has(msg.payload) && !bytesEqual(msg.payload, b.payload)) fail("payload and binary payload differ");
    const structured = has(msg.inputs) || (msg.transports?.length ?? 0) > 0 || msg.envelope !== undefined;
    if (structured && !bytesEqual(msg.payload, b.payload)) {
      fail("binary payload must equal payload when inputs, transports or envelope are set");
    }
    if (mimeIs(mime, ENVELOPE_MIME_TYPE) && !bytesEqual(msg.payload, b.payload)) {
      fail(`mimeType ${ENVELOPE_MIME_TYPE} is reserved for envelope packets`);
    }
  }
}
