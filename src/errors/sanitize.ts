/**
 * Redaction and truncation of persisted error messages, with the Go SDK's rules plus the
 * registered secret values.
 * @module
 */
import { redactText } from "../observability/redaction.ts";

/** `maxErrorMessageBytes`: persisted messages are cut to this many UTF-8 bytes. */
export const MAX_ERROR_MESSAGE_BYTES = 8192;

// RE2's `\s` is ASCII-only: [\t\n\f\r ] (no \v, no Unicode spaces). A JS `\s` would also match
// U+00A0, U+2028 and friends and redact differently from Go, so the class is spelled out.
const WS = "[\\t\\n\\f\\r ]";
const NOT_WS_COMMA_SEMI = "[^\\t\\n\\f\\r ,;]";
const VALUE = "[^\"'\\\\\\t\\n\\f\\r ,;}{\\]&]";

// The `u` flag makes `i` use Unicode simple case folding, as RE2's (?i) does (so the Kelvin
// sign matches `k` and `ſ` matches `s`, exactly like Go).
const AUTHORIZATION_HEADER = new RegExp(
  `(authorization${WS}*:${WS}*(?:basic|bearer)${WS}+)(${NOT_WS_COMMA_SEMI}+)`,
  "giu",
);
const KEY_VALUE = new RegExp(
  `(["']?(?:api[_-]?key|x-api-key|access[_-]?token|refresh[_-]?token|token|password|secret|client[_-]?secret|authorization)["']?${WS}*[:=]${WS}*["']?)(${VALUE}+)(["']?)`,
  "giu",
);

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Cuts `message` to at most `limit` UTF-8 bytes without splitting a character. A limit ≤ 0
 * returns the message unchanged.
 */
export function truncateUtf8(message: string, limit: number): string {
  if (limit <= 0 || message.length * 3 <= limit) return message;
  const bytes = encoder.encode(message);
  if (bytes.length <= limit) return message;
  let end = limit;
  // Back up over continuation bytes (10xxxxxx) so the cut lands on a character start.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return decoder.decode(bytes.subarray(0, end));
}

/**
 * Replaces registered secret values (`Secrets`, `$bubuSecretRef`), applies the Go SDK's two
 * redaction regexes (in order, case-insensitive, ASCII whitespace) and then truncates to `limit`
 * bytes (default {@link MAX_ERROR_MESSAGE_BYTES}).
 *
 * As in the Go SDK, the result is not idempotent: sanitizing `password=[REDACTED]` again gives
 * `password=[REDACTED]]`, because `[` is a valid value character.
 */
export function sanitizeErrorMessage(message: string, limit: number = MAX_ERROR_MESSAGE_BYTES): string {
  // Registered secret values (Secrets, $bubuSecretRef) first, then the pattern rules.
  const redacted = redactText(message)
    .replace(AUTHORIZATION_HEADER, "$1[REDACTED]")
    .replace(KEY_VALUE, "$1[REDACTED]$3");
  return truncateUtf8(redacted, limit);
}
