/**
 * Go `encoding/json` for the value model: `Marshal`/`MarshalIndent` (sorted keys, HTML
 * escaping on or off, Go float format, `time.Time` as RFC 3339, nil slices as `null`) and
 * `Unmarshal` into `interface {}` with Go's syntax error texts.
 * @module
 */
import { compareCodePoints } from "../json/go-json.ts";
import { BoundedText, escapedLength, type Meter } from "./budget.ts";
import { quoteGo } from "./lex.ts";
import { formatTime } from "./time-format.ts";
import { GoComplex, GoError, GoInt, GoMap, GoSlice, GoTime, GoVersion, isObject, replaceRunes } from "./values.ts";

/** A marshal failure with Go's text. */
export class JsonError extends Error {
  override readonly name: string = "JsonError";
}

/** Go JSON number text for a float64. */
function floatText(v: number): string {
  if (!Number.isFinite(v)) {
    throw new JsonError(`json: unsupported value: ${Number.isNaN(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf"}`);
  }
  if (Object.is(v, -0)) return "-0";
  return JSON.stringify(v);
}

function stringText(s: string, escapeHTML: boolean): string {
  const escaped = replaceRunes(s, (c) => {
    if (c === 0x22) return '\\"';
    if (c === 0x5c) return "\\\\";
    if (c < 0x20) {
      if (c === 0x0a) return "\\n";
      if (c === 0x0d) return "\\r";
      if (c === 0x09) return "\\t";
      if (c === 0x08) return "\\b";
      if (c === 0x0c) return "\\f";
      return `\\u00${c.toString(16).padStart(2, "0")}`;
    }
    if (escapeHTML && (c === 0x3c || c === 0x3e || c === 0x26)) return `\\u00${c.toString(16)}`;
    if (c === 0x2028 || c === 0x2029) return `\\u${c.toString(16)}`;
    if (c >= 0xd800 && c <= 0xdfff) return "\\ufffd";
    return undefined;
  });
  return `"${escaped}"`;
}

/**
 * Go `json.Marshal` (indent "" = compact) of a value. The text is held to the meter's per-value
 * limit as it grows: a value that shares structure (a list holding one list many times) can
 * encode to far more text than it occupies.
 */
export function goMarshal(v: unknown, opts: { escapeHTML: boolean; indent?: string }, meter: Meter): string {
  const indent = opts.indent ?? "";
  const out = new BoundedText(meter);
  // Bound on the extra length of each code unit's JSON escape (a lone surrogate becomes \ufffd).
  const extra = (c: number, s: string, i: number): number => {
    if (c === 0x22 || c === 0x5c) return 1;
    if (c === 0x0a || c === 0x0d || c === 0x09 || c === 0x08 || c === 0x0c) return 1;
    if (c < 0x20 || c === 0x2028 || c === 0x2029) return 5;
    if (c >= 0xd800 && c <= 0xdbff) return (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00 ? 0 : 5;
    if (c >= 0xdc00 && c <= 0xdfff) return (s.charCodeAt(i - 1) & 0xfc00) === 0xd800 ? 0 : 5;
    return opts.escapeHTML && (c === 0x3c || c === 0x3e || c === 0x26) ? 5 : 0;
  };
  const str = (s: string): void => {
    meter.fits(out.size + escapedLength(s, extra) + 2);
    out.add(stringText(s, opts.escapeHTML));
  };
  const nl = (d: number): void => {
    if (indent !== "") out.add(`\n${indent.repeat(d)}`);
  };
  const enc = (x: unknown, depth: number): void => {
    meter.work();
    if (x === null || x === undefined) return out.add("null");
    switch (typeof x) {
      case "string":
        return str(x);
      case "boolean":
        return out.add(x ? "true" : "false");
      case "number":
        return out.add(floatText(x));
    }
    if (x instanceof GoInt) return out.add(x.v.toString());
    if (x instanceof GoComplex) throw new JsonError("json: unsupported type: complex128");
    if (x instanceof GoTime) {
      const year = Number(formatTime(x, "2006"));
      if (year < 0 || year > 9999)
        throw new JsonError(
          "json: error calling MarshalJSON for type time.Time: Time.MarshalJSON: year outside of range [0,9999]",
        );
      return str(formatTime(x, "2006-01-02T15:04:05.999999999Z07:00"));
    }
    if (x instanceof GoVersion) return str(x.toString());
    if (x instanceof GoError) return out.add("{}");
    if (Array.isArray(x) || x instanceof GoSlice) {
      if (x instanceof GoSlice && x.nil) return out.add("null");
      const items = Array.isArray(x) ? x : x.items;
      if (items.length === 0) return out.add("[]");
      out.add("[");
      for (let i = 0; i < items.length; i++) {
        if (i > 0) out.add(",");
        nl(depth + 1);
        enc(items[i], depth + 1);
      }
      nl(depth);
      return out.add("]");
    }
    if (x instanceof GoMap || isObject(x)) {
      const entries: [string, unknown][] = x instanceof GoMap ? [...x.entries] : Object.entries(x);
      if (entries.length === 0) return out.add("{}");
      entries.sort((a, b) => compareCodePoints(a[0], b[0]));
      const sep = indent === "" ? ":" : ": ";
      out.add("{");
      for (let i = 0; i < entries.length; i++) {
        if (i > 0) out.add(",");
        nl(depth + 1);
        str(entries[i]![0]);
        out.add(sep);
        enc(entries[i]![1], depth + 1);
      }
      nl(depth);
      return out.add("}");
    }
    throw new JsonError(`json: unsupported type: ${typeof x}`);
  };
  enc(v, 0);
  return out.text();
}

function quoteChar(c: string): string {
  if (c === "'") return "'\\''";
  if (c === '"') return "'\"'";
  const q = quoteGo(c);
  return `'${q.slice(1, -1)}'`;
}

/** Go `json.Unmarshal` into `interface {}`; throws {@link JsonError} with Go's syntax errors. */
export function goUnmarshal(text: string): unknown {
  checkSyntax(text);
  return JSON.parse(text, (_k, v) => v);
}

function checkSyntax(s: string): void {
  let i = 0;
  const n = s.length;
  const ws = (): void => {
    while (i < n && (s[i] === " " || s[i] === "\t" || s[i] === "\n" || s[i] === "\r")) i++;
  };
  const fail = (ctx: string, eofAsSpace = false): never => {
    if (i >= n && eofAsSpace && ctx !== "") throw new JsonError(`invalid character ' ' ${ctx}`);
    if (i >= n) throw new JsonError("unexpected end of JSON input");
    const cp = s.codePointAt(i)!;
    throw new JsonError(`invalid character ${quoteChar(String.fromCodePoint(cp))} ${ctx}`);
  };
  const value = (): void => {
    ws();
    if (i >= n) fail("looking for beginning of value");
    const c = s[i]!;
    if (c === "{") {
      i++;
      ws();
      if (s[i] === "}") {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (s[i] !== '"') fail("looking for beginning of object key string");
        str();
        ws();
        if (s[i] !== ":") fail("after object key");
        i++;
        value();
        ws();
        if (s[i] === ",") {
          i++;
          continue;
        }
        if (s[i] === "}") {
          i++;
          return;
        }
        fail("after object key:value pair");
      }
    }
    if (c === "[") {
      i++;
      ws();
      if (s[i] === "]") {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (s[i] === ",") {
          i++;
          continue;
        }
        if (s[i] === "]") {
          i++;
          return;
        }
        fail("after array element");
      }
    }
    if (c === '"') return str();
    if (c === "-" || (c >= "0" && c <= "9")) return num();
    for (const lit of ["true", "false", "null"]) {
      if (c === lit[0]) {
        i++;
        for (let k = 1; k < lit.length; k++) {
          if (s[i] !== lit[k]) fail(`in literal ${lit} (expecting ${quoteChar(lit[k]!)})`, true);
          i++;
        }
        return;
      }
    }
    fail("looking for beginning of value");
  };
  const str = (): void => {
    i++;
    for (;;) {
      if (i >= n) fail("");
      const c = s[i]!;
      if (c === '"') {
        i++;
        return;
      }
      if (c === "\\") {
        i++;
        if (i >= n) fail("in string escape code", true);
        const e = s[i]!;
        if ('"\\/bfnrt'.includes(e)) {
          i++;
          continue;
        }
        if (e === "u") {
          i++;
          for (let k = 0; k < 4; k++) {
            if (i >= n) fail("in \\u hexadecimal character escape", true);
            if (!/[0-9a-fA-F]/.test(s[i]!)) fail("in \\u hexadecimal character escape", true);
            i++;
          }
          continue;
        }
        fail("in string escape code");
      }
      if (c.charCodeAt(0) < 0x20) fail("in string literal");
      i++;
    }
  };
  const digits = (): number => {
    const start = i;
    while (i < n && s[i]! >= "0" && s[i]! <= "9") i++;
    return i - start;
  };
  const num = (): void => {
    if (s[i] === "-") {
      i++;
      if (i >= n) fail("in numeric literal", true);
      if (!(s[i]! >= "0" && s[i]! <= "9")) fail("in numeric literal");
    }
    if (s[i] === "0") i++;
    else digits();
    if (s[i] === ".") {
      i++;
      if (i >= n) fail("after decimal point in numeric literal", true);
      if (digits() === 0) fail("after decimal point in numeric literal");
    }
    if (s[i] === "e" || s[i] === "E") {
      i++;
      if (s[i] === "+" || s[i] === "-") i++;
      if (i >= n) fail("in exponent of numeric literal", true);
      if (digits() === 0) fail("in exponent of numeric literal");
    }
  };
  value();
  ws();
  if (i < n) fail("after top-level value");
}
