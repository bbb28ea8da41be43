/**
 * Outbound `DataRequest`s on the wire, for the connector transport's request encoder
 * (`GrpcTransportOptions.encoders`): the exact bytes `toBinary` writes (same fields, same
 * order, tested byte for byte), sized first and then written straight into the transport's gRPC
 * frame. `toBinary` grows a buffer by doubling and copies the result out; for a 64 KiB envelope
 * (its payload is in the frame and again in the Struct) that was about a megabyte of allocation
 * and copying per message, and 9 µs of a 100-byte message's budget on Node. The same size pass
 * measures inbound Data responses for receipts (`DataResponse` and `DataResponseWire` share
 * `DataRequest`'s fields) without encoding them.
 *
 * Nothing here loads `@bufbuild/protobuf`: local mode sizes its messages with it and runs
 * without the gRPC packages. What this leaves to `toBinary` (unknown fields, odd values) is in
 * `data-request-encode.ts`.
 * @module
 */
import type { JsonObject } from "@bufbuild/protobuf";
import { InvalidStreamMessageError } from "../../engram/streaming-validate.ts";
import type { DataResponseWire } from "../../gen/bubu/sdk/v1/wire_pb.ts";
import type {
  DataRequest,
  DataResponse,
  StreamEnvelope,
  TransportDescriptor,
} from "../../gen/transport/v1/transport_pb.ts";
import type { EncodedMessage } from "../../runtime/types.ts";
import {
  addText,
  newPlan,
  releasePlan,
  sizeStruct,
  textLength,
  varintSize,
  type WirePlan,
  writeStruct,
  writeText,
  writeVarint,
} from "./struct-wire.ts";

// Wire types.
const VARINT = 0;
const LEN = 2;
const tag = (no: number, wireType: number): number => (no << 3) | wireType;

/** A value `toBinary` would refuse (or write differently); it gets to say why. */
class Unusual extends Error {}

/** The messages with `DataRequest`'s field layout; `DataResponseWire` holds its Structs as bytes. */
export type DataMessage = DataRequest | DataResponse | DataResponseWire;

/** The field numbers of the `frame` oneof (the same in `DataRequest` and `DataResponse`). */
const FRAME_FIELD = { audio: 1, video: 2, binary: 3 } as const;

/**
 * `req` sized for the wire; `writeTo` writes its bytes. `undefined` for an unusual message
 * (unknown fields, foreign nested types, out-of-range numbers), which only `toBinary` encodes.
 */
export function planDataRequest(req: DataRequest): EncodedMessage | undefined {
  const p = newPlan();
  let size: number;
  try {
    size = sizePass(req, p);
  } catch (err) {
    releasePlan(p);
    if (!(err instanceof Unusual)) throw err;
    return undefined;
  }
  let written = false;
  return {
    size,
    writeTo(out: Uint8Array, at: number): void {
      // The plan's strings live in a scratch that is handed on once written.
      if (written) throw new Error("an encoded DataRequest can be written only once");
      written = true;
      const end = write(req, p, out, at);
      releasePlan(p);
      if (end !== at + size) throw new Error(`DataRequest encoding wrote ${end - at} bytes, planned ${size}`);
    },
  };
}

const FRAMED: unique symbol = Symbol("bubu.framed");

/**
 * `req` encoded once, as the gRPC message the transport writes (the 5-byte length prefix, then
 * the bytes). An outbound packet keeps only this while it waits to be sent and confirmed, not
 * the request with its parsed Structs next to the same bytes: less to hold, and less for the
 * garbage collector to carry along while many are in flight.
 * @throws {InvalidStreamMessageError} when the encoding is larger than `maxBytes`, or the
 * request is unusual: made by `toDataRequest`, that is only a number out of range for its
 * field, which `toBinary` refuses as well.
 */
export function frameDataRequest(req: DataRequest, maxBytes: number): Uint8Array {
  const planned = planDataRequest(req);
  if (planned === undefined)
    throw new InvalidStreamMessageError("message cannot be encoded: a number out of range for its field");
  if (planned.size > maxBytes)
    throw new InvalidStreamMessageError(`message of ${planned.size} bytes exceeds the send limit of ${maxBytes} bytes`);
  const frame = new Uint8Array(5 + planned.size);
  // The length prefix written byte by byte: a DataView would also give the array an ArrayBuffer object.
  const n = planned.size;
  frame[1] = n >>> 24;
  frame[2] = (n >>> 16) & 0xff;
  frame[3] = (n >>> 8) & 0xff;
  frame[4] = n & 0xff;
  planned.writeTo(frame, 5);
  return frame;
}

/** A stand-in for the request in `frame` (from {@link frameDataRequest}) on the Data stream: its encoder writes the frame as it is. */
export function framedRequest(frame: Uint8Array): DataRequest {
  return { $typeName: "transport.v1.DataRequest", [FRAMED]: frame } as unknown as DataRequest;
}

/** The frame behind a {@link framedRequest}, if `req` is one. */
export function frameOf(req: DataRequest): Uint8Array | undefined {
  return (req as { [FRAMED]?: Uint8Array })[FRAMED];
}

/**
 * The encoded size of `m` (what `toBinary(...).length` gives), without encoding it; `undefined`
 * for an unusual message (see {@link planDataRequest}).
 */
export function exactWireSize(m: DataMessage): number | undefined {
  const p = newPlan();
  try {
    return sizePass(m, p);
  } catch (err) {
    if (!(err instanceof Unusual)) throw err;
    return undefined;
  } finally {
    releasePlan(p);
  }
}

// ---- scalars: sizes (0 when the proto3 default is not written) and writers ----

function u32(v: number): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new Unusual();
  return v;
}

function u64(v: bigint): bigint {
  if (typeof v !== "bigint" || v < 0n || v > 0xffffffffffffffffn) throw new Unusual();
  return v;
}

function varint64Size(v: bigint): number {
  let n = 1;
  while (v >= 0x80n) {
    v >>= 7n;
    n++;
  }
  return n;
}

function writeVarint64(out: Uint8Array, at: number, v: bigint): number {
  if (v <= 0xffffffffn) return writeVarint(out, at, Number(v));
  while (v >= 0x80n) {
    out[at++] = Number(v & 0x7fn) | 0x80;
    v >>= 7n;
  }
  out[at++] = Number(v);
  return at;
}

/** int32 as protobuf writes it: negatives sign-extended to 10 bytes. */
function int32Bits(v: number): bigint {
  if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) throw new Unusual();
  return v < 0 ? BigInt.asUintN(64, BigInt(v)) : BigInt(v);
}

/** A string's UTF-8 length, its bytes added to the plan. */
function text(s: string, plan: WirePlan): number {
  if (typeof s !== "string") throw new Unusual();
  return addText(s, plan);
}

function strField(s: string, plan: WirePlan): number {
  if (s === "") return 0;
  const n = text(s, plan);
  return 1 + varintSize(n) + n;
}
const u32Field = (v: number): number => (u32(v) === 0 ? 0 : 1 + varintSize(v));
const u64Field = (v: bigint): number => (u64(v) === 0n ? 0 : 1 + varint64Size(v));
const i32Field = (v: number): number => (v === 0 ? 0 : 1 + varint64Size(int32Bits(v)));
function bytesField(b: Uint8Array): number {
  if (!(b instanceof Uint8Array)) throw new Unusual();
  return b.length === 0 ? 0 : 1 + varintSize(b.length) + b.length;
}
const msgField = (size: number): number => 1 + varintSize(size) + size;

function putStr(out: Uint8Array, at: number, no: number, s: string, plan: WirePlan): number {
  if (s === "") return at;
  out[at++] = tag(no, LEN);
  return writeText(plan, out, at);
}

function putU64(out: Uint8Array, at: number, no: number, v: bigint): number {
  if (v === 0n) return at;
  out[at++] = tag(no, VARINT);
  return writeVarint64(out, at, v);
}

function putU32(out: Uint8Array, at: number, no: number, v: number): number {
  if (v === 0) return at;
  out[at++] = tag(no, VARINT);
  return writeVarint(out, at, v);
}

function putI32(out: Uint8Array, at: number, no: number, v: number): number {
  if (v === 0) return at;
  out[at++] = tag(no, VARINT);
  return writeVarint64(out, at, int32Bits(v));
}

function putBytes(out: Uint8Array, at: number, no: number, b: Uint8Array): number {
  if (b.length === 0) return at;
  out[at++] = tag(no, LEN);
  at = writeVarint(out, at, b.length);
  out.set(b, at);
  return at + b.length;
}

/** Opens a nested message: its tag and its size (the plan's next recorded size). */
function open(out: Uint8Array, at: number, no: number, plan: WirePlan): number {
  out[at++] = tag(no, LEN);
  return writeVarint(out, at, plan.sizes[plan.next++]);
}

/** Records a nested message's size for the write pass (in write order); returns its field size. */
function record(plan: WirePlan, slot: number, size: number): number {
  plan.sizes[slot] = size;
  return msgField(size);
}

function slot(plan: WirePlan): number {
  plan.sizes.push(0);
  return plan.sizes.length - 1;
}

// ---- the size pass: strings, nested sizes and Structs go into the plan in write order ----

/** Sizes `req` into the plan; throws `Unusual` for what is left to toBinary. */
function sizePass(req: DataMessage, p: WirePlan): number {
  if (hasUnknown(req) || !ownTypes(req)) throw new Unusual();
  let size = 0;
  const f = req.frame;
  if (f.case !== undefined) {
    const s = slot(p);
    let n: number;
    if (f.case === "binary") {
      const v = f.value;
      n = bytesField(v.payload) + strField(v.mimeType, p) + u64Field(v.timestampMs);
    } else if (f.case === "audio") {
      const v = f.value;
      n =
        bytesField(v.pcm) +
        i32Field(v.sampleRateHz) +
        i32Field(v.channels) +
        strField(v.codec, p) +
        u64Field(v.timestampMs);
    } else {
      const v = f.value;
      // protobuf-es writes any bool that is not `false` (even a stray 0 from untyped code).
      n =
        bytesField(v.payload) +
        strField(v.codec, p) +
        u32Field(v.width) +
        u32Field(v.height) +
        u64Field(v.timestampMs) +
        (v.raw !== false ? 2 : 0);
    }
    size += record(p, s, n);
  }
  const md = req.metadata;
  for (const k of Object.keys(md)) {
    // Map entries always carry both key and value, even when empty.
    const kn = text(k, p);
    const vn = text(md[k], p);
    size += msgField(1 + varintSize(kn) + kn + 1 + varintSize(vn) + vn);
  }
  const encoded = req.$typeName === "bubu.sdk.v1.DataResponseWire";
  size += structField(req.payload, encoded, p) + structField(req.inputs, encoded, p);
  for (const t of req.transports) size += sizeTransport(t, p);
  if (req.envelope !== undefined) size += sizeEnvelope(req.envelope, p);
  return size;
}

/** A Struct field: a JSON object, or (`encoded`) the Struct's bytes as received. */
function structField(v: JsonObject | Uint8Array | undefined, encoded: boolean, p: WirePlan): number {
  if (v === undefined) return 0;
  if (encoded) {
    // `optional bytes`: written when present, even empty.
    if (!(v instanceof Uint8Array)) throw new Unusual();
    return msgField(v.length);
  }
  // Anything but a JSON object is left to toBinary.
  if (typeof v !== "object" || v === null || Array.isArray(v) || v instanceof Uint8Array) throw new Unusual();
  return msgField(sizeStruct(v as JsonObject, p));
}

function sizeTransport(t: TransportDescriptor, p: WirePlan): number {
  const s = slot(p);
  let n = strField(t.name, p) + strField(t.kind, p) + strField(t.mode, p);
  const tc = t.typedConfig;
  if (tc !== undefined) {
    const c = slot(p);
    n += record(p, c, strField(tc.transportRef, p) + strField(tc.modeReason, p));
  }
  return record(p, s, n);
}

function sizeEnvelope(e: StreamEnvelope, p: WirePlan): number {
  const s = slot(p);
  const n =
    strField(e.streamId, p) +
    u64Field(e.sequence) +
    strField(e.partition, p) +
    strField(e.chunkId, p) +
    u32Field(e.chunkIndex) +
    u32Field(e.chunkCount) +
    u32Field(e.chunkBytes) +
    u32Field(e.totalBytes);
  return record(p, s, n);
}

/** Nested messages carry their own type names (toBinary refuses foreign ones). */
function ownTypes(req: DataMessage): boolean {
  const f = req.frame;
  if (f.case !== undefined && f.value?.$typeName !== FRAME_TYPE[f.case]) return false;
  if (req.envelope !== undefined && req.envelope.$typeName !== "transport.v1.StreamEnvelope") return false;
  return req.transports.every(
    (t) =>
      t.$typeName === "transport.v1.TransportDescriptor" &&
      (t.typedConfig === undefined || t.typedConfig.$typeName === "transport.v1.TransportConfig"),
  );
}

const FRAME_TYPE = {
  audio: "transport.v1.AudioFrame",
  video: "transport.v1.VideoFrame",
  binary: "transport.v1.BinaryFrame",
} as const;

function hasUnknown(req: DataMessage): boolean {
  const u = (m: { $unknown?: unknown[] } | undefined): boolean => (m?.$unknown?.length ?? 0) > 0;
  return u(req) || u(req.frame.value) || u(req.envelope) || req.transports.some((t) => u(t) || u(t.typedConfig));
}

// ---- the write pass: the same order as the size pass ----

function write(req: DataRequest, p: WirePlan, out: Uint8Array, at: number): number {
  const f = req.frame;
  if (f.case !== undefined) {
    at = open(out, at, FRAME_FIELD[f.case], p);
    if (f.case === "binary") {
      const v = f.value;
      at = putBytes(out, at, 1, v.payload);
      at = putStr(out, at, 2, v.mimeType, p);
      at = putU64(out, at, 3, v.timestampMs);
    } else if (f.case === "audio") {
      const v = f.value;
      at = putBytes(out, at, 1, v.pcm);
      at = putI32(out, at, 2, v.sampleRateHz);
      at = putI32(out, at, 3, v.channels);
      at = putStr(out, at, 4, v.codec, p);
      at = putU64(out, at, 5, v.timestampMs);
    } else {
      const v = f.value;
      at = putBytes(out, at, 1, v.payload);
      at = putStr(out, at, 2, v.codec, p);
      at = putU32(out, at, 3, v.width);
      at = putU32(out, at, 4, v.height);
      at = putU64(out, at, 5, v.timestampMs);
      if (v.raw !== false) {
        out[at++] = tag(6, VARINT);
        out[at++] = v.raw ? 1 : 0;
      }
    }
  }
  const md = req.metadata;
  for (const k of Object.keys(md)) {
    const entry =
      2 +
      varintSize(textLength(p, p.nextText)) +
      textLength(p, p.nextText) +
      varintSize(textLength(p, p.nextText + 1)) +
      textLength(p, p.nextText + 1);
    out[at++] = tag(4, LEN);
    at = writeVarint(out, at, entry);
    out[at++] = tag(1, LEN);
    at = writeText(p, out, at);
    out[at++] = tag(2, LEN);
    at = writeText(p, out, at);
  }
  if (req.payload !== undefined) {
    out[at++] = tag(5, LEN);
    at = writeVarint(out, at, p.sizes[p.next]);
    at = writeStruct(req.payload, p, out, at);
  }
  if (req.inputs !== undefined) {
    out[at++] = tag(6, LEN);
    at = writeVarint(out, at, p.sizes[p.next]);
    at = writeStruct(req.inputs, p, out, at);
  }
  for (const t of req.transports) {
    at = open(out, at, 7, p);
    at = putStr(out, at, 1, t.name, p);
    at = putStr(out, at, 2, t.kind, p);
    at = putStr(out, at, 3, t.mode, p);
    if (t.typedConfig !== undefined) {
      at = open(out, at, 5, p);
      at = putStr(out, at, 1, t.typedConfig.transportRef, p);
      at = putStr(out, at, 2, t.typedConfig.modeReason, p);
    }
  }
  const e = req.envelope;
  if (e !== undefined) {
    at = open(out, at, 8, p);
    at = putStr(out, at, 1, e.streamId, p);
    at = putU64(out, at, 2, e.sequence);
    at = putStr(out, at, 3, e.partition, p);
    at = putStr(out, at, 4, e.chunkId, p);
    at = putU32(out, at, 5, e.chunkIndex);
    at = putU32(out, at, 6, e.chunkCount);
    at = putU32(out, at, 7, e.chunkBytes);
    at = putU32(out, at, 8, e.totalBytes);
  }
  return at;
}
