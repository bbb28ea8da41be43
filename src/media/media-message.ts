/**
 * Stream messages whose frame bytes live in shared storage: {@link offloadMediaMessage} turns a
 * large audio, video or binary message into a small JSON data message that carries a
 * {@link StorageReference} and the frame's parameters; {@link resolveMediaMessage} turns it back.
 *
 * The JSON payload (documented shape; other top-level fields of an audio/video payload are kept):
 *
 * ```json
 * {"mediaRef":{"frame":"audio",
 *              "ref":{"path":"streams/ns/run/step/2026/01/02/1767312000-000042-0a1b2c3d.bin",
 *                     "contentType":"application/octet-stream","sizeBytes":96000},
 *              "sampleRateHz":16000,"channels":1,"codec":"opus","timestampMs":20}}
 * ```
 *
 * `frame` is `audio` (`sampleRateHz`, `channels`, `codec`?, `timestampMs`?), `video` (`codec`?,
 * `width`?, `height`?, `raw`?, `timestampMs`?) or `binary` (`mimeType`?, `timestampMs`?);
 * optional fields are left out when unset.
 * @module
 */
import type { StreamMessage } from "../engram/streaming-message.ts";
import { STREAM_KIND_DATA } from "../engram/streaming-message.ts";
import { InvalidStreamMessageError, validateStreamMessage } from "../engram/streaming-validate.ts";
import type { EnvSource } from "../env/source.ts";
import { StorageError } from "../storage/errors.ts";
import type { StorageManager } from "../storage/manager.ts";
import { toDataRequest } from "../streaming/wire/to-data-request.ts";
import { type MediaWriteOptions, maybeOffloadBlob } from "./offload-blob.ts";
import { processEnv } from "./process-env.ts";
import { type ReadBlobOptions, readBlob } from "./read-blob.ts";
import { parseStorageReference, type StorageReference, storageReferenceJson } from "./storage-reference.ts";

/** The payload key of an offloaded frame. */
export const MEDIA_REF_KEY: string = "mediaRef";

/** An offloaded audio frame. */
export interface AudioMediaReference {
  readonly frame: "audio";
  readonly ref: StorageReference;
  readonly sampleRateHz: number;
  readonly channels: number;
  readonly codec?: string;
  readonly timestampMs?: number;
}

/** An offloaded video frame. */
export interface VideoMediaReference {
  readonly frame: "video";
  readonly ref: StorageReference;
  readonly codec?: string;
  readonly width?: number;
  readonly height?: number;
  readonly raw?: boolean;
  readonly timestampMs?: number;
}

/** An offloaded binary frame. */
export interface BinaryMediaReference {
  readonly frame: "binary";
  readonly ref: StorageReference;
  readonly mimeType?: string;
  readonly timestampMs?: number;
}

/** The value under `mediaRef` in the payload of an offloaded media message. */
export type MediaReference = AudioMediaReference | VideoMediaReference | BinaryMediaReference;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Drops `undefined` fields so JSON and deep comparisons see only what was set. */
function defined<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

function payloadObject(msg: StreamMessage): Record<string, unknown> {
  if (msg.payload === undefined || msg.payload.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(msg.payload));
  } catch (err) {
    throw new InvalidStreamMessageError(`payload decode failed: ${(err as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidStreamMessageError(
      "payload decode failed: payload must be a JSON object beside an audio or video frame",
    );
  }
  return value as Record<string, unknown>;
}

/**
 * Offloads the frame bytes of `msg` when they exceed the inline limit (see `maybeOffloadBlob`
 * for the limit, the path and when nothing is written) and returns a `data` message whose JSON
 * payload is `{"mediaRef": …}` (module docs), with the original kind, id, timestamp, metadata,
 * inputs and transports. Otherwise returns `msg` itself. The stored content type is
 * `opts.contentType`, else the binary frame's MIME type, else `application/octet-stream`.
 *
 * @example
 * ```ts
 * const msg = audioMessage(pcm, { sampleRateHz: 48000, channels: 2 });
 * await outbound.send(await offloadMediaMessage(storage, msg, { namespace, storyRun, step }));
 * ```
 * @throws {InvalidStreamMessageError} when `msg` has no frame or breaks the stream contract.
 * @throws {StorageError} when the write fails.
 */
export async function offloadMediaMessage(
  manager: StorageManager | undefined,
  msg: StreamMessage,
  opts: MediaWriteOptions,
  env: EnvSource = processEnv(),
): Promise<StreamMessage> {
  validateStreamMessage(msg);
  const { audio, video, binary } = msg;
  const bytes = audio?.pcm ?? video?.payload ?? binary?.payload;
  if (bytes === undefined) throw new InvalidStreamMessageError("media message needs an audio, video or binary frame");
  const rest = binary ? {} : payloadObject(msg);
  if (Object.hasOwn(rest, MEDIA_REF_KEY))
    throw new InvalidStreamMessageError(`payload key ${JSON.stringify(MEDIA_REF_KEY)} is reserved for offloaded media`);
  const contentType = opts.contentType?.trim() ? opts.contentType : binary?.mimeType;
  const stored = await maybeOffloadBlob(manager, bytes, { ...opts, contentType }, env);
  if (stored === undefined) return msg;

  const ref = storageReferenceJson(stored);
  let media: MediaReference;
  if (audio) {
    media = defined({
      frame: "audio" as const,
      ref,
      sampleRateHz: audio.sampleRateHz,
      channels: audio.channels,
      codec: audio.codec,
      timestampMs: audio.timestampMs,
    });
  } else if (video) {
    media = defined({
      frame: "video" as const,
      ref,
      codec: video.codec,
      width: video.width,
      height: video.height,
      raw: video.raw,
      timestampMs: video.timestampMs,
    });
  } else {
    media = defined({ frame: "binary" as const, ref, mimeType: binary!.mimeType, timestampMs: binary!.timestampMs });
  }
  const out: Mutable<StreamMessage> = defined({
    kind: msg.kind || STREAM_KIND_DATA,
    messageId: msg.messageId,
    timestamp: msg.timestamp,
    metadata: msg.metadata,
    payload: encoder.encode(JSON.stringify({ ...rest, [MEDIA_REF_KEY]: media })),
    inputs: msg.inputs,
    transports: msg.transports,
    envelope: msg.envelope,
  });
  toDataRequest(out);
  return out;
}

function invalid(reason: string): StorageError {
  return new StorageError(`invalid media reference: ${reason}`, { code: "InvalidReference" });
}

function field<T>(v: Record<string, unknown>, key: string, type: "string" | "number" | "boolean"): T | undefined {
  const x = v[key];
  if (x === undefined || x === null) return undefined;
  if (typeof x !== type) throw invalid(`${key} must be a ${type}`);
  return x as T;
}

function parseMediaReference(value: Record<string, unknown>): MediaReference {
  const ref = parseStorageReference(value.ref);
  const timestampMs = field<number>(value, "timestampMs", "number");
  switch (value.frame) {
    case "audio": {
      const sampleRateHz = field<number>(value, "sampleRateHz", "number") ?? 0;
      const channels = field<number>(value, "channels", "number") ?? 0;
      return defined({
        frame: "audio" as const,
        ref,
        sampleRateHz,
        channels,
        codec: field<string>(value, "codec", "string"),
        timestampMs,
      });
    }
    case "video":
      return defined({
        frame: "video" as const,
        ref,
        codec: field<string>(value, "codec", "string"),
        width: field<number>(value, "width", "number"),
        height: field<number>(value, "height", "number"),
        raw: field<boolean>(value, "raw", "boolean"),
        timestampMs,
      });
    case "binary":
      return defined({
        frame: "binary" as const,
        ref,
        mimeType: field<string>(value, "mimeType", "string"),
        timestampMs,
      });
    default:
      throw invalid(`frame must be "audio", "video" or "binary" (got ${JSON.stringify(value.frame)})`);
  }
}

/** The payload as a JSON object, or `undefined` when it is absent or not one. */
function tryPayloadObject(msg: StreamMessage): Record<string, unknown> | undefined {
  if (msg.payload === undefined || msg.payload.length === 0) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(msg.payload));
  } catch {
    return undefined; // an opaque binary payload
  }
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** Where {@link offloadMediaMessage} writes: the only prefix {@link resolveMediaMessage} reads by default. */
export const MEDIA_PATH_PREFIX = "streams/";

/** Default read cap of {@link resolveMediaMessage}: the proto's 64 MiB chunked-message limit. */
export const DEFAULT_MEDIA_READ_MAX_BYTES: number = 64 * 1024 * 1024;

/** Options of {@link resolveMediaMessage}. */
export interface ResolveMediaOptions extends ReadBlobOptions {
  /** Path prefixes a reference may point under; default `["streams/"]`. */
  readonly allowedPrefixes?: readonly string[];
}

/**
 * The {@link MediaReference} in `msg`'s payload, or `undefined` when the payload is not a JSON
 * object with a `mediaRef` object that has a `ref`. Throws a `StorageError` (code
 * `InvalidReference`) for a `mediaRef` with a `ref` whose fields have the wrong types.
 */
export function mediaReferenceOf(msg: StreamMessage): MediaReference | undefined {
  const media = tryPayloadObject(msg)?.[MEDIA_REF_KEY];
  if (typeof media !== "object" || media === null || Array.isArray(media) || !Object.hasOwn(media, "ref"))
    return undefined;
  return parseMediaReference(media as Record<string, unknown>);
}

/**
 * Reverses {@link offloadMediaMessage}: reads the referenced bytes and returns the message with
 * its audio, video or binary frame restored (a binary frame's bytes also fill `payload`, as on
 * an inbound raw-binary message). Other payload fields stay in `payload` beside an audio or video
 * frame and are dropped for a binary one. A message without a media reference is returned as it
 * is. For an `InboundMessage`, still call `done()` on the original.
 *
 * Only references under `options.allowedPrefixes` (default `streams/`) are read, and at most
 * `options.maxBytes` (default 64 MiB).
 *
 * @throws {StorageError} `storage reference missing path`, `storage is disabled`,
 *   `invalid storage path: …`, a path outside the allowed prefixes (`InvalidPath`), an object over
 *   the cap (`TooLarge`), a read failure, or a size that differs from `ref.sizeBytes`
 *   (code `SizeMismatch`).
 * @throws {InvalidStreamMessageError} when the restored frame breaks the stream contract.
 */
export async function resolveMediaMessage(
  manager: StorageManager | undefined,
  msg: StreamMessage,
  options: ResolveMediaOptions = {},
): Promise<StreamMessage> {
  const media = mediaReferenceOf(msg);
  if (media === undefined) return msg;
  // The reference comes from another step's packet: only media objects, and a bounded read, so
  // a packet cannot make this engram read (or buffer) any object in the shared store.
  const prefixes = options.allowedPrefixes ?? [MEDIA_PATH_PREFIX];
  const path = media.ref.path;
  if (typeof path === "string" && path.trim() !== "" && !prefixes.some((p) => path.startsWith(p))) {
    throw new StorageError(
      `storage reference '${media.ref.path}' is outside the media paths (${prefixes.join(", ")})`,
      { code: "InvalidPath" },
    );
  }
  const maxBytes = options.maxBytes ?? DEFAULT_MEDIA_READ_MAX_BYTES;
  if (media.ref.sizeBytes !== undefined && media.ref.sizeBytes > maxBytes) {
    throw new StorageError(
      `storage reference '${media.ref.path}' is ${media.ref.sizeBytes} bytes, more than the ${maxBytes} allowed`,
      { code: "TooLarge" },
    );
  }
  const bytes = await readBlob(manager, media.ref, { ...options, maxBytes });
  if (media.ref.sizeBytes !== undefined && media.ref.sizeBytes !== bytes.length) {
    throw new StorageError(
      `storage reference size mismatch for '${media.ref.path}': expected ${media.ref.sizeBytes} bytes, read ${bytes.length}`,
      {
        code: "SizeMismatch",
      },
    );
  }
  const { [MEDIA_REF_KEY]: _media, ...rest } = tryPayloadObject(msg)!;
  const out: Mutable<StreamMessage> = defined({
    kind: msg.kind,
    messageId: msg.messageId,
    timestamp: msg.timestamp,
    metadata: msg.metadata,
    inputs: msg.inputs,
    transports: msg.transports,
    envelope: msg.envelope,
  });
  if (media.frame === "binary") {
    out.payload = bytes;
    out.binary = defined({ payload: bytes, mimeType: media.mimeType, timestampMs: media.timestampMs });
  } else {
    if (Object.keys(rest).length > 0) out.payload = encoder.encode(JSON.stringify(rest));
    if (media.frame === "audio") {
      out.audio = defined({
        pcm: bytes,
        sampleRateHz: media.sampleRateHz,
        channels: media.channels,
        codec: media.codec,
        timestampMs: media.timestampMs,
      });
    } else {
      out.video = defined({
        payload: bytes,
        codec: media.codec,
        width: media.width,
        height: media.height,
        raw: media.raw,
        timestampMs: media.timestampMs,
      });
    }
  }
  validateStreamMessage(out);
  return out;
}
