/**
 * `emitTextSignal`: a metadata summary of a text payload, optionally with a bounded sample
 * (the Go SDK's `EmitTextSignal`).
 * @module
 */
import { utf8ByteLength } from "../json/go-json.ts";
import type { StepRunTarget } from "../k8s/steprun-target.ts";
import { type EmitSignalOptions, type EmitSignalResult, emitSignal } from "./emit.ts";
import { sha256Hex } from "./summary.ts";
import { SignalEnvelope, SignalMeta } from "./types.ts";

/** Default sample size when a sample is requested without a positive size. */
export const DEFAULT_SIGNAL_SAMPLE_BYTES = 2048;

/** Options of {@link emitTextSignal}. */
export interface TextSignalOptions extends Omit<EmitSignalOptions, "seq"> {
  /** `meta.format`; default `text`. */
  readonly format?: string;
  readonly contentType?: string;
  /** Include a sample of at most this many UTF-8 bytes; ≤0 with `sampleExtras` means 2048. */
  readonly sampleBytes?: number;
  /** Put the SHA-256 of the whole text into `meta.hashSha256`. */
  readonly includeHash?: boolean;
  readonly attributes?: Readonly<Record<string, string>>;
  /** Extra sample fields (never overriding `text`/`truncated`). */
  readonly sampleExtras?: Readonly<Record<string, unknown>>;
}

/**
 * Emits `SignalEnvelope{meta:{format, contentType, sizeBytes, hashSha256?, attributes}, sample?}`
 * for `text`. A sample is included only when `sampleBytes ≠ 0` or `sampleExtras` is non-empty.
 */
export async function emitTextSignal(
  target: StepRunTarget,
  key: string,
  text: string,
  options: TextSignalOptions = {},
): Promise<EmitSignalResult> {
  return emitSignal(target, key, await textSignalValue(text, options), options);
}

/** The `SignalEnvelope` that {@link emitTextSignal} emits for `text`. */
export async function textSignalValue(text: string, options: TextSignalOptions = {}): Promise<SignalEnvelope> {
  const meta = new SignalMeta({
    format: firstNonEmpty(options.format, "text"),
    contentType: (options.contentType ?? "").trim(),
    sizeBytes: utf8ByteLength(text),
    ...(options.includeHash === true ? { hashSha256: await sha256Hex(text) } : {}),
    ...(options.attributes !== undefined ? { attributes: options.attributes } : {}),
  });
  return new SignalEnvelope(meta, textSample(text, options));
}

function firstNonEmpty(...values: (string | undefined)[]): string {
  for (const v of values) if (v !== undefined && v.trim() !== "") return v.trim();
  return "";
}

/** The sample object, or undefined when none was asked for. */
export function textSample(
  text: string,
  options: Pick<TextSignalOptions, "sampleBytes" | "sampleExtras">,
): Record<string, unknown> | undefined {
  const extras = options.sampleExtras ?? {};
  const bytes = options.sampleBytes ?? 0;
  if (bytes === 0 && Object.keys(extras).length === 0) return undefined;
  const limit = bytes > 0 ? bytes : DEFAULT_SIGNAL_SAMPLE_BYTES;
  const [sampleText, truncated] = truncateUtf8(text, limit);
  const sample: Record<string, unknown> = { text: sampleText };
  if (truncated) sample["truncated"] = true;
  for (const [k, v] of Object.entries(extras)) if (!(k in sample)) sample[k] = v;
  return sample;
}

/** At most `maxBytes` UTF-8 bytes of `text`, cut at a character boundary. */
export function truncateUtf8(text: string, maxBytes: number): [string, boolean] {
  if (maxBytes <= 0 || utf8ByteLength(text) <= maxBytes) return [text, false];
  let bytes = 0;
  let end = 0;
  for (const ch of text) {
    const n = utf8ByteLength(ch);
    if (bytes + n > maxBytes) break;
    bytes += n;
    end += ch.length;
  }
  return [text.slice(0, end), true];
}
