/**
 * Sprig string helpers with Go semantics (byte offsets, `strings.Title`, goutils and xstrings
 * case conversions).
 * @module
 */
import { FuncError, type GoFunc } from "./func-types.ts";
import { strval } from "./convert.ts";
import { quoteGo } from "./lex.ts";
import { formatV } from "./fmt.ts";
import { type GoInt, GoMap, GoSlice, byteSlice, fromBytes, isAscii, toBytes, utf8Length } from "./values.ts";

const n = (v: unknown): number => Number((v as GoInt).v);
const s = (v: unknown): string => v as string;

const UNI_SPACE = /^[\s\u0085]$/u;
/** Go `unicode.IsSpace`. */
export function isUnicodeSpace(ch: string): boolean {
  const c = ch.codePointAt(0)!;
  if (c < 0x80) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c === 0x85 || c === 0xa0) return true;
  if (c === 0xfeff) return false;
  return UNI_SPACE.test(ch);
}

function toUpperRune(ch: string): string {
  const u = ch.toUpperCase();
  return [...u].length === 1 ? u : ch;
}
function toLowerRune(ch: string): string {
  const l = ch.toLowerCase();
  return [...l].length === 1 ? l : ch;
}
/** Go `strings.ToUpper` (simple case mapping per rune). */
export function goUpper(x: string): string {
  if (isAscii(x)) return x.toUpperCase();
  return [...x].map(toUpperRune).join("");
}
/** Go `strings.ToLower`. */
export function goLower(x: string): string {
  if (isAscii(x)) return x.toLowerCase();
  return [...x].map(toLowerRune).join("");
}

const LETTER = /^\p{L}$/u;
const DIGIT = /^\p{Nd}$/u;
const NUMBER = /^\p{N}$/u;
const UPPER = /^\p{Lu}$/u;
const PUNCT = /^\p{P}$/u;

function isSeparator(ch: string): boolean {
  const c = ch.codePointAt(0)!;
  if (c <= 0x7f) {
    if ((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f) return false;
    return true;
  }
  if (LETTER.test(ch) || DIGIT.test(ch)) return false;
  return isUnicodeSpace(ch);
}

/** Go `strings.Title`. */
function title(x: string): string {
  let prev = " ";
  let out = "";
  for (const ch of x) {
    out += isSeparator(prev) ? toUpperRune(ch) : ch;
    prev = ch;
  }
  return out;
}

function trimCutset(x: string, cutset: string, left: boolean, right: boolean): string {
  const set = new Set([...cutset]);
  const chars = [...x];
  let a = 0;
  let b = chars.length;
  if (left) while (a < b && set.has(chars[a]!)) a++;
  if (right) while (b > a && set.has(chars[b - 1]!)) b--;
  return chars.slice(a, b).join("");
}

/** Go `strings.TrimSpace`. */
export function goTrimSpace(x: string): string {
  const chars = [...x];
  let a = 0;
  let b = chars.length;
  while (a < b && isUnicodeSpace(chars[a]!)) a++;
  while (b > a && isUnicodeSpace(chars[b - 1]!)) b--;
  return chars.slice(a, b).join("");
}

function abbreviateFull(str: string, offset: number, maxWidth: number): string {
  if (str === "") return "";
  if (maxWidth < 4) return "";
  const len = utf8Length(str);
  if (len <= maxWidth) return str;
  if (offset > len) offset = len;
  if (len - offset < maxWidth - 3) offset = len - (maxWidth - 3);
  if (offset <= 4) return `${byteSlice(str, 0, maxWidth - 3)}...`;
  if (maxWidth < 7) return "";
  if (offset + maxWidth - 3 < len) return `...${abbreviateFull(byteSlice(str, offset), 0, maxWidth - 3)}`;
  return `...${byteSlice(str, len - (maxWidth - 3))}`;
}

/** Bytewise transform as goutils does (`rune(str[i])`). */
function latin1Runes(x: string): number[] {
  return [...toBytes(x)];
}

function deleteWhiteSpace(x: string): string {
  if (x === "") return x;
  const bytes = latin1Runes(x);
  let out = "";
  let count = 0;
  for (const b of bytes) {
    const ch = String.fromCharCode(b);
    if (!isUnicodeSpace(ch)) {
      out += ch;
      count++;
    }
  }
  if (count === bytes.length) return x;
  return out;
}

function initials(x: string): string {
  if (x === "") return x;
  let out = "";
  let lastWasGap = true;
  for (const b of latin1Runes(x)) {
    const ch = String.fromCharCode(b);
    if (isUnicodeSpace(ch)) lastWasGap = true;
    else if (lastWasGap) {
      out += ch;
      lastWasGap = false;
    }
  }
  return out;
}

function uncapitalize(x: string): string {
  if (x === "") return x;
  let next = true;
  let out = "";
  for (const ch of x) {
    if (isUnicodeSpace(ch)) {
      next = true;
      out += ch;
    } else if (next) {
      out += toLowerRune(ch);
      next = false;
    } else out += ch;
  }
  return out;
}

function wrapCustom(str: string, wrapLength: number, newLine: string, wrapLong: boolean): string {
  if (str === "") return "";
  if (newLine === "") newLine = "\n";
  if (wrapLength < 1) wrapLength = 1;
  const b = toBytes(str);
  const sub = (a: number, e: number): string => fromBytes(b.subarray(a, e));
  const len = b.length;
  let offset = 0;
  let out = "";
  while (len - offset > wrapLength) {
    if (b[offset] === 0x20) {
      offset++;
      continue;
    }
    const end = Math.min(wrapLength + offset + 1, len);
    let space = -1;
    for (let k = end - 1; k >= offset; k--) {
      if (b[k] === 0x20) {
        space = k;
        break;
      }
    }
    if (space >= offset) {
      out += sub(offset, space) + newLine;
      offset = space + 1;
    } else if (wrapLong) {
      out += sub(offset, wrapLength + offset) + newLine;
      offset += wrapLength;
    } else {
      const e = wrapLength + offset;
      let idx = -1;
      for (let k = e; k < len; k++) {
        if (b[k] === 0x20) {
          idx = k;
          break;
        }
      }
      if (idx === -1) {
        out += sub(offset, len);
        offset = len;
      } else {
        out += sub(offset, idx) + newLine;
        offset = idx + 1;
      }
    }
  }
  return out + sub(offset, len);
}

// ---- xstrings case conversion ----
const enum_ = { invalid: 0, number: 1, upper: 2, alpha: 3, connector: 4, punct: 5, other: 6 } as const;

function isConnector(ch: string): boolean {
  return ch === "-" || ch === "_" || isUnicodeSpace(ch);
}
function isAlphabet(ch: string): boolean {
  if (!LETTER.test(ch)) return false;
  const c = ch.codePointAt(0)!;
  if (c < 0x2e80) return true;
  // CJK characters are not alphabets for xstrings.
  return !/\p{Script=Han}|\p{Script=Hiragana}|\p{Script=Katakana}|\p{Script=Hangul}/u.test(ch);
}
function isUpperCh(ch: string): boolean {
  return UPPER.test(ch);
}
function isNumberCh(ch: string): boolean {
  return NUMBER.test(ch);
}

function nextWord(str: string[]): [number, string[], string[]] {
  if (str.length === 0) return [enum_.invalid, [], []];
  let offset = 1;
  const r = str[0]!;
  let wt: number;
  const at = (k: number): string | undefined => str[k];
  if (isConnector(r)) {
    wt = enum_.connector;
    while (offset < str.length && isConnector(at(offset)!)) offset++;
  } else if (PUNCT.test(r)) {
    wt = enum_.punct;
    while (offset < str.length && PUNCT.test(at(offset)!)) offset++;
  } else if (isUpperCh(r)) {
    wt = enum_.upper;
    if (offset < str.length) {
      const r1 = at(offset)!;
      if (isUpperCh(r1)) {
        offset++;
        while (offset < str.length && isUpperCh(at(offset)!)) offset++;
        if (offset < str.length && isAlphabet(at(offset)!)) offset--;
      } else if (isAlphabet(r1)) {
        offset++;
        while (offset < str.length && isAlphabet(at(offset)!) && !isUpperCh(at(offset)!)) offset++;
      }
    }
  } else if (isAlphabet(r)) {
    wt = enum_.alpha;
    while (offset < str.length && isAlphabet(at(offset)!) && !isUpperCh(at(offset)!)) offset++;
  } else if (isNumberCh(r)) {
    wt = enum_.number;
    while (offset < str.length && isNumberCh(at(offset)!)) offset++;
  } else {
    wt = enum_.other;
    while (offset < str.length) {
      const c = at(offset)!;
      if (isConnector(c) || isAlphabet(c) || isNumberCh(c) || PUNCT.test(c)) break;
      offset++;
    }
  }
  return [wt, str.slice(0, offset), str.slice(offset)];
}

function lowerWord(wt: number, word: string[], connector: string): string {
  if (wt !== enum_.upper && wt !== enum_.connector) return word.join("");
  return word.map((c) => (isConnector(c) ? connector : isUpperCh(c) ? toLowerRune(c) : c)).join("");
}

function camelToLower(input: string, connector: string): string {
  if (input.length === 0) return "";
  let out = "";
  let [wt, word, remaining] = nextWord([...input]);
  while (remaining.length > 0) {
    if (wt !== enum_.connector) out += lowerWord(wt, word, connector);
    const prev = wt;
    const last = word;
    [wt, word, remaining] = nextWord(remaining);
    switch (prev) {
      case enum_.number:
        while (wt === enum_.alpha || wt === enum_.number) {
          out += lowerWord(wt, word, connector);
          [wt, word, remaining] = nextWord(remaining);
        }
        if (wt !== enum_.invalid && wt !== enum_.punct && wt !== enum_.connector) out += connector;
        break;
      case enum_.connector:
        out += lowerWord(prev, last, connector);
        break;
      case enum_.punct:
        break;
      default: {
        if (wt !== enum_.number) {
          if (wt !== enum_.connector && wt !== enum_.punct) out += connector;
          break;
        }
        if (remaining.length === 0) break;
        const lastNum = word;
        [wt, word, remaining] = nextWord(remaining);
        if (wt !== enum_.alpha) {
          out += lowerWord(enum_.number, lastNum, connector);
          if (wt !== enum_.connector && wt !== enum_.punct) out += connector;
          break;
        }
        out += connector;
        out += lowerWord(enum_.number, lastNum, connector);
        while (wt === enum_.alpha || wt === enum_.number) {
          out += lowerWord(wt, word, connector);
          [wt, word, remaining] = nextWord(remaining);
        }
        if (wt !== enum_.invalid && wt !== enum_.connector && wt !== enum_.punct) out += connector;
      }
    }
  }
  out += lowerWord(wt, word, connector);
  return out;
}

function toPascalCase(input: string): string {
  if (input.length === 0) return "";
  const chars = [...input];
  let out = "";
  let i = 0;
  let r0 = "";
  let isFirstRuneUpper = false;
  let found = false;
  while (i < chars.length) {
    r0 = chars[i++]!;
    if (!isConnector(r0)) {
      isFirstRuneUpper = isUpperCh(r0);
      r0 = toUpperRune(r0);
      found = true;
      break;
    }
    out += r0;
  }
  if (i >= chars.length) {
    if (found) out += r0;
    return out;
  }
  while (i < chars.length) {
    const r1 = r0;
    r0 = chars[i++]!;
    if (isConnector(r0) && isConnector(r1)) {
      out += r1;
      continue;
    }
    if (isConnector(r1)) {
      isFirstRuneUpper = isUpperCh(r0);
      r0 = toUpperRune(r0);
    } else {
      if (isFirstRuneUpper) {
        if (isUpperCh(r0)) r0 = toLowerRune(r0);
        else isFirstRuneUpper = false;
      }
      out += r1;
    }
  }
  out += r0;
  return out;
}

/** Go `strings.Split`. */
export function goSplit(str: string, sep: string, limit = -1): string[] {
  if (limit === 0) return [];
  if (sep === "") {
    const runes = [...str];
    if (limit < 0 || limit >= runes.length) return runes;
    return [...runes.slice(0, limit - 1), runes.slice(limit - 1).join("")];
  }
  const parts = str.split(sep);
  if (limit < 0 || parts.length <= limit) return parts;
  return [...parts.slice(0, limit - 1), parts.slice(limit - 1).join(sep)];
}

function indent(spaces: number, v: string): string {
  const p = " ".repeat(Math.max(spaces, 0));
  if (spaces < 0) throw new FuncError("strings: negative Repeat count");
  return p + v.replaceAll("\n", `\n${p}`);
}

/** The string helpers. */
export const STRING_FUNCS: Readonly<Record<string, GoFunc>> = {
  abbrev: { params: ["int", "string"], call: (a) => (n(a[0]) < 4 ? s(a[1]) : abbreviateFull(s(a[1]), 0, n(a[0]))) },
  abbrevboth: {
    params: ["int", "int", "string"],
    call: (a) => {
      const left = n(a[0]);
      const right = n(a[1]);
      if (right < 4 || (left > 0 && right < 7)) return s(a[2]);
      return abbreviateFull(s(a[2]), left, right);
    },
  },
  trunc: {
    params: ["int", "string"],
    call: (a) => {
      const c = n(a[0]);
      const str = s(a[1]);
      const len = utf8Length(str);
      if (c < 0 && len + c > 0) return byteSlice(str, len + c);
      if (c >= 0 && len > c) return byteSlice(str, 0, c);
      return str;
    },
  },
  trim: { params: ["string"], call: (a) => goTrimSpace(s(a[0])) },
  upper: { params: ["string"], call: (a) => goUpper(s(a[0])) },
  lower: { params: ["string"], call: (a) => goLower(s(a[0])) },
  title: { params: ["string"], call: (a) => title(s(a[0])) },
  untitle: { params: ["string"], call: (a) => uncapitalize(s(a[0])) },
  substr: {
    params: ["int", "int", "string"],
    call: (a) => {
      const start = n(a[0]);
      const end = n(a[1]);
      const str = s(a[2]);
      const len = utf8Length(str);
      const oob = (x: number, y: number): never => {
        throw new FuncError(`runtime error: slice bounds out of range [${x}:${y}]`);
      };
      if (start < 0) {
        if (end < 0) throw new FuncError(`runtime error: slice bounds out of range [:${end}]`);
        if (end > len) throw new FuncError(`runtime error: slice bounds out of range [:${end}] with length ${len}`);
        return byteSlice(str, 0, end);
      }
      if (end < 0 || end > len) {
        if (start > len) throw new FuncError(`runtime error: slice bounds out of range [${start}:${len}]`);
        return byteSlice(str, start);
      }
      if (start > end) oob(start, end);
      return byteSlice(str, start, end);
    },
  },
  trimall: { params: ["string", "string"], call: (a) => trimCutset(s(a[1]), s(a[0]), true, true) },
  trimAll: { params: ["string", "string"], call: (a) => trimCutset(s(a[1]), s(a[0]), true, true) },
  trimSuffix: {
    params: ["string", "string"],
    call: (a) => (s(a[0]) !== "" && s(a[1]).endsWith(s(a[0])) ? s(a[1]).slice(0, -s(a[0]).length) : s(a[1])),
  },
  trimPrefix: {
    params: ["string", "string"],
    call: (a) => (s(a[1]).startsWith(s(a[0])) ? s(a[1]).slice(s(a[0]).length) : s(a[1])),
  },
  nospace: { params: ["string"], call: (a) => deleteWhiteSpace(s(a[0])) },
  initials: { params: ["string"], call: (a) => initials(s(a[0])) },
  snakecase: { params: ["string"], call: (a) => camelToLower(s(a[0]), "_") },
  camelcase: { params: ["string"], call: (a) => toPascalCase(s(a[0])) },
  kebabcase: { params: ["string"], call: (a) => camelToLower(s(a[0]), "-") },
  wrap: { params: ["int", "string"], call: (a) => wrapCustom(s(a[1]), n(a[0]), "", false) },
  wrapWith: { params: ["int", "string", "string"], call: (a) => wrapCustom(s(a[2]), n(a[0]), s(a[1]), true) },
  contains: { params: ["string", "string"], call: (a) => s(a[1]).includes(s(a[0])) },
  hasPrefix: { params: ["string", "string"], call: (a) => s(a[1]).startsWith(s(a[0])) },
  hasSuffix: { params: ["string", "string"], call: (a) => s(a[1]).endsWith(s(a[0])) },
  quote: {
    params: [],
    variadic: "any",
    call: (a) => a.filter((x) => x !== null && x !== undefined).map((x) => quoteGo(strval(x))).join(" "),
  },
  squote: {
    params: [],
    variadic: "any",
    call: (a) => a.filter((x) => x !== null && x !== undefined).map((x) => `'${formatV(x)}'`).join(" "),
  },
  cat: {
    params: [],
    variadic: "any",
    call: (a) => a.filter((x) => x !== null && x !== undefined).map((x) => formatV(x)).join(" "),
  },
  indent: { params: ["int", "string"], call: (a) => indent(n(a[0]), s(a[1])) },
  nindent: { params: ["int", "string"], call: (a) => `\n${indent(n(a[0]), s(a[1]))}` },
  replace: { params: ["string", "string", "string"], call: (a) => goReplaceAll(s(a[2]), s(a[0]), s(a[1])) },
  plural: { params: ["string", "string", "int"], call: (a) => ((a[2] as GoInt).v === 1n ? s(a[0]) : s(a[1])) },
  split: {
    params: ["string", "string"],
    call: (a) => new GoMap("string", new Map(goSplit(s(a[1]), s(a[0])).map((p, i) => [`_${i}`, p]))),
  },
  splitList: { params: ["string", "string"], call: (a) => new GoSlice("string", goSplit(s(a[1]), s(a[0]))) },
  splitn: {
    params: ["string", "int", "string"],
    call: (a) => new GoMap("string", new Map(goSplit(s(a[2]), s(a[0]), n(a[1])).map((p, i) => [`_${i}`, p]))),
  },
};

/** Go `strings.Replace(s, old, new, -1)`. */
export function goReplaceAll(str: string, old: string, nw: string): string {
  if (old === "") {
    const runes = [...str];
    return nw + runes.map((r) => r + nw).join("");
  }
  return str.split(old).join(nw);
}
