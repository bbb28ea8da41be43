/**
 * The protovalidate bounds of `DataRequest`/`DataResponse` (declared in `transport.proto`),
 * enforced in code because the generated stubs leave the annotations out. Go runs these on every
 * message it sends and receives.
 * @module
 */
import type { DataRequest, DataResponse, StreamEnvelope } from "../../gen/transport/v1/transport_pb.ts";
import { MAX_MESSAGE_BYTES, MAX_TOTAL_BYTES } from "./constants.ts";

/** Length in Unicode code points (protovalidate `max_len` counts characters). */
function chars(s: string): number {
  if (s.length <= 1) return s.length;
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Checks a metadata map: <= 100 pairs, keys 1..128 characters, values <= 1024. */
export function metadataProblem(map: Readonly<Record<string, string>>, where: string): string | undefined {
  const keys = Object.keys(map);
  if (keys.length > 100) return `${where} has ${keys.length} entries (max 100)`;
  for (const k of keys) {
    const kl = chars(k);
    if (kl < 1 || kl > 128) return `${where} key ${JSON.stringify(k.slice(0, 40))} must be 1..128 characters`;
    if (map[k].length > 1024 && chars(map[k]) > 1024)
      return `${where} value of ${JSON.stringify(k)} exceeds 1024 characters`;
  }
  return undefined;
}

/** The envelope's field bounds and CEL rules. */
export function envelopeProblem(e: StreamEnvelope): string | undefined {
  if (chars(e.streamId) > 128) return "envelope stream_id exceeds 128 characters";
  if (chars(e.partition) > 128) return "envelope partition exceeds 128 characters";
  if (chars(e.chunkId) > 128) return "envelope chunk_id exceeds 128 characters";
  if (e.chunkCount > 256) return "envelope chunk_count exceeds 256";
  if (e.chunkBytes > MAX_MESSAGE_BYTES) return `envelope chunk_bytes exceeds ${MAX_MESSAGE_BYTES}`;
  if (e.totalBytes > MAX_TOTAL_BYTES) return `envelope total_bytes exceeds ${MAX_TOTAL_BYTES}`;
  if (e.chunkCount === 0) {
    if (e.chunkId !== "" || e.chunkIndex !== 0 || e.chunkBytes !== 0) {
      return "envelope chunk fields must be unset when chunk_count is 0";
    }
  } else {
    if (e.chunkId === "" || e.streamId === "") return "chunked envelope requires chunk_id and stream_id";
    if (e.chunkIndex >= e.chunkCount) return "envelope chunk_index must be below chunk_count";
  }
  return undefined;
}

/**
 * The first bound `p` breaks, or `undefined`. `maxFrameBytes` is 10 MiB, except for a
 * reassembled packet, which may reach the proto's 64 MiB `total_bytes` (Go applies 10 MiB there
 * too, so it rejects what its own reassembler accepted).
 */
export function packetProblem(
  p: DataRequest | DataResponse,
  maxFrameBytes: number = MAX_MESSAGE_BYTES,
): string | undefined {
  const meta = metadataProblem(p.metadata, "metadata");
  if (meta) return meta;
  if (p.transports.length > 10) return `transports has ${p.transports.length} items (max 10)`;
  for (const t of p.transports) {
    if (chars(t.name) > 128 || chars(t.kind) > 128 || chars(t.mode) > 128)
      return "transport name, kind and mode must be <= 128 characters";
    if (t.typedConfig && (chars(t.typedConfig.transportRef) > 253 || chars(t.typedConfig.modeReason) > 512)) {
      return "transport typed_config exceeds its bounds";
    }
  }
  if (p.envelope) {
    const env = envelopeProblem(p.envelope);
    if (env) return env;
  }
  const f = p.frame;
  switch (f.case) {
    case "audio": {
      const a = f.value;
      if (a.pcm.length > maxFrameBytes) return `audio pcm exceeds ${maxFrameBytes} bytes`;
      if (a.sampleRateHz < 8000 || a.sampleRateHz > 192000)
        return `audio sample_rate_hz ${a.sampleRateHz} outside 8000..192000`;
      if (a.channels < 1 || a.channels > 8) return `audio channels ${a.channels} outside 1..8`;
      if (chars(a.codec) > 32) return "audio codec exceeds 32 characters";
      break;
    }
    case "video": {
      const v = f.value;
      if (v.payload.length > maxFrameBytes) return `video payload exceeds ${maxFrameBytes} bytes`;
      if (chars(v.codec) > 32) return "video codec exceeds 32 characters";
      if (v.width > 16384 || v.height > 16384) return "video width and height must be <= 16384";
      break;
    }
    case "binary": {
      const b = f.value;
      if (b.payload.length > maxFrameBytes) return `binary payload exceeds ${maxFrameBytes} bytes`;
      if (chars(b.mimeType) > 255) return "binary mime_type exceeds 255 characters";
      break;
    }
  }
  return undefined;
}
