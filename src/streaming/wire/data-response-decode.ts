/**
 * Inbound Data responses decoded straight off the wire into `DataResponseWire`, for the
 * connector transport's response decoder (`GrpcTransportOptions.decoders`): the same message
 * `fromBinary` gives, without its reader, its per-field tag tuples and its reflection objects
 * (about a dozen objects and arrays less per message). Only the shape a connector sends is read
 * here: a binary frame, metadata, the Struct bytes and the stream envelope, each field once,
 * with the wire types the schema has. Anything else (audio or video frames, transports, a field
 * repeated or unknown, a varint over 7 bytes, bytes cut short) gives `undefined`, and the
 * caller decodes with `fromBinary`, which also names what is wrong.
 * @module
 */

import { ENVELOPE_MIME_TYPE } from "../../engram/streaming-validate.ts";
import type { DataResponseWire } from "../../gen/bubu/sdk/v1/wire_pb.ts";
import type { BinaryFrame, StreamEnvelope } from "../../gen/transport/v1/transport_pb.ts";

// As protobuf-es reads proto3 strings: a leading U+FEFF is kept; invalid UTF-8 is its error to report.
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const ENVELOPE_MIME_BYTES = new TextEncoder().encode(ENVELOPE_MIME_TYPE);

// Wire types.
const VARINT = 0;
const LEN = 2;

/** The read position; functions below advance it. -1 once the bytes are not for the fast path. */
let at = 0;

/** A varint of at most 7 bytes (< 2^49, exact as a number); -1 (and `at` = -1) otherwise. */
function varint(buf: Uint8Array, end: number): number {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 7; i++) {
    if (at >= end) break;
    const b = buf[at++];
    value += (b & 0x7f) * scale;
    if (b < 0x80) return value;
    scale *= 128;
  }
  at = -1;
  return -1;
}

/** The end of a length-delimited field whose length is at `at`; -1 when it runs past `end`. */
function lenEnd(buf: Uint8Array, end: number): number {
  const n = varint(buf, end);
  if (n < 0 || at + n > end) {
    at = -1;
    return -1;
  }
  return at + n;
}

/** The UTF-8 text in `buf[start, end)`; `undefined` when it is not valid UTF-8. */
function text(buf: Uint8Array, start: number, end: number): string | undefined {
  if (start === end) return "";
  try {
    return decoder.decode(buf.subarray(start, end));
  } catch {
    return undefined;
  }
}

function mimeType(buf: Uint8Array, start: number, end: number): string | undefined {
  if (end - start === ENVELOPE_MIME_BYTES.length) {
    let same = true;
    for (let i = 0; i < ENVELOPE_MIME_BYTES.length; i++) {
      if (buf[start + i] !== ENVELOPE_MIME_BYTES[i]) {
        same = false;
        break;
      }
    }
    if (same) return ENVELOPE_MIME_TYPE;
  }
  return text(buf, start, end);
}

/** uint32 as protobuf-es reads it (a 5-byte varint keeps its low 32 bits). */
const u32 = (v: number): number => v % 0x100000000;

function binaryFrame(buf: Uint8Array, end: number): BinaryFrame | undefined {
  let payload: Uint8Array | undefined;
  let mime: string | undefined;
  let ts: number | undefined;
  while (at >= 0 && at < end) {
    const key = varint(buf, end);
    if (key === ((1 << 3) | LEN) && payload === undefined) {
      const e = lenEnd(buf, end);
      if (e < 0) return undefined;
      payload = buf.subarray(at, e);
      at = e;
    } else if (key === ((2 << 3) | LEN) && mime === undefined) {
      const e = lenEnd(buf, end);
      if (e < 0) return undefined;
      mime = mimeType(buf, at, e);
      if (mime === undefined) return undefined;
      at = e;
    } else if (key === ((3 << 3) | VARINT) && ts === undefined) {
      ts = varint(buf, end);
    } else {
      return undefined;
    }
  }
  if (at !== end) return undefined;
  return {
    $typeName: "transport.v1.BinaryFrame",
    payload: payload ?? new Uint8Array(0),
    mimeType: mime ?? "",
    timestampMs: BigInt(ts ?? 0),
  };
}

/** One map entry into `into`; false when it is not for the fast path. */
function mapEntry(buf: Uint8Array, end: number, into: Record<string, string>): boolean {
  let key: string | undefined;
  let value: string | undefined;
  while (at >= 0 && at < end) {
    const tag = varint(buf, end);
    if ((tag !== ((1 << 3) | LEN) || key !== undefined) && (tag !== ((2 << 3) | LEN) || value !== undefined))
      return false;
    const e = lenEnd(buf, end);
    if (e < 0) return false;
    const s = text(buf, at, e);
    if (s === undefined) return false;
    if (tag === ((1 << 3) | LEN)) key = s;
    else value = s;
    at = e;
  }
  if (at !== end) return false;
  key ??= "";
  // A repeated key (the last wins) or "__proto__": left to fromBinary.
  if (key === "__proto__" || Object.hasOwn(into, key)) return false;
  into[key] = value ?? "";
  return true;
}

function envelope(buf: Uint8Array, end: number): StreamEnvelope | undefined {
  const e: StreamEnvelope = {
    $typeName: "transport.v1.StreamEnvelope",
    streamId: "",
    sequence: 0n,
    partition: "",
    chunkId: "",
    chunkIndex: 0,
    chunkCount: 0,
    chunkBytes: 0,
    totalBytes: 0,
  };
  let seen = 0;
  while (at >= 0 && at < end) {
    const key = varint(buf, end);
    const no = key >>> 3;
    if (key < 0 || no < 1 || no > 8 || (seen & (1 << no)) !== 0) return undefined;
    seen |= 1 << no;
    const wire = key & 7;
    if (no === 1 || no === 3 || no === 4) {
      if (wire !== LEN) return undefined;
      const fe = lenEnd(buf, end);
      if (fe < 0) return undefined;
      const s = text(buf, at, fe);
      if (s === undefined) return undefined;
      at = fe;
      if (no === 1) e.streamId = s;
      else if (no === 3) e.partition = s;
      else e.chunkId = s;
    } else {
      if (wire !== VARINT) return undefined;
      const v = varint(buf, end);
      if (v < 0) return undefined;
      if (no === 2) e.sequence = BigInt(v);
      else if (no === 5) e.chunkIndex = u32(v);
      else if (no === 6) e.chunkCount = u32(v);
      else if (no === 7) e.chunkBytes = u32(v);
      else e.totalBytes = u32(v);
    }
  }
  return at === end ? e : undefined;
}

/**
 * `bytes` (one gRPC message) as a `DataResponseWire`, when it has the shape a connector sends;
 * else `undefined` (decode it with `fromBinary`). Bytes fields are views into `bytes`.
 */
export function decodeDataResponseWire(bytes: Uint8Array): DataResponseWire | undefined {
  const end = bytes.length;
  at = 0;
  let frame: BinaryFrame | undefined;
  const metadata: Record<string, string> = {};
  let payload: Uint8Array | undefined;
  let inputs: Uint8Array | undefined;
  let env: StreamEnvelope | undefined;
  while (at >= 0 && at < end) {
    const key = varint(bytes, end);
    if ((key & 7) !== LEN) return undefined;
    const fieldEnd = lenEnd(bytes, end);
    if (fieldEnd < 0) return undefined;
    switch (key >>> 3) {
      case 3:
        if (frame !== undefined) return undefined;
        frame = binaryFrame(bytes, fieldEnd);
        if (frame === undefined) return undefined;
        break;
      case 4:
        if (!mapEntry(bytes, fieldEnd, metadata)) return undefined;
        break;
      case 5:
        if (payload !== undefined) return undefined;
        payload = bytes.subarray(at, fieldEnd);
        break;
      case 6:
        if (inputs !== undefined) return undefined;
        inputs = bytes.subarray(at, fieldEnd);
        break;
      case 8:
        if (env !== undefined) return undefined;
        env = envelope(bytes, fieldEnd);
        if (env === undefined) return undefined;
        break;
      default:
        return undefined;
    }
    at = fieldEnd;
  }
  if (at !== end) return undefined;
  const msg: DataResponseWire = {
    $typeName: "bubu.sdk.v1.DataResponseWire",
    frame: frame === undefined ? { case: undefined } : { case: "binary", value: frame },
    metadata,
    transports: [],
  };
  if (payload !== undefined) msg.payload = payload;
  if (inputs !== undefined) msg.inputs = inputs;
  if (env !== undefined) msg.envelope = env;
  return msg;
}
