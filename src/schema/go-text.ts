/**
 * Trimming and quoting as Go does them, for error texts that must match the Go SDK's.
 * @module
 */

// unicode.IsSpace: ASCII \t\n\v\f\r and space, U+0085, U+00A0 and the White_Space Z runes.
// JS `trim()` differs (it trims U+FEFF and keeps U+0085), so the class is spelled out.
const GO_SPACE = "\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const TRIM = new RegExp(`^[${GO_SPACE}]+|[${GO_SPACE}]+$`, "g");

/** Go's `strings.TrimSpace`. @internal */
export function goTrimSpace(text: string): string {
  return text.replace(TRIM, "");
}

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  "\x07": "\\a",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\v": "\\v",
  "\\": "\\\\",
  '"': '\\"',
};

// strconv.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** Go's `%q` (`strconv.Quote`) for a string: a double-quoted Go string literal. @internal */
export function goQuote(text: string): string {
  let out = '"';
  for (const ch of text) {
    const short = SHORT_ESCAPES[ch];
    if (short !== undefined) {
      out += short;
      continue;
    }
    if (PRINTABLE.test(ch)) {
      out += ch;
      continue;
    }
    const code = ch.codePointAt(0) as number;
    // A lone surrogate is invalid UTF-8 by the time Go sees it: it decodes to U+FFFD.
    if (code >= 0xd800 && code <= 0xdfff) out += "\uFFFD";
    else if (code < 0x20 || code === 0x7f) out += `\\x${hex(code, 2)}`;
    else if (code < 0x10000) out += `\\u${hex(code, 4)}`;
    else out += `\\U${hex(code, 8)}`;
  }
  return `${out}"`;
}

function hex(code: number, width: number): string {
  return code.toString(16).padStart(width, "0");
}
