/**
 * The inline/offload threshold of media blobs (contract storage.md "Media package", env.md
 * `BUBU_MEDIA_INLINE_SIZE`).
 * @module
 */
import { parseGoInt } from "../env/go-text.ts";
import { ENV } from "../env/names.ts";
import { envReader, type EnvSource } from "../env/source.ts";

/** Go's `defaultInlineLimit`: 48 KiB keeps short bursts inline. */
export const DEFAULT_MEDIA_INLINE_LIMIT: number = 48 * 1024;

/** A Go `strconv.Atoi` value that is > 0, else `undefined` (Go ignores anything else here). */
function positive(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === "") return undefined;
  const n = parseGoInt(raw);
  return typeof n === "number" && n > 0 ? n : undefined;
}

/**
 * The limit in bytes: `override` when > 0 (fractions rounded down), else `BUBU_MEDIA_INLINE_SIZE`, else
 * `BUBU_MAX_INLINE_SIZE`, each only when it parses as a positive integer (Go ignores malformed
 * or non-positive values here rather than failing), else {@link DEFAULT_MEDIA_INLINE_LIMIT}.
 * Data of at most this many bytes stays inline.
 */
export function mediaInlineLimit(override: number | undefined, env: EnvSource): number {
  if (override !== undefined && Number.isFinite(override) && override >= 1) return Math.floor(override);
  const reader = envReader(env);
  return positive(reader.get(ENV.MEDIA_INLINE_SIZE)) ?? positive(reader.get(ENV.MAX_INLINE_SIZE)) ?? DEFAULT_MEDIA_INLINE_LIMIT;
}
