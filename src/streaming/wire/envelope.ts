/**
 * The envelope JSON carried in `application/vnd.bubu.packet+json` binary frames: `version`,
 * `kind`, `messageId`, `timestampMs`, `metadata`, the raw `payload` and `inputs` JSON, and
 * `transports`, byte-compatible with the Go SDK's encoding.
 * @module
 */
import type { StreamTransportDescriptor } from "../../engram/streaming-message.ts";
import { ENVELOPE_VERSION, MAX_MESSAGE_BYTES } from "./constants.ts";
import { decodeUtf8Strict, type Span, topLevelSpans } from "./raw-json.ts";

/** A decoded envelope. `payload`/`inputs` are the raw JSON bytes. */
export interface PacketEnvelope {
  readonly version: string;
  readonly kind?: string;
  readonly messageId?: string;
  readonly timestampMs?: number;
  readonly metadata?: Record<string, string>;
  readonly payload?: Uint8Array;
  readonly inputs?: Uint8Array;
  readonly transports?: StreamTransportDescriptor[];
}

const encoder = new TextEncoder();
const RAW_KEYS: readonly string[] = ["payload", "inputs"];

/** The bytes without a leading UTF-8 BOM (a decoder drops it, so the envelope never had it). */
function withoutBom(b: Uint8Array): Uint8Array {
  return b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? b.subarray(3) : b;
}

/**
 * Encodes an envelope; empty fields are omitted, keys in the Go struct order. `payload` and
 * `inputs` must be valid UTF-8 JSON (`toDataRequest` checks): they are copied in as bytes, not
 * decoded and encoded again.
 */
export function encodeEnvelope(env: Omit<PacketEnvelope, "version">): Uint8Array {
  let head = `{"version":${JSON.stringify(ENVELOPE_VERSION)}`;
  if (env.kind) head += `,"kind":${JSON.stringify(env.kind)}`;
  if (env.messageId) head += `,"messageId":${JSON.stringify(env.messageId)}`;
  if (env.timestampMs) head += `,"timestampMs":${Math.trunc(env.timestampMs)}`;
  if (env.metadata && Object.keys(env.metadata).length > 0) head += `,"metadata":${sortedJson(env.metadata)}`;
  const payload = env.payload && env.payload.length > 0 ? withoutBom(env.payload) : undefined;
  const inputs = env.inputs && env.inputs.length > 0 ? withoutBom(env.inputs) : undefined;
  const tail =
    env.transports && env.transports.length > 0
      ? `,"transports":${JSON.stringify(env.transports.map(transportJson))}}`
      : "}";
  if (payload) head += `,"payload":`;
  if (inputs && !payload) head += `,"inputs":`;
  const mid = payload && inputs ? `,"inputs":` : "";
  // Strings take at most 3 bytes per UTF-16 unit.
  const out = reserve(3 * (head.length + mid.length + tail.length) + (payload?.length ?? 0) + (inputs?.length ?? 0));
  let at = encoder.encodeInto(head, out).written;
  if (payload) {
    out.set(payload, at);
    at += payload.length;
  }
  if (mid) at += encoder.encodeInto(mid, out.subarray(at)).written;
  if (inputs) {
    out.set(inputs, at);
    at += inputs.length;
  }
  at += encoder.encodeInto(tail, out.subarray(at)).written;
  return commit(out, at);
}

// Small envelopes are cut from a shared slab, as Node's Buffer pool does: a fresh ArrayBuffer
// per message costs more than the rest of the encoding in V8. The bytes are never written again
// once returned; a slab lives as long as one of its envelopes does.
const SLAB_BYTES = 64 * 1024;
const POOLED_MAX = 4 * 1024;
let slab = new Uint8Array(SLAB_BYTES);
let slabUsed = 0;

/** A buffer of at least `n` bytes; hand the used length to {@link commit}. */
function reserve(n: number): Uint8Array {
  if (n > POOLED_MAX) return new Uint8Array(n);
  if (slabUsed + n > SLAB_BYTES) {
    slab = new Uint8Array(SLAB_BYTES);
    slabUsed = 0;
  }
  return slab.subarray(slabUsed, slabUsed + n);
}

function commit(out: Uint8Array, used: number): Uint8Array {
  if (out.buffer !== slab.buffer) return out.subarray(0, used);
  slabUsed = out.byteOffset + used;
  // Keep views 8-byte aligned, like Node's pool.
  slabUsed = (slabUsed + 7) & ~7;
  return out.subarray(0, used);
}

function sortedJson(map: Readonly<Record<string, string>>): string {
  const keys = Object.keys(map).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(map[k])}`).join(",")}}`;
}

function transportJson(t: StreamTransportDescriptor): Record<string, unknown> {
  const out: Record<string, unknown> = { name: t.name, kind: t.kind };
  if (t.mode) out.mode = t.mode;
  const tc = t.typedConfig;
  if (tc && (tc.transportRef || tc.modeReason)) {
    const c: Record<string, string> = {};
    if (tc.transportRef) c.transportRef = tc.transportRef;
    if (tc.modeReason) c.modeReason = tc.modeReason;
    out.typedConfig = c;
  }
  return out;
}

/**
 * Decodes an envelope frame body.
 * @throws {Error} for bodies over 10 MiB, non-JSON, or a wrong shape.
 */
export function decodeEnvelope(body: Uint8Array): PacketEnvelope {
  if (body.length > MAX_MESSAGE_BYTES) throw new Error(`envelope exceeds ${MAX_MESSAGE_BYTES} bytes`);
  const text = decodeUtf8Strict(body);
  const obj = JSON.parse(text) as unknown;
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) throw new Error("envelope is not a JSON object");
  const o = obj as Record<string, unknown>;
  // payload and inputs stay the bytes they arrived in (Go's json.RawMessage).
  let payload: Uint8Array | undefined;
  let inputs: Uint8Array | undefined;
  if (isSet(o.payload) || isSet(o.inputs)) {
    const spans = topLevelSpans(text, RAW_KEYS);
    if (isSet(o.payload)) payload = rawValue(spans.get("payload")!, body, text);
    if (isSet(o.inputs)) inputs = rawValue(spans.get("inputs")!, body, text);
  }
  let metadata: Record<string, string> | undefined;
  if (o.metadata !== undefined && o.metadata !== null) {
    if (typeof o.metadata !== "object" || Array.isArray(o.metadata))
      throw new Error("envelope metadata must be an object");
    metadata = {};
    for (const [k, v] of Object.entries(o.metadata as Record<string, unknown>)) {
      if (typeof v !== "string") throw new Error(`envelope metadata ${JSON.stringify(k)} must be a string`);
      metadata[k] = v;
    }
  }
  let timestampMs: number | undefined;
  if (o.timestampMs !== undefined && o.timestampMs !== null) {
    if (typeof o.timestampMs !== "number" || !Number.isInteger(o.timestampMs))
      throw new Error("envelope timestampMs must be an integer");
    timestampMs = o.timestampMs;
  }
  let transports: StreamTransportDescriptor[] | undefined;
  if (Array.isArray(o.transports)) {
    transports = (o.transports as Record<string, unknown>[]).map((t) => {
      const tc = (t.typedConfig ?? t.typed_config) as Record<string, string> | undefined;
      return {
        name: String(t.name ?? ""),
        kind: String(t.kind ?? ""),
        ...(t.mode ? { mode: String(t.mode) } : {}),
        ...(tc
          ? {
              typedConfig: {
                transportRef: tc.transportRef ?? tc.transport_ref,
                modeReason: tc.modeReason ?? tc.mode_reason,
              },
            }
          : {}),
      };
    });
  }
  return {
    version: stringField(o, "version") ?? "",
    kind: stringField(o, "kind"),
    messageId: stringField(o, "messageId"),
    timestampMs,
    metadata,
    payload,
    inputs,
    transports,
  };
}

const isSet = (v: unknown): boolean => v !== undefined && v !== null;

function stringField(o: Record<string, unknown>, k: string): string | undefined {
  const v = o[k];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw new Error(`envelope ${k} must be a string`);
  return v;
}

/** The value at `span`: a view into the body when it is ASCII (string and byte offsets agree), else the text encoded again. */
function rawValue([start, end]: Span, body: Uint8Array, text: string): Uint8Array {
  return body.length === text.length ? body.subarray(start, end) : encoder.encode(text.slice(start, end));
}
