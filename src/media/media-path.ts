/**
 * Object paths of offloaded media blobs, laid out as the Go SDK lays them out:
 * `streams/<ns>/<storyRun>/<step>/<scope…>/YYYY/MM/DD/<unixSec>-<micros>-<8 hex>.bin`.
 * @module
 */

/** The identity parts of a media path. */
export interface MediaPathParts {
  readonly namespace?: string;
  readonly storyRun?: string;
  readonly step?: string;
  /** Extra caller-defined segments after the step. */
  readonly scope?: readonly string[];
}

const UNSAFE_RUN = /[^a-zA-Z0-9._-]+/g;
const EDGE_PUNCTUATION = /^[-_.]+|[-_.]+$/g;
const MAX_SEGMENT = 64;

/**
 * One media path segment: trimmed; runs outside `[a-zA-Z0-9._-]` become `-`; `-_.` trimmed from
 * both ends; cut to 64 characters (after the trim, so a cut may end in `-`); lower-cased. `""`
 * means the segment is skipped.
 *
 * @remarks The same segments as the Go SDK's media package.
 */
export function sanitizeMediaSegment(raw: string): string {
  const cleaned = raw.trim().replace(UNSAFE_RUN, "-").replace(EDGE_PUNCTUATION, "");
  return cleaned.slice(0, MAX_SEGMENT).toLowerCase();
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

/**
 * The object path for a blob written at `epochMicros` (UTC) with the random `suffixHex` (8 hex
 * characters in production). Empty segments are skipped.
 */
export function buildMediaPath(parts: MediaPathParts, epochMicros: number, suffixHex: string): string {
  const segments = ["streams"];
  for (const raw of [parts.namespace ?? "", parts.storyRun ?? "", parts.step ?? "", ...(parts.scope ?? [])]) {
    const s = sanitizeMediaSegment(raw);
    if (s !== "") segments.push(s);
  }
  const micros = Math.floor(epochMicros);
  const seconds = Math.floor(micros / 1_000_000);
  const date = new Date(seconds * 1000);
  segments.push(pad(date.getUTCFullYear(), 4), pad(date.getUTCMonth() + 1, 2), pad(date.getUTCDate(), 2));
  segments.push(`${seconds}-${pad(micros - seconds * 1_000_000, 6)}-${suffixHex}.bin`);
  return segments.join("/");
}

/** 4 random bytes as 8 lower-case hex characters. */
export function randomHexSuffix(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(4));
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

/**
 * Now, in microseconds since the epoch. `Date.now()` has millisecond resolution; the
 * sub-millisecond digits come from the monotonic clock, so blobs written within one millisecond
 * still get distinct, plausible `micros` (the random suffix is what keeps paths unique).
 */
export function epochMicrosNow(): number {
  const fraction = performance.now() % 1;
  return Date.now() * 1000 + Math.floor(fraction * 1000);
}
