/**
 * Sprig string helpers with Go semantics (byte offsets, `strings.Title`, goutils and xstrings
 * case conversions).
 * @module
 */
import { BoundedText, ENTRY_BYTES, type Meter, SLOT_BYTES } from "./budget.ts";
import { strval } from "./convert.ts";
import { formatV } from "./fmt.ts";
import { FuncError, type GoFunc } from "./func-types.ts";
import { quotedLength, quoteGo } from "./lex.ts";
import { DIGIT, isUnicodeSpace, LETTER, toLowerRune, toUpperRune } from "./runes.ts";
import { camelToLower, toPascalCase } from "./sprig-case.ts";
import {
  byteSlice,
  fromBytes,
  type GoInt,
  GoMap,
  GoSlice,
  isAscii,
  replaceRunes,
  runeCount,
  toBytes,
  utf8Length,
} from "./values.ts";

const n = (v: unknown): number => Number((v as GoInt).v);
const s = (v: unknown): string => v as string;

/**
 * Maps each rune with `perRune`, chunk by chunk. A chunk whose whole-string mapping keeps its
 * length maps every rune to one rune of the same size (no JavaScript case mapping shrinks), so
 * that result is used; otherwise (a rune with a multi-rune mapping, or `context` matching a
 * character whose mapping depends on its neighbours) each rune is mapped on its own.
 */
function mapRunes(x: string, whole: (s: string) => string, perRune: (ch: string) => string, context?: RegExp): string {
  const parts: string[] = [];
  for (let i = 0; i < x.length; ) {
    let end = Math.min(i + 8192, x.length);
    if (end < x.length && (x.charCodeAt(end - 1) & 0xfc00) === 0xd800) end--;
    const chunk = x.slice(i, end);
    const mapped = whole(chunk);
    parts.push(mapped.length === chunk.length && !context?.test(chunk) ? mapped : [...chunk].map(perRune).join(""));
    i = end;
  }
  return parts.join("");
}

/** Go `strings.ToUpper` (simple case mapping per rune). */
export function goUpper(x: string): string {
  if (isAscii(x)) return x.toUpperCase();
  return mapRunes(x, (s) => s.toUpperCase(), toUpperRune);
}
/** Go `strings.ToLower` (final sigma is context-dependent in JavaScript, not in Go). */
export function goLower(x: string): string {
  if (isAscii(x)) return x.toLowerCase();
  return mapRunes(x, (s) => s.toLowerCase(), toLowerRune, /\u03a3/);
}

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
  return replaceRunes(x, (cp) => {
    const ch = String.fromCodePoint(cp);
    const out = isSeparator(prev) ? toUpperRune(ch) : ch;
    prev = ch;
    return out === ch ? undefined : out;
  });
}

/** The code point starting at `i` (a lone surrogate stands for itself). */
function runeAt(x: string, i: number): string {
  const c = x.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < x.length && (x.charCodeAt(i + 1) & 0xfc00) === 0xdc00)
    return x.slice(i, i + 2);
  return x[i]!;
}

/** The code point ending just before `j`. */
function runeBefore(x: string, j: number): string {
  const c = x.charCodeAt(j - 1);
  if (c >= 0xdc00 && c <= 0xdfff && j >= 2 && (x.charCodeAt(j - 2) & 0xfc00) === 0xd800) return x.slice(j - 2, j);
  return x[j - 1]!;
}

/** Trims code points matching `drop` from either end, without copying the middle. */
function trimRunes(x: string, drop: (ch: string) => boolean, left: boolean, right: boolean): string {
  let a = 0;
  let b = x.length;
  if (left) {
    while (a < b) {
      const ch = runeAt(x, a);
      if (!drop(ch)) break;
      a += ch.length;
    }
  }
  if (right) {
    while (b > a) {
      const ch = runeBefore(x, b);
      if (!drop(ch)) break;
      b -= ch.length;
    }
  }
  return a === 0 && b === x.length ? x : x.slice(a, b);
}

function trimCutset(x: string, cutset: string, left: boolean, right: boolean): string {
  const set = new Set([...cutset]);
  return trimRunes(x, (ch) => set.has(ch), left, right);
}

/** Go `strings.TrimSpace`. */
export function goTrimSpace(x: string): string {
  return trimRunes(x, isUnicodeSpace, true, true);
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
function latin1Runes(x: string): Uint8Array {
  return toBytes(x);
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

function wrapCustom(str: string, wrapLength: number, newLine: string, wrapLong: boolean, meter: Meter): string {
  if (str === "") return "";
  if (newLine === "") newLine = "\n";
  if (wrapLength < 1) wrapLength = 1;
  const b = toBytes(str);
  const sub = (a: number, e: number): string => fromBytes(b.subarray(a, e));
  const len = b.length;
  let offset = 0;
  // Each break adds `newLine`, so a long separator multiplies the text: held to the limit as it grows.
  const out = new BoundedText(meter);
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
      out.add(sub(offset, space));
      out.add(newLine);
      offset = space + 1;
    } else if (wrapLong) {
      out.add(sub(offset, wrapLength + offset));
      out.add(newLine);
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
        out.add(sub(offset, len));
        offset = len;
      } else {
        out.add(sub(offset, idx));
        out.add(newLine);
        offset = idx + 1;
      }
    }
  }
  out.add(sub(offset, len));
  return out.text();
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

/** Go `strings.Count` (an empty `sep` counts the positions between runes). */
function countOf(str: string, sep: string): number {
  if (sep === "") return runeCount(str) + 1;
  let n = 0;
  for (let i = str.indexOf(sep); i >= 0; i = str.indexOf(sep, i + sep.length)) n++;
  return n;
}

/** Sprig `indent`: the padding is repeated on every line, so the size is checked first. */
function indent(spaces: number, v: string, meter: Meter): string {
  if (spaces < 0) throw new FuncError("strings: negative Repeat count");
  meter.fits(v.length + spaces * (countOf(v, "\n") + 1));
  const p = " ".repeat(spaces);
  return p + v.replaceAll("\n", `\n${p}`);
}

/** Joins the non-nil values, each converted by `f`, with spaces (Sprig `quote`, `squote`, `cat`). */
function joinEach(
  args: unknown[],
  meter: Meter,
  f: (s: string) => string,
  convert: (v: unknown) => string,
  length: (s: string) => number = (s) => s.length,
): string {
  const out = new BoundedText(meter);
  let first = true;
  for (const x of args) {
    if (x === null || x === undefined) continue;
    if (!first) out.add(" ");
    first = false;
    const text = convert(x);
    meter.fits(out.size + length(text));
    out.add(f(text));
  }
  return out.text();
}

/** The pieces `goSplit` would return, checked against the limit before splitting. */
function checkSplit(str: string, sep: string, limit: number, perPiece: number, meter: Meter): void {
  let pieces = countOf(str, sep) + (sep === "" ? -1 : 1);
  if (limit >= 0 && pieces > limit) pieces = limit;
  meter.fits(pieces * perPiece);
}

/** Estimated bytes of one `split` entry (`_<index>` key and value). */
const MAP_PIECE = ENTRY_BYTES + 8;

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
  wrap: { params: ["int", "string"], call: (a, ctx) => wrapCustom(s(a[1]), n(a[0]), "", false, ctx.meter) },
  wrapWith: {
    params: ["int", "string", "string"],
    call: (a, ctx) => wrapCustom(s(a[2]), n(a[0]), s(a[1]), true, ctx.meter),
  },
  contains: { params: ["string", "string"], call: (a) => s(a[1]).includes(s(a[0])) },
  hasPrefix: { params: ["string", "string"], call: (a) => s(a[1]).startsWith(s(a[0])) },
  hasSuffix: { params: ["string", "string"], call: (a) => s(a[1]).endsWith(s(a[0])) },
  quote: {
    params: [],
    variadic: "any",
    call: (a, ctx) => joinEach(a, ctx.meter, quoteGo, (x) => strval(x, ctx.meter), quotedLength),
  },
  squote: {
    params: [],
    variadic: "any",
    call: (a, ctx) =>
      joinEach(
        a,
        ctx.meter,
        (t) => `'${t}'`,
        (x) => formatV(x, ctx.meter),
      ),
  },
  cat: {
    params: [],
    variadic: "any",
    call: (a, ctx) =>
      joinEach(
        a,
        ctx.meter,
        (t) => t,
        (x) => formatV(x, ctx.meter),
      ),
  },
  indent: { params: ["int", "string"], call: (a, ctx) => indent(n(a[0]), s(a[1]), ctx.meter) },
  nindent: { params: ["int", "string"], call: (a, ctx) => `\n${indent(n(a[0]), s(a[1]), ctx.meter)}` },
  replace: {
    params: ["string", "string", "string"],
    call: (a, ctx) => {
      const [old, nw, str] = [s(a[0]), s(a[1]), s(a[2])];
      // Every match (every rune boundary for an empty `old`) gets `nw`: check the size first.
      if (nw.length > old.length) ctx.meter.fits(str.length + countOf(str, old) * (nw.length - old.length));
      return goReplaceAll(str, old, nw);
    },
  },
  plural: { params: ["string", "string", "int"], call: (a) => ((a[2] as GoInt).v === 1n ? s(a[0]) : s(a[1])) },
  split: {
    params: ["string", "string"],
    call: (a, ctx) => {
      checkSplit(s(a[1]), s(a[0]), -1, MAP_PIECE, ctx.meter);
      return new GoMap("string", new Map(goSplit(s(a[1]), s(a[0])).map((p, i) => [`_${i}`, p])));
    },
  },
  splitList: {
    params: ["string", "string"],
    call: (a, ctx) => {
      checkSplit(s(a[1]), s(a[0]), -1, SLOT_BYTES, ctx.meter);
      return new GoSlice("string", goSplit(s(a[1]), s(a[0])));
    },
  },
  splitn: {
    params: ["string", "int", "string"],
    call: (a, ctx) => {
      checkSplit(s(a[2]), s(a[0]), n(a[1]), MAP_PIECE, ctx.meter);
      return new GoMap("string", new Map(goSplit(s(a[2]), s(a[0]), n(a[1])).map((p, i) => [`_${i}`, p])));
    },
  },
};

/** Go `strings.Replace(s, old, new, -1)`. */
export function goReplaceAll(str: string, old: string, nw: string): string {
  if (old === "" && nw === "") return str;
  if (old === "") {
    const runes = [...str];
    return nw + runes.map((r) => r + nw).join("");
  }
  return str.split(old).join(nw);
}
