// Builders for what a real connector writes to the engram (contract streaming.md §7 inbound,
// §20.4): structured packets become envelope binary frames exactly as the connector's
// packetToDataResponse / structuredPacketBinaryFrame build them. Written from the contract, not
// from the SDK, so the fake stays an independent peer.
import { create, type JsonObject } from "@bufbuild/protobuf";
import {
  type DataResponse,
  DataResponseSchema,
  StreamEnvelopeSchema,
} from "../../../src/gen/transport/v1/transport_pb.ts";

export const ENVELOPE_MIME = "application/vnd.bubu.packet+json";

export interface PacketSpec {
  kind?: string;
  messageId?: string;
  payload?: JsonObject;
  inputs?: JsonObject;
  metadata?: Record<string, string>;
  streamId?: string;
  sequence?: bigint | number;
  partition?: string;
  timestampMs?: number;
}

const enc = new TextEncoder();

/** A hub packet (metadata + Structs) as the connector sends it: an envelope binary frame. */
export function envelopePacket(spec: PacketSpec): DataResponse {
  const metadata: Record<string, string> = { ...spec.metadata };
  if (spec.kind !== undefined) metadata.kind = spec.kind;
  if (spec.messageId !== undefined) metadata["bubu.envelope.message_id"] = spec.messageId;
  const env: Record<string, unknown> = { version: "v1", kind: metadata.kind || "data" };
  if (metadata["bubu.envelope.message_id"]) env.messageId = metadata["bubu.envelope.message_id"];
  if (spec.timestampMs) env.timestampMs = spec.timestampMs;
  if (Object.keys(metadata).length > 0) env.metadata = metadata;
  if (spec.payload !== undefined) env.payload = spec.payload;
  if (spec.inputs !== undefined) env.inputs = spec.inputs;
  return create(DataResponseSchema, {
    frame: {
      case: "binary",
      value: {
        payload: enc.encode(JSON.stringify(env)),
        mimeType: ENVELOPE_MIME,
        timestampMs: BigInt(spec.timestampMs ?? 0),
      },
    },
    metadata,
    payload: spec.payload,
    inputs: spec.inputs,
    envelope:
      spec.streamId !== undefined || spec.sequence !== undefined
        ? create(StreamEnvelopeSchema, {
            streamId: spec.streamId ?? "",
            sequence: BigInt(spec.sequence ?? 0),
            partition: spec.partition ?? "",
          })
        : undefined,
  });
}

/** The hub heartbeat as the connector forwards it. */
export function hubHeartbeat(): DataResponse {
  return envelopePacket({ metadata: { "bubu-heartbeat": "true" }, payload: {} });
}

/** Raw binary (no envelope). */
export function rawBinary(bytes: Uint8Array, mimeType: string, metadata: Record<string, string> = {}): DataResponse {
  return create(DataResponseSchema, { frame: { case: "binary", value: { payload: bytes, mimeType } }, metadata });
}

/** Audio frame with valid parameters. */
export function audioPacket(
  pcm: Uint8Array,
  metadata: Record<string, string> = {},
  sampleRateHz = 16000,
  channels = 1,
): DataResponse {
  return create(DataResponseSchema, {
    frame: { case: "audio", value: { pcm, sampleRateHz, channels, codec: "pcm16" } },
    metadata,
  });
}

/** Splits `bytes` into chunk packets of `size` (binary frames with chunk envelope fields). */
export function chunkPackets(
  bytes: Uint8Array,
  size: number,
  opts: {
    streamId: string;
    chunkId: string;
    mimeType?: string;
    sequence?: bigint;
    partition?: string;
    totalBytes?: number;
    metadata?: Record<string, string>;
  },
): DataResponse[] {
  const count = Math.ceil(bytes.length / size);
  const out: DataResponse[] = [];
  for (let i = 0; i < count; i++) {
    const part = bytes.subarray(i * size, Math.min(bytes.length, (i + 1) * size));
    out.push(
      create(DataResponseSchema, {
        frame: { case: "binary", value: { payload: part, mimeType: opts.mimeType ?? "application/octet-stream" } },
        metadata: opts.metadata ?? {},
        envelope: create(StreamEnvelopeSchema, {
          streamId: opts.streamId,
          sequence: opts.sequence ?? 0n,
          partition: opts.partition ?? "",
          chunkId: opts.chunkId,
          chunkIndex: i,
          chunkCount: count,
          chunkBytes: part.length,
          totalBytes: opts.totalBytes ?? bytes.length,
        }),
      }),
    );
  }
  return out;
}

/** A frame-less response (keepalive), optionally sequenced. */
export function framelessPacket(streamId?: string, sequence?: bigint): DataResponse {
  return create(DataResponseSchema, {
    envelope: streamId ? create(StreamEnvelopeSchema, { streamId, sequence: sequence ?? 0n }) : undefined,
  });
}
