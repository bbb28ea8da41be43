/**
 * Inbound: `DataResponse` → `StreamMessage`, as the Go SDK reads it. An envelope frame gives the
 * kind, id, timestamp, metadata, transports and the raw `payload`/`inputs` JSON (the payload also
 * mirrored as an `application/json` binary); any other binary frame is opaque bytes in both
 * `payload` and `binary`. The packet's reserved `bubu.envelope.*` metadata then overrides kind,
 * id and timestamp, and its Structs and transports fill in what the frame did not set.
 * @module
 */
import type { JsonObject } from "@bufbuild/protobuf";
import type { StreamEnvelopeInfo, StreamMessage, StreamTransportDescriptor } from "../../engram/streaming-message.ts";
import {
  ENVELOPE_MIME_TYPE,
  InvalidStreamMessageError,
  mimeIs,
  validateStreamMessage,
} from "../../engram/streaming-validate.ts";
import type { DataResponse, StreamEnvelope } from "../../gen/transport/v1/transport_pb.ts";
import { META_HEARTBEAT, META_KIND, META_MESSAGE_ID, META_TIMESTAMP_MS, OCTET_STREAM } from "./constants.ts";
import { decodeEnvelope } from "./envelope.ts";

const encoder = new TextEncoder();

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function structBytes(s: JsonObject | undefined): Uint8Array | undefined {
  return s === undefined ? undefined : encoder.encode(JSON.stringify(s));
}

function ms(v: bigint): number | undefined {
  return v === 0n ? undefined : Number(v);
}

/** The plain form of a proto envelope. */
export function envelopeFromProto(e: StreamEnvelope): StreamEnvelopeInfo {
  const out: Mutable<StreamEnvelopeInfo> = {};
  if (e.streamId) out.streamId = e.streamId;
  if (e.sequence) out.sequence = e.sequence;
  if (e.partition) out.partition = e.partition;
  if (e.chunkId) out.chunkId = e.chunkId;
  if (e.chunkIndex) out.chunkIndex = e.chunkIndex;
  if (e.chunkCount) out.chunkCount = e.chunkCount;
  if (e.chunkBytes) out.chunkBytes = e.chunkBytes;
  if (e.totalBytes) out.totalBytes = e.totalBytes;
  return out;
}

/**
 * Converts one assembled inbound packet. Returns `undefined` for a frame-less packet (a
 * keepalive; never delivered).
 * @throws {InvalidStreamMessageError} for an undecodable envelope or an invalid message.
 */
export function fromDataResponse(p: DataResponse): StreamMessage | undefined {
  const msg: Mutable<StreamMessage> = {};
  const f = p.frame;
  switch (f.case) {
    case undefined:
      return undefined;
    case "audio": {
      const a = f.value;
      msg.audio = {
        pcm: a.pcm,
        sampleRateHz: a.sampleRateHz,
        channels: a.channels,
        codec: a.codec || undefined,
        timestampMs: ms(a.timestampMs),
      };
      break;
    }
    case "video": {
      const v = f.value;
      msg.video = {
        payload: v.payload,
        codec: v.codec || undefined,
        width: v.width || undefined,
        height: v.height || undefined,
        timestampMs: ms(v.timestampMs),
        raw: v.raw || undefined,
      };
      break;
    }
    case "binary": {
      const b = f.value;
      if (mimeIs(b.mimeType, ENVELOPE_MIME_TYPE)) {
        let env;
        try {
          env = decodeEnvelope(b.payload);
        } catch (err) {
          throw new InvalidStreamMessageError(`envelope decode failed: ${(err as Error).message}`);
        }
        if (env.kind) msg.kind = env.kind;
        if (env.messageId) msg.messageId = env.messageId;
        const tsMs = env.timestampMs ?? ms(b.timestampMs);
        if (tsMs !== undefined) msg.timestamp = new Date(tsMs);
        if (env.metadata && Object.keys(env.metadata).length > 0) msg.metadata = env.metadata;
        if (env.transports && env.transports.length > 0) msg.transports = env.transports;
        if (env.payload !== undefined) {
          msg.payload = env.payload;
          msg.binary = { payload: env.payload, mimeType: "application/json", timestampMs: ms(b.timestampMs) };
        }
        if (env.inputs !== undefined) msg.inputs = env.inputs;
      } else {
        msg.payload = b.payload;
        msg.binary = { payload: b.payload, mimeType: b.mimeType || OCTET_STREAM, timestampMs: ms(b.timestampMs) };
      }
      break;
    }
  }

  // Request context: reserved keys override and leave the map; the rest replaces the envelope
  // metadata when non-empty. Go does the same: it replaces rather than merges.
  const rest: Record<string, string> = {};
  let restSize = 0;
  const metadata = p.metadata;
  for (const k of Object.keys(metadata)) {
    const v = metadata[k];
    if (k === META_KIND) {
      if (v.trim() !== "") msg.kind = v.trim();
    } else if (k === META_MESSAGE_ID) {
      if (v.trim() !== "") msg.messageId = v.trim();
    } else if (k === META_TIMESTAMP_MS) {
      const n = /^-?\d+$/.test(v.trim()) ? Number(v.trim()) : Number.NaN;
      if (Number.isFinite(n)) msg.timestamp = new Date(n);
    } else {
      rest[k] = v;
      restSize++;
    }
  }
  if (restSize > 0) msg.metadata = rest;
  if ((msg.payload?.length ?? 0) === 0 && p.payload !== undefined) msg.payload = structBytes(p.payload);
  if ((msg.inputs?.length ?? 0) === 0 && p.inputs !== undefined) msg.inputs = structBytes(p.inputs);
  if ((msg.transports?.length ?? 0) === 0 && p.transports.length > 0) {
    msg.transports = p.transports.map(
      (t): StreamTransportDescriptor => ({
        name: t.name,
        kind: t.kind,
        ...(t.mode ? { mode: t.mode } : {}),
        ...(t.typedConfig
          ? { typedConfig: { transportRef: t.typedConfig.transportRef, modeReason: t.typedConfig.modeReason } }
          : {}),
      }),
    );
  }
  if (p.envelope !== undefined) msg.envelope = envelopeFromProto(p.envelope);
  // Go mirrors the envelope payload into Binary and then rejects its own `error` messages
  // ("error messages must not carry media frames"), so it can never receive one. The mirror
  // is dropped for `error` messages instead.
  if (
    (msg.kind ?? "").toLowerCase() === "error" &&
    msg.binary?.mimeType === "application/json" &&
    msg.binary.payload === msg.payload
  ) {
    delete msg.binary;
  }
  validateStreamMessage(msg);
  return msg;
}

/** Heartbeats, noops and empty messages never reach the engram (Go drops the same ones). */
export function isDroppable(msg: StreamMessage): boolean {
  const hb = msg.metadata?.[META_HEARTBEAT];
  if (hb !== undefined && hb.trim().toLowerCase() === "true") return true;
  const kind = (msg.kind ?? "").toLowerCase();
  if (kind === "heartbeat" || kind === "noop") return true;
  return (
    !msg.kind &&
    !msg.messageId &&
    msg.timestamp === undefined &&
    Object.keys(msg.metadata ?? {}).length === 0 &&
    (msg.payload?.length ?? 0) === 0 &&
    (msg.inputs?.length ?? 0) === 0 &&
    msg.audio === undefined &&
    msg.video === undefined &&
    msg.binary === undefined &&
    (msg.transports?.length ?? 0) === 0
  );
}
