/**
 * Go's `strings.TrimSpace`, `strconv.Atoi` and `strconv.ParseBool`, which decide what an env value
 * means; JavaScript's own trim and number parsing accept different inputs.
 * @module
 */

// Go's unicode.IsSpace: ASCII whitespace, U+0085, U+00A0 and the Unicode White_Space
// characters. JS `trim()` differs (it strips U+FEFF and keeps U+0085), so we spell it out.
const GO_SPACE = "\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const LEADING = new RegExp(`^[${GO_SPACE}]+`);
const TRAILING = new RegExp(`[${GO_SPACE}]+$`);

/** Trims Unicode white space as Go's `strings.TrimSpace` does. */
export function trimSpace(value: string): string {
  return value.replace(LEADING, "").replace(TRAILING, "");
}

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const DECIMAL = /^[+-]?[0-9]+$/;

/** Why {@link parseGoInt} rejected a value. */
export type GoIntFailure = "syntax" | "range";

/**
 * Go's `strconv.Atoi` on a 64-bit platform (same as `ParseInt(s, 10, 64)`): an optional sign and
 * ASCII decimal digits, nothing else (no spaces, underscores, `0x`, exponents). Values outside
 * int64 fail with `"range"`. Values outside the JS safe-integer range also fail with `"range"`
 * because we return a `number`; no env value the SDK reads can legitimately be that large.
 */
export function parseGoInt(value: string): number | GoIntFailure {
  if (!DECIMAL.test(value)) return "syntax";
  const big = BigInt(value);
  if (big < INT64_MIN || big > INT64_MAX) return "range";
  if (big < BigInt(Number.MIN_SAFE_INTEGER) || big > BigInt(Number.MAX_SAFE_INTEGER)) return "range";
  // `-0` parses to 0 in Go; Number(BigInt) never yields -0.
  return Number(big);
}

const GO_TRUE: ReadonlySet<string> = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const GO_FALSE: ReadonlySet<string> = new Set(["0", "f", "F", "FALSE", "false", "False"]);

/** Go's `strconv.ParseBool`: exact, case-sensitive sets; `undefined` for anything else. */
export function parseGoBool(value: string): boolean | undefined {
  if (GO_TRUE.has(value)) return true;
  if (GO_FALSE.has(value)) return false;
  return undefined;
}
