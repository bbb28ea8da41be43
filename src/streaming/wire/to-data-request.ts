/**
 * Outbound: `StreamMessage` → `DataRequest`, in the wire form the Go SDK writes. Audio and video
 * travel as their frames (payload and inputs as Structs beside them); opaque binary as a raw
 * binary frame; anything structured (a kind, a JSON payload, inputs, transports) as an envelope
 * frame (`application/vnd.bubu.packet+json`) plus the `payload`/`inputs` Structs. Kind, message
 * id and timestamp also ride in the `bubu.envelope.*` metadata on every path.
 * @module
 */
import type { JsonObject } from "@bufbuild/protobuf";
import type { StreamEnvelopeInfo, StreamMessage, StreamTransportDescriptor } from "../../engram/streaming-message.ts";
import {
  bytesEqual,
  ENVELOPE_MIME_TYPE,
  InvalidStreamMessageError,
  mimeIs,
  validateStreamMessage,
} from "../../engram/streaming-validate.ts";
import type { DataRequest, StreamEnvelope, TransportDescriptor } from "../../gen/transport/v1/transport_pb.ts";
import { packetProblem } from "./bounds.ts";
import { META_KIND, META_MESSAGE_ID, META_TIMESTAMP_MS, OCTET_STREAM } from "./constants.ts";
import { encodeEnvelope } from "./envelope.ts";
import { decodeUtf8Strict } from "./raw-json.ts";

const decoder = new TextDecoder();

/**
 * The JSON object in `bytes` (for the Struct). `strictUtf8` on the envelope path, where the bytes
 * are copied into the envelope as they are and so must be valid UTF-8.
 */
function objectJson(
  bytes: Uint8Array | undefined,
  what: "payload" | "inputs",
  strictUtf8 = false,
): JsonObject | undefined {
  if (bytes === undefined || bytes.length === 0) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(strictUtf8 ? decodeUtf8Strict(bytes) : decoder.decode(bytes));
  } catch (err) {
    throw new InvalidStreamMessageError(`${what} decode failed: ${(err as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidStreamMessageError(`${what} decode failed: ${what} must be a JSON object on the structured path`);
  }
  return value as JsonObject;
}

function frameTs(ms: number | undefined): bigint {
  return ms === undefined || ms <= 0 ? 0n : BigInt(Math.trunc(ms));
}

/** The envelope (`StreamEnvelope`) proto from its plain form. */
export function envelopeToProto(e: StreamEnvelopeInfo): StreamEnvelope {
  return {
    $typeName: "transport.v1.StreamEnvelope",
    streamId: e.streamId ?? "",
    sequence: e.sequence ?? 0n,
    partition: e.partition ?? "",
    chunkId: e.chunkId ?? "",
    chunkIndex: e.chunkIndex ?? 0,
    chunkCount: e.chunkCount ?? 0,
    chunkBytes: e.chunkBytes ?? 0,
    totalBytes: e.totalBytes ?? 0,
  };
}

function transportToProto(t: StreamTransportDescriptor): TransportDescriptor {
  const tc = t.typedConfig;
  const out: TransportDescriptor = {
    $typeName: "transport.v1.TransportDescriptor",
    name: t.name,
    kind: t.kind,
    mode: t.mode ?? "",
  };
  if (tc && (tc.transportRef || tc.modeReason)) {
    out.typedConfig = {
      $typeName: "transport.v1.TransportConfig",
      transportRef: tc.transportRef ?? "",
      modeReason: tc.modeReason ?? "",
    };
  }
  return out;
}

/**
 * Whether a binary message travels as raw bytes instead of an envelope: opaque bytes with no
 * inputs, transports or envelope, and no payload or the same bytes as the payload (a mirrored
 * `application/json` payload still goes as an envelope). Go draws the same line.
 */
function bypassesEnvelope(msg: StreamMessage): boolean {
  const b = msg.binary;
  if (b === undefined || mimeIs(b.mimeType, ENVELOPE_MIME_TYPE)) return false;
  if ((msg.inputs?.length ?? 0) > 0 || (msg.transports?.length ?? 0) > 0 || msg.envelope !== undefined) return false;
  if ((msg.payload?.length ?? 0) === 0) return true;
  return bytesEqual(msg.payload, b.payload) && !mimeIs(b.mimeType, "application/json");
}

/**
 * Converts and validates one outbound message.
 * @throws {InvalidStreamMessageError} for an invalid message, a payload or inputs that is not a
 * JSON object on a Struct path, or a breach of the proto's bounds.
 */
export function toDataRequest(msg: StreamMessage): DataRequest {
  validateStreamMessage(msg);
  const metadata: Record<string, string> = { ...msg.metadata };
  if (msg.kind) metadata[META_KIND] = msg.kind;
  if (msg.messageId) metadata[META_MESSAGE_ID] = msg.messageId;
  const timestampMs = msg.timestamp === undefined ? 0 : msg.timestamp.getTime();
  if (msg.timestamp !== undefined) metadata[META_TIMESTAMP_MS] = String(timestampMs);

  const req: DataRequest = {
    $typeName: "transport.v1.DataRequest",
    frame: { case: undefined },
    metadata,
    transports: (msg.transports ?? []).map(transportToProto),
  };
  if (msg.envelope !== undefined) req.envelope = envelopeToProto(msg.envelope);

  if (msg.audio !== undefined) {
    const a = msg.audio;
    req.frame = {
      case: "audio",
      value: {
        $typeName: "transport.v1.AudioFrame",
        pcm: a.pcm,
        sampleRateHz: a.sampleRateHz,
        channels: a.channels,
        codec: a.codec ?? "",
        timestampMs: frameTs(a.timestampMs),
      },
    };
    req.payload = objectJson(msg.payload, "payload");
    req.inputs = objectJson(msg.inputs, "inputs");
  } else if (msg.video !== undefined) {
    const v = msg.video;
    req.frame = {
      case: "video",
      value: {
        $typeName: "transport.v1.VideoFrame",
        payload: v.payload,
        codec: v.codec ?? "",
        width: v.width ?? 0,
        height: v.height ?? 0,
        timestampMs: frameTs(v.timestampMs),
        raw: v.raw ?? false,
      },
    };
    req.payload = objectJson(msg.payload, "payload");
    req.inputs = objectJson(msg.inputs, "inputs");
  } else if (bypassesEnvelope(msg)) {
    const b = msg.binary!;
    req.frame = {
      case: "binary",
      value: {
        $typeName: "transport.v1.BinaryFrame",
        payload: b.payload,
        mimeType: b.mimeType || OCTET_STREAM,
        timestampMs: frameTs(b.timestampMs),
      },
    };
  } else if (
    msg.kind ||
    (msg.payload?.length ?? 0) > 0 ||
    (msg.inputs?.length ?? 0) > 0 ||
    (msg.transports?.length ?? 0) > 0
  ) {
    req.payload = objectJson(msg.payload, "payload", true);
    req.inputs = objectJson(msg.inputs, "inputs", true);
    const envMeta: Record<string, string> = {};
    for (const [k, v] of Object.entries(msg.metadata ?? {})) if (!k.startsWith("bubu.envelope.")) envMeta[k] = v;
    const hasBody =
      (msg.payload?.length ?? 0) > 0 || (msg.inputs?.length ?? 0) > 0 || (msg.transports?.length ?? 0) > 0;
    const body = encodeEnvelope({
      kind: msg.kind || (hasBody ? "data" : undefined),
      messageId: msg.messageId,
      timestampMs,
      metadata: envMeta,
      payload: msg.payload,
      inputs: msg.inputs,
      transports: msg.transports ? [...msg.transports] : undefined,
    });
    // A set binary timestamp wins over the message's. (Go takes the binary frame's even when it
    // is 0, losing the message timestamp.)
    const ts =
      msg.binary?.timestampMs !== undefined && msg.binary.timestampMs > 0 ? msg.binary.timestampMs : timestampMs;
    req.frame = {
      case: "binary",
      value: {
        $typeName: "transport.v1.BinaryFrame",
        payload: body,
        mimeType: ENVELOPE_MIME_TYPE,
        timestampMs: frameTs(ts),
      },
    };
  } else {
    throw new InvalidStreamMessageError("stream message missing audio, video, or binary payload");
  }
  const problem = packetProblem(req);
  if (problem !== undefined) throw new InvalidStreamMessageError(problem);
  return req;
}
