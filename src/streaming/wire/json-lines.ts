/**
 * The NDJSON form of stream messages used by local mode (stdin in, stdout out).
 *
 * One JSON object per line: `{"kind","messageId","timestamp" (RFC 3339 or unix ms),
 * "metadata","payload" (any JSON),"inputs" (any JSON),"binary":{"mimeType","data" (base64)},
 * "audio":{"pcm" (base64),"sampleRateHz","channels","codec"},"video":{"payload" (base64),...}}`.
 * @module
 */
import type { StreamMessage } from "../../engram/streaming-message.ts";
import { findJsonSyntaxError } from "../../json/json-syntax.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function fromBase64(v: unknown, where: string): Uint8Array {
  if (typeof v !== "string") throw new Error(`${where} must be a base64 string`);
  let bin: string;
  try {
    bin = atob(v);
  } catch {
    throw new Error(`${where} is not valid base64`);
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function toBase64(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(s);
}

function num(v: unknown, where: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isFinite(v)) throw new Error(`${where} must be a number`);
  return v;
}

function str(v: unknown, where: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw new Error(`${where} must be a string`);
  return v;
}

/**
 * Parses one NDJSON line.
 * @throws {Error} naming the bad field.
 */
export function parseMessageLine(line: string): StreamMessage {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    // The SDK's own scan, not the engine's message: the same words on every runtime.
    const where = findJsonSyntaxError(line);
    throw new Error(where === undefined ? "not JSON" : `not JSON at column ${where.column}: ${where.reason}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new Error("each line must be a JSON object");
  const o = value as Record<string, unknown>;
  const known = new Set([
    "kind",
    "messageId",
    "timestamp",
    "metadata",
    "payload",
    "inputs",
    "binary",
    "audio",
    "video",
  ]);
  for (const k of Object.keys(o)) if (!known.has(k)) throw new Error(`unknown field ${JSON.stringify(k)}`);
  const msg: Mutable<StreamMessage> = {};
  const kind = str(o.kind, "kind");
  if (kind !== undefined) msg.kind = kind;
  const id = str(o.messageId, "messageId");
  if (id !== undefined) msg.messageId = id;
  if (o.timestamp !== undefined && o.timestamp !== null) {
    const t =
      typeof o.timestamp === "number"
        ? new Date(o.timestamp)
        : typeof o.timestamp === "string"
          ? new Date(o.timestamp)
          : undefined;
    if (t === undefined || Number.isNaN(t.getTime()))
      throw new Error("timestamp must be RFC 3339 text or unix milliseconds");
    msg.timestamp = t;
  }
  if (o.metadata !== undefined && o.metadata !== null) {
    if (typeof o.metadata !== "object" || Array.isArray(o.metadata))
      throw new Error("metadata must be an object of strings");
    const m: Record<string, string> = {};
    for (const [k, v] of Object.entries(o.metadata as Record<string, unknown>)) m[k] = str(v, `metadata.${k}`) ?? "";
    msg.metadata = m;
  }
  if (o.payload !== undefined) msg.payload = encoder.encode(JSON.stringify(o.payload));
  if (o.inputs !== undefined) msg.inputs = encoder.encode(JSON.stringify(o.inputs));
  if (o.binary !== undefined && o.binary !== null) {
    const b = o.binary as Record<string, unknown>;
    msg.binary = {
      payload: fromBase64(b.data, "binary.data"),
      mimeType: str(b.mimeType, "binary.mimeType"),
      timestampMs: num(b.timestampMs, "binary.timestampMs"),
    };
  }
  if (o.audio !== undefined && o.audio !== null) {
    const a = o.audio as Record<string, unknown>;
    msg.audio = {
      pcm: fromBase64(a.pcm, "audio.pcm"),
      sampleRateHz: num(a.sampleRateHz, "audio.sampleRateHz") ?? 0,
      channels: num(a.channels, "audio.channels") ?? 0,
      codec: str(a.codec, "audio.codec"),
      timestampMs: num(a.timestampMs, "audio.timestampMs"),
    };
  }
  if (o.video !== undefined && o.video !== null) {
    const v = o.video as Record<string, unknown>;
    msg.video = {
      payload: fromBase64(v.payload, "video.payload"),
      codec: str(v.codec, "video.codec"),
      width: num(v.width, "video.width"),
      height: num(v.height, "video.height"),
      timestampMs: num(v.timestampMs, "video.timestampMs"),
      raw: v.raw === true,
    };
  }
  return msg;
}

function jsonOrUndefined(b: Uint8Array | undefined): { ok: true; value: unknown } | { ok: false } {
  if (b === undefined || b.length === 0) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(decoder.decode(b)) };
  } catch {
    return { ok: false };
  }
}

/** Formats one message as an NDJSON line (with the trailing newline). */
export function formatMessageLine(msg: StreamMessage): string {
  const out: Record<string, unknown> = {};
  if (msg.kind) out.kind = msg.kind;
  if (msg.messageId) out.messageId = msg.messageId;
  if (msg.timestamp) out.timestamp = msg.timestamp.toISOString();
  if (msg.metadata && Object.keys(msg.metadata).length > 0) out.metadata = msg.metadata;
  const payload = jsonOrUndefined(msg.payload);
  const mirrored = msg.binary !== undefined && payload.ok && (msg.binary.mimeType ?? "") === "application/json";
  if (payload.ok && (msg.binary === undefined || mirrored)) out.payload = payload.value;
  const inputs = jsonOrUndefined(msg.inputs);
  if (inputs.ok) out.inputs = inputs.value;
  if (msg.binary && !mirrored) {
    out.binary = { mimeType: msg.binary.mimeType ?? "application/octet-stream", data: toBase64(msg.binary.payload) };
  }
  if (msg.audio) {
    out.audio = {
      pcm: toBase64(msg.audio.pcm),
      sampleRateHz: msg.audio.sampleRateHz,
      channels: msg.audio.channels,
      ...(msg.audio.codec ? { codec: msg.audio.codec } : {}),
    };
  }
  if (msg.video) {
    const v = msg.video;
    out.video = {
      payload: toBase64(v.payload),
      ...(v.codec ? { codec: v.codec } : {}),
      ...(v.width ? { width: v.width, height: v.height } : {}),
      ...(v.raw ? { raw: true } : {}),
    };
  }
  return JSON.stringify(out) + "\n";
}
