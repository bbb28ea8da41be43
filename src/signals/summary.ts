/**
 * The redacted summary that replaces a signal value (and an oversized effect detail) in
 * `StepRun.status`: `{"details":{"len":N},"redacted":true,"sha256":"…","sizeBytes":N,"type":"map"}`,
 * as the Go SDK writes it.
 * @module
 */
import { utf8ByteLength } from "../json/go-json.ts";
import { isSignalStruct, SequencedSignal } from "./types.ts";

/** The kind names a summary reports (Go's `reflect` kinds, as the Go SDK writes them). */
export type SignalValueType = "map" | "array" | "string" | "struct" | "bool" | "int" | "uint" | "float" | "null";

/** A summary (without `redacted`), as in a signal event's `payload`. */
export interface SignalSummary {
  sizeBytes: number;
  sha256?: string;
  type: SignalValueType;
  details?: { len: number };
  [extra: string]: unknown;
}

/** Lower-case hex SHA-256 of the UTF-8 bytes of `text`. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The kind of the value a TypeScript caller passed: plain objects are maps, class
 * instances (and the signal types) are structs, integers are `int`, other numbers `float`.
 * `details.len` is given for maps (own keys), arrays and strings (UTF-8 bytes).
 */
export function signalTypeSummary(value: unknown): { type: SignalValueType; details?: { len: number } } {
  if (value === null || value === undefined) return { type: "null" };
  switch (typeof value) {
    case "string":
      return { type: "string", details: { len: utf8ByteLength(value) } };
    case "boolean":
      return { type: "bool" };
    case "bigint":
      return { type: "int" };
    case "number":
      return { type: Number.isInteger(value) ? "int" : "float" };
    case "object": {
      if (Array.isArray(value)) return { type: "array", details: { len: value.length } };
      if (ArrayBuffer.isView(value))
        return { type: "array", details: { len: (value as unknown as ArrayLike<unknown>).length ?? 0 } };
      if (value instanceof Map) return { type: "map", details: { len: value.size } };
      if (isSignalStruct(value)) return { type: "struct" };
      const proto = Object.getPrototypeOf(value);
      if (proto === Object.prototype || proto === null)
        return { type: "map", details: { len: Object.keys(value).length } };
      return { type: "struct" };
    }
    default:
      return { type: "struct" };
  }
}

/** A `SequencedSignal`'s inner value (the summary describes what the caller wrapped). */
export function unwrapSequenced(value: unknown): unknown {
  return value instanceof SequencedSignal ? value.value : value;
}

/** `summarizeSignalValue`: size and hash of `raw`, the kind of `value` (unwrapped). */
export async function summarizeSignalValue(value: unknown, raw: string): Promise<SignalSummary> {
  const sizeBytes = utf8ByteLength(raw);
  const summary: SignalSummary = { sizeBytes, type: "null" };
  if (sizeBytes > 0) summary.sha256 = await sha256Hex(raw);
  const { type, details } = signalTypeSummary(unwrapSequenced(value));
  summary.type = type;
  if (details !== undefined) summary.details = details;
  return summary;
}
