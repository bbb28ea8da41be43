/**
 * The envelope JSON carried in `application/vnd.bubu.packet+json` binary frames
 * (`tractatus:envelope/envelope.go`; contract streaming.md §7).
 * @module
 */
import type { StreamTransportDescriptor } from "../engram/streaming-message.ts";
import { ENVELOPE_VERSION, MAX_MESSAGE_BYTES } from "./constants.ts";

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
const decoder = new TextDecoder("utf-8", { fatal: true });

/** Encodes an envelope; empty fields are omitted, keys in the Go struct order. */
export function encodeEnvelope(env: Omit<PacketEnvelope, "version">): Uint8Array {
  const parts: string[] = [`"version":${JSON.stringify(ENVELOPE_VERSION)}`];
  if (env.kind) parts.push(`"kind":${JSON.stringify(env.kind)}`);
  if (env.messageId) parts.push(`"messageId":${JSON.stringify(env.messageId)}`);
  if (env.timestampMs) parts.push(`"timestampMs":${Math.trunc(env.timestampMs)}`);
  if (env.metadata && Object.keys(env.metadata).length > 0) parts.push(`"metadata":${sortedJson(env.metadata)}`);
  if (env.payload && env.payload.length > 0) parts.push(`"payload":${decoder.decode(env.payload)}`);
  if (env.inputs && env.inputs.length > 0) parts.push(`"inputs":${decoder.decode(env.inputs)}`);
  if (env.transports && env.transports.length > 0) parts.push(`"transports":${JSON.stringify(env.transports.map(transportJson))}`);
  return encoder.encode(`{${parts.join(",")}}`);
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
 * Decodes an envelope frame body (`envelope.FromBinaryFrame`).
 * @throws {Error} for bodies over 10 MiB, non-JSON, or a wrong shape.
 */
export function decodeEnvelope(body: Uint8Array): PacketEnvelope {
  if (body.length > MAX_MESSAGE_BYTES) throw new Error(`envelope exceeds ${MAX_MESSAGE_BYTES} bytes`);
  const text = decoder.decode(body);
  const obj = JSON.parse(text) as unknown;
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) throw new Error("envelope is not a JSON object");
  const o = obj as Record<string, unknown>;
  const str = (k: string): string | undefined => {
    const v = o[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string") throw new Error(`envelope ${k} must be a string`);
    return v;
  };
  const raw = (k: string): Uint8Array | undefined => {
    const v = o[k];
    return v === undefined || v === null ? undefined : encoder.encode(JSON.stringify(v));
  };
  let metadata: Record<string, string> | undefined;
  if (o.metadata !== undefined && o.metadata !== null) {
    if (typeof o.metadata !== "object" || Array.isArray(o.metadata)) throw new Error("envelope metadata must be an object");
    metadata = {};
    for (const [k, v] of Object.entries(o.metadata as Record<string, unknown>)) {
      if (typeof v !== "string") throw new Error(`envelope metadata ${JSON.stringify(k)} must be a string`);
      metadata[k] = v;
    }
  }
  let timestampMs: number | undefined;
  if (o.timestampMs !== undefined && o.timestampMs !== null) {
    if (typeof o.timestampMs !== "number" || !Number.isInteger(o.timestampMs)) throw new Error("envelope timestampMs must be an integer");
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
        ...(tc ? { typedConfig: { transportRef: tc.transportRef ?? tc.transport_ref, modeReason: tc.modeReason ?? tc.mode_reason } } : {}),
      };
    });
  }
  return {
    version: str("version") ?? "",
    kind: str("kind"),
    messageId: str("messageId"),
    timestampMs,
    metadata,
    payload: raw("payload"),
    inputs: raw("inputs"),
    transports,
  };
}
