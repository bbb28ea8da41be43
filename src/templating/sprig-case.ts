/**
 * The case conversions Sprig takes from huandu/xstrings: `snakecase`, `kebabcase` (words split
 * by kind of rune, lower-cased, joined) and `camelcase` (Pascal case).
 * @module
 */
import { isUnicodeSpace, LETTER, NUMBER, PUNCT, toLowerRune, toUpperRune, UPPER } from "./runes.ts";

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

/** The word of `str` starting at `pos`: its type, its runes and where the rest starts. */
function nextWord(str: readonly string[], pos: number): [number, string[], number] {
  if (pos >= str.length) return [enum_.invalid, [], pos];
  let offset = pos + 1;
  const r = str[pos]!;
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
  return [wt, str.slice(pos, offset), offset];
}

function lowerWord(wt: number, word: string[], connector: string): string {
  if (wt !== enum_.upper && wt !== enum_.connector) return word.join("");
  return word.map((c) => (isConnector(c) ? connector : isUpperCh(c) ? toLowerRune(c) : c)).join("");
}

/** xstrings `ToSnakeCase`/`ToKebabCase`: words lower-cased and joined by `connector`. */
export function camelToLower(input: string, connector: string): string {
  if (input.length === 0) return "";
  let out = "";
  const runes = [...input];
  let [wt, word, pos] = nextWord(runes, 0);
  while (pos < runes.length) {
    if (wt !== enum_.connector) out += lowerWord(wt, word, connector);
    const prev = wt;
    const last = word;
    [wt, word, pos] = nextWord(runes, pos);
    switch (prev) {
      case enum_.number:
        while (wt === enum_.alpha || wt === enum_.number) {
          out += lowerWord(wt, word, connector);
          [wt, word, pos] = nextWord(runes, pos);
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
        if (pos >= runes.length) break;
        const lastNum = word;
        [wt, word, pos] = nextWord(runes, pos);
        if (wt !== enum_.alpha) {
          out += lowerWord(enum_.number, lastNum, connector);
          if (wt !== enum_.connector && wt !== enum_.punct) out += connector;
          break;
        }
        out += connector;
        out += lowerWord(enum_.number, lastNum, connector);
        while (wt === enum_.alpha || wt === enum_.number) {
          out += lowerWord(wt, word, connector);
          [wt, word, pos] = nextWord(runes, pos);
        }
        if (wt !== enum_.invalid && wt !== enum_.connector && wt !== enum_.punct) out += connector;
      }
    }
  }
  out += lowerWord(wt, word, connector);
  return out;
}

/** xstrings `ToPascalCase` (Sprig `camelcase`). */
export function toPascalCase(input: string): string {
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
