/**
 * The signal payload types (`SignalMeta`, `SignalEnvelope`, `SequencedSignal`, `SignalSequence`)
 * and their JSON encoding: fields in declaration order, empty ones left out, so `sizeBytes` and
 * `sha256` of a summary match the Go SDK's byte for byte.
 * @module
 */

import { goJsonStringify } from "../json/go-json.ts";
import { formatMetaTime } from "../k8s/meta-time.ts";

/** Fields of a {@link SignalMeta}. */
export interface SignalMetaInit {
  /** Logical payload shape, such as `text` or `json`. */
  readonly format?: string;
  readonly contentType?: string;
  /** Size of the original payload in bytes. */
  readonly sizeBytes?: number;
  /** Lower-case hex SHA-256 of the original payload. */
  readonly hashSha256?: string;
  /** Safe, non-secret metadata. */
  readonly attributes?: Readonly<Record<string, string>>;
}

/** A lightweight summary of a payload, safe for signals (stored as is when small enough). */
export class SignalMeta {
  readonly format: string;
  readonly contentType: string;
  readonly sizeBytes: number;
  readonly hashSha256: string;
  readonly attributes: Readonly<Record<string, string>> | undefined;

  constructor(init: SignalMetaInit = {}) {
    this.format = init.format ?? "";
    this.contentType = init.contentType ?? "";
    this.sizeBytes = init.sizeBytes ?? 0;
    this.hashSha256 = init.hashSha256 ?? "";
    this.attributes = init.attributes;
  }

  /** The JSON object, empty fields left out. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (this.format !== "") out["format"] = this.format;
    if (this.contentType !== "") out["contentType"] = this.contentType;
    if (this.sizeBytes !== 0) out["sizeBytes"] = this.sizeBytes;
    if (this.hashSha256 !== "") out["hashSha256"] = this.hashSha256;
    if (this.attributes !== undefined && Object.keys(this.attributes).length > 0)
      out["attributes"] = { ...this.attributes };
    return out;
  }
}

/** The standard signal structure: metadata plus an optional, already sanitized sample. */
export class SignalEnvelope {
  readonly meta: SignalMeta;
  readonly sample: unknown;

  constructor(meta: SignalMeta | SignalMetaInit = {}, sample?: unknown) {
    this.meta = meta instanceof SignalMeta ? meta : new SignalMeta(meta);
    this.sample = sample;
  }

  /** `{"meta":{…},"sample":…}`; `meta` is always present, `sample` only when set. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { meta: this.meta.toJSON() };
    if (this.sample !== undefined && this.sample !== null) out["sample"] = this.sample;
    return out;
  }
}

/** A payload wrapped with its sequence number and emission time. */
export class SequencedSignal {
  readonly seq: number;
  readonly emittedAt: Date;
  readonly value: unknown;

  constructor(seq: number, value: unknown, emittedAt: Date = new Date()) {
    this.seq = seq;
    this.emittedAt = emittedAt;
    this.value = value;
  }

  /** `{"seq":N,"emittedAt":"<RFC3339Nano>","value":…}`; `value` left out when nil. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { seq: this.seq, emittedAt: formatRfc3339Nano(this.emittedAt) };
    if (this.value !== undefined && this.value !== null) out["value"] = this.value;
    return out;
  }
}

/** A process-local monotonic sequence generator (`NewSignalSequence(start)`; `next()` = start+1, …). */
export class SignalSequence {
  #counter: number;

  constructor(start: number = 0) {
    this.#counter = Number.isSafeInteger(start) && start > 0 ? start : 0;
  }

  /** The next value. */
  next(): number {
    this.#counter += 1;
    return this.#counter;
  }

  /** The last value handed out (0 before the first). */
  get current(): number {
    return this.#counter;
  }
}

/** Whether `value` is one of the struct types above (summarized as `struct`). */
export function isSignalStruct(value: unknown): value is SignalMeta | SignalEnvelope | SequencedSignal {
  return value instanceof SignalMeta || value instanceof SignalEnvelope || value instanceof SequencedSignal;
}

/**
 * The JSON text of a signal value: struct types in field order, everything else as
 * {@link goJsonStringify} writes it (the bytes the Go SDK hashes and measures).
 */
export function goMarshal(value: unknown): string {
  if (value instanceof SignalMeta)
    return orderedObject(value.toJSON(), ["format", "contentType", "sizeBytes", "hashSha256", "attributes"]);
  if (value instanceof SignalEnvelope) {
    const sample = value.sample === undefined || value.sample === null ? "" : `,"sample":${goMarshal(value.sample)}`;
    return `{"meta":${goMarshal(value.meta)}${sample}}`;
  }
  if (value instanceof SequencedSignal) {
    const v = value.value === undefined || value.value === null ? "" : `,"value":${goMarshal(value.value)}`;
    return `{"seq":${goJsonStringify(value.seq)},"emittedAt":${goJsonStringify(formatRfc3339Nano(value.emittedAt))}${v}}`;
  }
  return goJsonStringify(value);
}

function orderedObject(obj: Record<string, unknown>, order: readonly string[]): string {
  const parts: string[] = [];
  for (const key of order) if (key in obj) parts.push(`${goJsonStringify(key)}:${goJsonStringify(obj[key])}`);
  return `{${parts.join(",")}}`;
}

/** Go's `time.RFC3339Nano` for a UTC instant: fraction without trailing zeros, none when zero. */
export function formatRfc3339Nano(date: Date): string {
  const iso = date.toISOString();
  return iso.replace(/\.(\d+)Z$/, (_, frac: string) => {
    const trimmed = frac.replace(/0+$/, "");
    return trimmed === "" ? "Z" : `.${trimmed}Z`;
  });
}

export { formatMetaTime };
