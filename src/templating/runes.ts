/**
 * Unicode rune classes and per-rune case mapping as Go's `unicode` package sees them, shared by
 * the string helpers.
 * @module
 */

const UNI_SPACE = /^[\s\u0085]$/u;
/** Go `unicode.IsSpace`. */
export function isUnicodeSpace(ch: string): boolean {
  const c = ch.codePointAt(0)!;
  if (c < 0x80) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c === 0x85 || c === 0xa0) return true;
  if (c === 0xfeff) return false;
  return UNI_SPACE.test(ch);
}

/** Go `unicode.ToUpper` as JavaScript can do it: the upper case when it is one rune. */
export function toUpperRune(ch: string): string {
  const u = ch.toUpperCase();
  return [...u].length === 1 ? u : ch;
}
/** Go `unicode.ToLower` likewise. */
export function toLowerRune(ch: string): string {
  const l = ch.toLowerCase();
  return [...l].length === 1 ? l : ch;
}

/** One rune of Unicode letters. */
export const LETTER: RegExp = /^\p{L}$/u;
/** One rune of Unicode decimal digits. */
export const DIGIT: RegExp = /^\p{Nd}$/u;
/** One rune of Unicode numbers. */
export const NUMBER: RegExp = /^\p{N}$/u;
/** One rune of Unicode upper-case letters. */
export const UPPER: RegExp = /^\p{Lu}$/u;
/** One rune of Unicode punctuation. */
export const PUNCT: RegExp = /^\p{P}$/u;
