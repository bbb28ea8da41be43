/**
 * Builders of audio, video and binary stream messages that are checked when they are made, so
 * a bad frame fails where it is built rather than later inside the send loop. The checks are the
 * stream message rules and the protocol's frame bounds.
 * @module
 */
import type { AudioFrame, BinaryFrame, StreamMessage, VideoFrame } from "../engram/streaming-message.ts";
import { STREAM_KIND_DATA } from "../engram/streaming-message.ts";
import { InvalidStreamMessageError } from "../engram/streaming-validate.ts";
import { MAX_MESSAGE_BYTES } from "../streaming/wire/constants.ts";
import { toDataRequest } from "../streaming/wire/to-data-request.ts";

/** Fields every media message may carry. */
export interface MediaMessageInit {
  /** Default `data`. */
  readonly kind?: string;
  readonly messageId?: string;
  readonly timestamp?: Date;
  readonly metadata?: Readonly<Record<string, string>>;
}

/** Audio and video messages may also carry JSON objects (sent as the `payload`/`inputs` Structs). */
export interface StructuredMediaInit extends MediaMessageInit {
  /** A JSON object sent beside the frame (the `payload` Struct). */
  readonly json?: Readonly<Record<string, unknown>>;
  /** A JSON object sent as `inputs`. */
  readonly inputs?: Readonly<Record<string, unknown>>;
}

/** The audio parameters of {@link audioMessage}. */
export interface AudioMessageInit extends StructuredMediaInit {
  /** 8000..192000. */
  readonly sampleRateHz: number;
  /** 1..8. */
  readonly channels: number;
  /** Set when the bytes are encoded (for example `opus`); at most 32 characters. */
  readonly codec?: string;
  /** Position in the stream in ms (>= 0). */
  readonly timestampMs?: number;
}

/** The video parameters of {@link videoMessage}. */
export interface VideoMessageInit extends StructuredMediaInit {
  /** Required unless `raw`; at most 32 characters. */
  readonly codec?: string;
  /** Required (1..16384) when `raw`. */
  readonly width?: number;
  /** Required (1..16384) when `raw`. */
  readonly height?: number;
  /** Uncompressed frames. */
  readonly raw?: boolean;
  readonly timestampMs?: number;
}

/** The extra fields of {@link binaryMessage}. */
export interface BinaryMessageInit extends MediaMessageInit {
  readonly timestampMs?: number;
}

const encoder = new TextEncoder();

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function requireBytes(value: unknown, what: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new InvalidStreamMessageError(`${what} must be a Uint8Array`);
  return value;
}

function requireInteger(value: number | undefined, what: string): void {
  // int32/uint32 on the wire: a fraction would be cut or rejected by the encoder, far from here.
  if (value !== undefined && !Number.isInteger(value))
    throw new InvalidStreamMessageError(`${what} must be an integer`);
}

function base(init: MediaMessageInit | StructuredMediaInit): Mutable<StreamMessage> {
  const msg: Mutable<StreamMessage> = { kind: init.kind ?? STREAM_KIND_DATA };
  if (init.messageId !== undefined) msg.messageId = init.messageId;
  if (init.timestamp !== undefined) msg.timestamp = init.timestamp;
  if (init.metadata !== undefined) msg.metadata = { ...init.metadata };
  const structured = init as StructuredMediaInit;
  if (structured.json !== undefined) msg.payload = encoder.encode(JSON.stringify(structured.json));
  if (structured.inputs !== undefined) msg.inputs = encoder.encode(JSON.stringify(structured.inputs));
  return msg;
}

/**
 * Runs the send-time checks (the stream message rules and the proto's field bounds) on
 * `msg`. A frame over the 10 MiB gRPC limit is let through here, so that it can still be
 * offloaded with `offloadMediaMessage`; sent inline it fails at send time.
 */
function check(msg: StreamMessage): StreamMessage {
  const cap = (b: Uint8Array): Uint8Array => (b.length > MAX_MESSAGE_BYTES ? b.subarray(0, MAX_MESSAGE_BYTES) : b);
  const probe: StreamMessage = {
    ...msg,
    audio: msg.audio && { ...msg.audio, pcm: cap(msg.audio.pcm) },
    video: msg.video && { ...msg.video, payload: cap(msg.video.payload) },
    binary: msg.binary && { ...msg.binary, payload: cap(msg.binary.payload) },
  };
  toDataRequest(probe);
  return msg;
}

/**
 * An audio message (raw little-endian PCM, or encoded bytes with `codec`).
 *
 * @example
 * ```ts
 * await outbound.send(audioMessage(pcm, { sampleRateHz: 16000, channels: 1, timestampMs: 20 }));
 * ```
 * @throws {InvalidStreamMessageError} when the frame or the message breaks the stream contract.
 */
export function audioMessage(pcm: Uint8Array, init: AudioMessageInit): StreamMessage {
  requireInteger(init.sampleRateHz, "audio sampleRateHz");
  requireInteger(init.channels, "audio channels");
  const audio: Mutable<AudioFrame> = {
    pcm: requireBytes(pcm, "audio pcm"),
    sampleRateHz: init.sampleRateHz,
    channels: init.channels,
  };
  if (init.codec !== undefined) audio.codec = init.codec;
  if (init.timestampMs !== undefined) audio.timestampMs = init.timestampMs;
  return check({ ...base(init), audio });
}

/**
 * A video message: encoded (`codec` required) or raw (`raw` with `width` and `height`).
 * @throws {InvalidStreamMessageError} when the frame or the message breaks the stream contract.
 */
export function videoMessage(payload: Uint8Array, init: VideoMessageInit): StreamMessage {
  requireInteger(init.width, "video width");
  requireInteger(init.height, "video height");
  const video: Mutable<VideoFrame> = { payload: requireBytes(payload, "video payload") };
  if (init.codec !== undefined) video.codec = init.codec;
  if (init.width !== undefined) video.width = init.width;
  if (init.height !== undefined) video.height = init.height;
  if (init.raw !== undefined) video.raw = init.raw;
  if (init.timestampMs !== undefined) video.timestampMs = init.timestampMs;
  return check({ ...base(init), video });
}

/**
 * An opaque binary message: the bytes travel as they are, with `mimeType` (empty = sent as
 * `application/octet-stream`). The reserved `application/vnd.bubu.packet+json` is rejected; for
 * JSON use `newStreamMessage(kind, { json })`.
 * @throws {InvalidStreamMessageError} when the frame or the message breaks the stream contract.
 */
export function binaryMessage(payload: Uint8Array, mimeType: string, init: BinaryMessageInit = {}): StreamMessage {
  const binary: Mutable<BinaryFrame> = { payload: requireBytes(payload, "binary payload") };
  if (mimeType !== "") binary.mimeType = mimeType;
  if (init.timestampMs !== undefined) binary.timestampMs = init.timestampMs;
  return check({ ...base(init), binary });
}
