/**
 * JSON text as Go's `encoding/json` writes it: object keys sorted by byte order at every level, no
 * whitespace, `<` `>` `&` U+2028 U+2029 escaped, `-0` kept. Used wherever the bytes must equal the
 * Go SDK's: the merge-patch diff (sent with its keys sorted) and storage offload decisions (sizes
 * are the length of that text).
 *
 * Three views of the same serialization: {@link goJsonStringify} (a string),
 * {@link goJsonByteLength} (its UTF-8 length, computed without building it) and
 * {@link goJsonEncode} (the text in bounded pieces, for writing large values into a byte buffer
 * without a second full-size copy).
 * @module
 */

const ESCAPES: Readonly<Record<string, string>> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

/** Strings longer than this are escaped in slices, so no piece is a full-size copy. */
const STRING_SLICE = 1 << 20;

/** Compares by Unicode code point, which is UTF-8 byte order. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

/**
 * Serializes a JSON value compactly, with object keys sorted by code point at every level,
 * `<` `>` `&` U+2028 U+2029 escaped and `-0` kept. `undefined` object members are skipped, as
 * `JSON.stringify` does; non-finite numbers throw.
 *
 * @remarks Byte for byte what Go's `json.Marshal` writes for the same decoded value
 * (`map[string]any`, `[]any`, `float64`, `string`, `bool`, `nil`).
 */
export function goJsonStringify(value: unknown): string {
  const pieces: string[] = [];
  goJsonEncode(value, (piece) => pieces.push(piece));
  return pieces.join("");
}

/**
 * Emits the JSON text of `value` as a sequence of pieces (concatenated, they equal
 * {@link goJsonStringify}). Long strings arrive in slices of about 1 MiB.
 */
export function goJsonEncode(value: unknown, emit: (piece: string) => void): void {
  encode(value, emit);
}

function encode(v: unknown, emit: (piece: string) => void): void {
  if (v === null || v === undefined) return emit("null");
  switch (typeof v) {
    case "string":
      return encodeString(v, emit);
    case "number":
      return emit(numberText(v));
    case "boolean":
      return emit(v ? "true" : "false");
    case "bigint":
      return emit(v.toString());
    case "object": {
      const withToJson = v as { toJSON?: () => unknown };
      if (typeof withToJson.toJSON === "function") return encode(withToJson.toJSON(), emit);
      if (Array.isArray(v)) {
        emit("[");
        for (let i = 0; i < v.length; i++) {
          if (i > 0) emit(",");
          encode(v[i], emit);
        }
        return emit("]");
      }
      const obj = v as Record<string, unknown>;
      emit("{");
      let first = true;
      for (const k of memberKeys(obj)) {
        if (!first) emit(",");
        first = false;
        encodeString(k, emit);
        emit(":");
        encode(obj[k], emit);
      }
      return emit("}");
    }
    default:
      throw new TypeError(`json: unsupported type: ${typeof v}`);
  }
}

function numberText(v: number): string {
  if (!Number.isFinite(v)) throw new TypeError(`json: unsupported value: ${v}`);
  // Go keeps the sign of a decoded -0; JSON.stringify drops it. Otherwise both print the
  // shortest round-trip form with the same exponent thresholds (1e-6, 1e21).
  return Object.is(v, -0) ? "-0" : JSON.stringify(v);
}

/** The members `JSON.stringify` would write, in sorted order. */
function memberKeys(obj: Record<string, unknown>): string[] {
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined && typeof obj[k] !== "function");
  return keys.sort(compareCodePoints);
}

function escapeText(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => ESCAPES[c]!);
}

/** Characters Go escapes, and lone surrogates (JSON.stringify escapes those). */
const NEEDS_ESCAPE =
  /["\\\u0000-\u001f<>&\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function encodeString(s: string, emit: (piece: string) => void): void {
  if (s.length <= STRING_SLICE) return emit(escapeText(s));
  emit('"');
  for (let start = 0; start < s.length; ) {
    let end = Math.min(start + STRING_SLICE, s.length);
    // Never split a surrogate pair: each half alone would be escaped as \udXXX.
    const last = s.charCodeAt(end - 1);
    if (end < s.length && last >= 0xd800 && last <= 0xdbff) end++;
    const slice = s.slice(start, end);
    // Clean text is written as is: no escaped copy (and no garbage) per slice.
    emit(NEEDS_ESCAPE.test(slice) ? escapeText(slice).slice(1, -1) : slice);
    start = end;
  }
  emit('"');
}

/**
 * The UTF-8 byte length of {@link goJsonStringify}'s text, computed by walking the value (no
 * text is built). Throws on what {@link goJsonStringify} throws on.
 */
export function goJsonByteLength(value: unknown): number {
  const v = value;
  if (v === null || v === undefined) return 4;
  switch (typeof v) {
    case "string":
      return goJsonStringLength(v);
    case "number":
      return numberText(v).length;
    case "boolean":
      return v ? 4 : 5;
    case "bigint":
      return v.toString().length;
    case "object": {
      const withToJson = v as { toJSON?: () => unknown };
      if (typeof withToJson.toJSON === "function") return goJsonByteLength(withToJson.toJSON());
      if (Array.isArray(v)) {
        let n = 2 + Math.max(0, v.length - 1);
        for (const item of v) n += goJsonByteLength(item);
        return n;
      }
      const obj = v as Record<string, unknown>;
      const keys = Object.keys(obj).filter((k) => obj[k] !== undefined && typeof obj[k] !== "function");
      let n = 2 + Math.max(0, keys.length - 1);
      for (const k of keys) n += goJsonStringLength(k) + 1 + goJsonByteLength(obj[k]);
      return n;
    }
    default:
      throw new TypeError(`json: unsupported type: ${typeof v}`);
  }
}

/** The UTF-8 byte length of `s` quoted and escaped as {@link goJsonStringify} writes it. */
export function goJsonStringLength(s: string): number {
  let n = 2;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      if (c === 0x22 || c === 0x5c) n += 2;
      else if (c < 0x20) n += c === 0x08 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d ? 2 : 6;
      else if (c === 0x3c || c === 0x3e || c === 0x26) n += 6;
      else n += 1;
    } else if (c < 0x800) {
      n += 2;
    } else if (c === 0x2028 || c === 0x2029) {
      n += 6;
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && isLowSurrogate(s.charCodeAt(i + 1))) {
      n += 4;
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      // A lone surrogate: JSON.stringify writes \udXXX; Go writes \ufffd. Both are 6 bytes.
      n += 6;
    } else {
      n += 3;
    }
  }
  return n;
}

/** The UTF-8 byte length of `s`; lone surrogates count as U+FFFD. */
export function utf8ByteLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && isLowSurrogate(s.charCodeAt(i + 1))) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}
