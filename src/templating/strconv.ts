/**
 * The parts of Go's `strconv` the template language needs: `Unquote`, `UnquoteChar`,
 * `ParseInt`/`ParseUint` with base 0 and `ParseFloat`.
 * @module
 */

/** Thrown with Go's `strconv` error texts. */
export class SyntaxError_ extends Error {
  override readonly name: string = "StrconvError";
}

const SIMPLE: Readonly<Record<string, string>> = {
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "\\": "\\",
};

/** Go `strconv.UnquoteChar` on `s` at `i`: the decoded text and the next index. */
function unquoteCharAt(s: string, i: number, quote: string): [string, number] {
  const c = s[i]!;
  if (c === quote && (quote === "'" || quote === '"')) throw new SyntaxError_("invalid syntax");
  if (c !== "\\") {
    const cp = s.codePointAt(i)!;
    return [String.fromCodePoint(cp), i + (cp > 0xffff ? 2 : 1)];
  }
  if (i + 1 >= s.length) throw new SyntaxError_("invalid syntax");
  const e = s[i + 1]!;
  if (e in SIMPLE) return [SIMPLE[e]!, i + 2];
  switch (e) {
    case "x":
    case "u":
    case "U": {
      const n = e === "x" ? 2 : e === "u" ? 4 : 8;
      const hex = s.slice(i + 2, i + 2 + n);
      if (hex.length < n || !/^[0-9a-fA-F]+$/.test(hex)) throw new SyntaxError_("invalid syntax");
      const v = parseInt(hex, 16);
      if (e === "x") {
        // A \x escape is a byte; bytes >= 0x80 alone are invalid UTF-8 (Go keeps the byte).
        return [String.fromCharCode(v), i + 2 + n];
      }
      if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) throw new SyntaxError_("invalid syntax");
      return [String.fromCodePoint(v), i + 2 + n];
    }
    case "0":
    case "1":
    case "2":
    case "3":
    case "4":
    case "5":
    case "6":
    case "7": {
      const oct = s.slice(i + 1, i + 4);
      if (oct.length < 3 || !/^[0-7]{3}$/.test(oct)) throw new SyntaxError_("invalid syntax");
      const v = parseInt(oct, 8);
      if (v > 255) throw new SyntaxError_("invalid syntax");
      return [String.fromCharCode(v), i + 4];
    }
    case "'":
    case '"':
      if (e !== quote) throw new SyntaxError_("invalid syntax");
      return [e, i + 2];
  }
  throw new SyntaxError_("invalid syntax");
}

/** Go `strconv.Unquote` for `"…"`, `` `…` `` and `'…'`. */
export function unquote(s: string): string {
  const n = s.length;
  if (n < 2) throw new SyntaxError_("invalid syntax");
  const q = s[0]!;
  if (q !== s[n - 1]) throw new SyntaxError_("invalid syntax");
  const body = s.slice(1, n - 1);
  if (q === "`") {
    if (body.includes("`")) throw new SyntaxError_("invalid syntax");
    return body.includes("\r") ? body.replaceAll("\r", "") : body;
  }
  if (q !== '"' && q !== "'") throw new SyntaxError_("invalid syntax");
  if (body.includes("\n")) throw new SyntaxError_("invalid syntax");
  let out = "";
  let i = 0;
  let count = 0;
  while (i < body.length) {
    const [t, next] = unquoteCharAt(body, i, q);
    out += t;
    i = next;
    count++;
    if (q === "'" && count > 1) throw new SyntaxError_("invalid syntax");
  }
  if (q === "'" && count !== 1) throw new SyntaxError_("invalid syntax");
  return out;
}

/** The rune value of a Go character literal such as `'a'` or `'\n'`. */
export function unquoteRune(text: string): number {
  const [t, next] = unquoteCharAt(text, 1, "'");
  if (text.slice(next) !== "'") throw new SyntaxError_(`malformed character constant: ${text}`);
  return t.codePointAt(0)!;
}

/** Base-0 integer syntax of Go literals; `undefined` when not an integer literal. */
export function parseIntLiteral(text: string): bigint | undefined {
  let s = text;
  let neg = false;
  if (s[0] === "+" || s[0] === "-") {
    neg = s[0] === "-";
    s = s.slice(1);
  }
  let base = 10;
  let digits = s;
  let prefixed = false;
  if (/^0[xX]/.test(s)) {
    base = 16;
    digits = s.slice(2);
    prefixed = true;
  } else if (/^0[oO]/.test(s)) {
    base = 8;
    digits = s.slice(2);
    prefixed = true;
  } else if (/^0[bB]/.test(s)) {
    base = 2;
    digits = s.slice(2);
    prefixed = true;
  } else if (s.length > 1 && s[0] === "0") {
    base = 8;
    digits = s.slice(1);
    prefixed = true;
  }
  if (!underscoreOK(prefixed ? `0${digits}` : digits, prefixed)) return undefined;
  digits = digits.replaceAll("_", "");
  if (digits === "") return undefined;
  const valid = base === 16 ? /^[0-9a-fA-F]+$/ : base === 8 ? /^[0-7]+$/ : base === 2 ? /^[01]+$/ : /^[0-9]+$/;
  if (!valid.test(digits)) return undefined;
  const prefix = base === 16 ? "0x" : base === 8 ? "0o" : base === 2 ? "0b" : "";
  const v = BigInt(prefix + digits);
  return neg ? -v : v;
}

function underscoreOK(s: string, prefixed: boolean): boolean {
  if (!s.includes("_")) return true;
  // Go syntax: underscores only between digits (a base prefix counts as a digit).
  void prefixed;
  return !/^_|__|_$/.test(s);
}

/** Go `strconv.ParseFloat(s, 64)` for decimal syntax (with `_` after a prefix) and inf/nan. */
export function parseFloatLiteral(text: string): number | undefined {
  const s = text;
  if (/^[+-]?(inf|infinity)$/i.test(s)) return s[0] === "-" ? -Infinity : Infinity;
  if (/^nan$/i.test(s)) return NaN;
  if (/^[+-]?0[xX]/.test(s)) return parseHexFloat(s);
  if (!/^[+-]?(\d[\d_]*)?(\.[\d_]*)?([eE][+-]?[\d_]+)?$/.test(s)) return undefined;
  if (s.includes("_")) return undefined;
  if (!/\d/.test(s.replace(/[eE].*$/, ""))) return undefined;
  const v = Number(s);
  // Go reports a range error (and the value is not used) when the result overflows.
  return Number.isFinite(v) ? v : undefined;
}

function parseHexFloat(s: string): number | undefined {
  const m = /^([+-]?)0[xX]([0-9a-fA-F_]*)(?:\.([0-9a-fA-F_]*))?(?:[pP]([+-]?\d+))?$/.exec(s);
  if (!m) return undefined;
  const intPart = (m[2] ?? "").replaceAll("_", "");
  const frac = (m[3] ?? "").replaceAll("_", "");
  if (intPart === "" && frac === "") return undefined;
  if (m[4] === undefined && frac !== "") return undefined;
  let v = 0;
  for (const c of intPart) v = v * 16 + parseInt(c, 16);
  let scale = 1 / 16;
  for (const c of frac) {
    v += parseInt(c, 16) * scale;
    scale /= 16;
  }
  const exp = m[4] === undefined ? 0 : Number(m[4]);
  v *= 2 ** exp;
  return m[1] === "-" ? -v : v;
}

/** Go `strconv.ParseInt(s, 10, 64)`-style decimal parse, for `atoi`. */
export function atoi(s: string): bigint | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const v = BigInt(s);
  if (v > 9223372036854775807n || v < -9223372036854775808n) return undefined;
  return v;
}
