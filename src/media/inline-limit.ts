/**
 * The inline/offload threshold of media blobs (`BUBU_MEDIA_INLINE_SIZE`).
 * @module
 */
import { parseGoInt } from "../env/go-text.ts";
import { ENV } from "../env/names.ts";
import { type EnvSource, envReader } from "../env/source.ts";

/**
 * The default media inline limit: 48 KiB keeps short bursts inline.
 *
 * @remarks The Go SDK's media default.
 */
export const DEFAULT_MEDIA_INLINE_LIMIT: number = 48 * 1024;

/** A decimal integer > 0, else `undefined` (anything else is ignored here, as in the Go SDK). */
function positive(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === "") return undefined;
  const n = parseGoInt(raw);
  return typeof n === "number" && n > 0 ? n : undefined;
}

/**
 * The limit in bytes: `override` when > 0 (fractions rounded down), else `BUBU_MEDIA_INLINE_SIZE`,
 * else `BUBU_MAX_INLINE_SIZE`, each only when it parses as a positive integer (malformed or
 * non-positive values are ignored here rather than failing, as in the Go SDK), else
 * {@link DEFAULT_MEDIA_INLINE_LIMIT}. Data of at most this many bytes stays inline.
 */
export function mediaInlineLimit(override: number | undefined, env: EnvSource): number {
  if (override !== undefined && Number.isFinite(override) && override >= 1) return Math.floor(override);
  const reader = envReader(env);
  return (
    positive(reader.get(ENV.MEDIA_INLINE_SIZE)) ??
    positive(reader.get(ENV.MAX_INLINE_SIZE)) ??
    DEFAULT_MEDIA_INLINE_LIMIT
  );
}
