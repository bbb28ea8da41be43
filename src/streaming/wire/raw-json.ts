/**
 * Raw JSON helpers for the envelope hot path: strict UTF-8 decoding that is cheap in every
 * runtime, and the source spans of top-level values, so a payload passes through as the bytes
 * it arrived in (Go's `json.RawMessage`) instead of being stringified again.
 * @module
 */

const lax = new TextDecoder();
const fatal = new TextDecoder("utf-8", { fatal: true });

/**
 * Decodes UTF-8, throwing on invalid bytes (a leading BOM is dropped, like `TextDecoder`). The
 * fatal decoder is much slower than the replacing one in Deno and Node, so it only runs when the
 * fast decode produced a U+FFFD, which is either in the input or marks bad bytes.
 * @throws {TypeError} on invalid UTF-8.
 */
export function decodeUtf8Strict(bytes: Uint8Array): string {
  const text = lax.decode(bytes);
  return text.includes("\uFFFD") ? fatal.decode(bytes) : text;
}

/** `[start, end)` of a value in the source text. */
export type Span = readonly [number, number];

/**
 * Spans of the values of the top-level keys of `text`, which must hold one **valid** JSON object
 * (check it with `JSON.parse` first; invalid text gives unspecified spans). A repeated key gives
 * its last value, as `JSON.parse` does.
 */
export function topLevelSpans(text: string, wanted: readonly string[]): Map<string, Span> {
  const out = new Map<string, Span>();
  let i = skipWs(text, 0);
  if (text.charCodeAt(i) !== 0x7b) return out; // {
  i = skipWs(text, i + 1);
  if (text.charCodeAt(i) === 0x7d) return out; // }
  while (i < text.length) {
    const ks = i;
    i = skipString(text, i);
    const key = matchKey(text, ks + 1, i - 1, wanted);
    i = skipWs(text, skipWs(text, i) + 1); // past ':'
    const vs = i;
    i = skipValue(text, i);
    if (key !== undefined) out.set(key, [vs, i]);
    i = skipWs(text, i);
    if (text.charCodeAt(i) !== 0x2c) break; // not ',': the closing '}'
    i = skipWs(text, i + 1);
  }
  return out;
}

/** The wanted key that the raw key `text[start, end)` spells, escapes decoded; else `undefined`. */
function matchKey(text: string, start: number, end: number, wanted: readonly string[]): string | undefined {
  for (const w of wanted) if (end - start === w.length && text.startsWith(w, start)) return w;
  const raw = text.slice(start, end); // short: an object key
  if (!raw.includes("\\")) return undefined;
  const key = JSON.parse(`"${raw}"`) as string;
  return wanted.includes(key) ? key : undefined;
}

function skipWs(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return i;
    i++;
  }
}

/** `i` is at an opening quote; returns the index after the closing one. */
function skipString(text: string, i: number): number {
  let from = i + 1;
  for (;;) {
    const q = text.indexOf('"', from);
    if (q < 0) return text.length;
    let k = q - 1;
    while (text.charCodeAt(k) === 0x5c) k--; // backslashes before the quote
    if ((q - 1 - k) % 2 === 0) return q + 1;
    from = q + 1;
  }
}

function skipValue(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === 0x22) return skipString(text, i);
  if (c === 0x7b || c === 0x5b) {
    let depth = 0;
    while (i < text.length) {
      const d = text.charCodeAt(i);
      if (d === 0x22) {
        i = skipString(text, i);
        continue;
      }
      if (d === 0x7b || d === 0x5b) depth++;
      else if (d === 0x7d || d === 0x5d) {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    return i;
  }
  // number, true, false, null
  while (i < text.length) {
    const d = text.charCodeAt(i);
    if (d === 0x2c || d === 0x7d || d === 0x5d || d === 0x20 || d === 0x0a || d === 0x0d || d === 0x09) return i;
    i++;
  }
  return i;
}
