/**
 * Go's `fmt` for this value model: `Sprint`, `Sprintln` and the formatting of one value with one
 * verb (strings, numbers, slices, maps, nil, errors and Stringers), with Go's bad-verb texts.
 * `Sprintf` is in `fmt-printf.ts`, number verbs in `fmt-number.ts`.
 * @module
 */

import { compareCodePoints } from "../json/go-json.ts";
import { BoundedText, type Meter } from "./budget.ts";
import { type Flags, NO_FLAGS, pad } from "./fmt-flags.ts";
import { formatFloatVerb, formatInt } from "./fmt-number.ts";
import { isGoPrint, quotedLength, quoteGo } from "./lex.ts";
import { formatTimeString } from "./time-format.ts";
import { GoComplex, GoError, GoInt, GoMap, GoSlice, GoTime, GoVersion, isObject, toBytes, typeName } from "./values.ts";

/** Go `fmt.Sprint`. */
export function sprint(args: readonly unknown[], meter: Meter): string {
  const out = new BoundedText(meter);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (i > 0 && typeof a !== "string" && typeof args[i - 1] !== "string") out.add(" ");
    out.add(formatArg(a, "v", NO_FLAGS, meter));
  }
  return out.text();
}

/** Go `fmt.Sprintln`. */
export function sprintln(args: readonly unknown[], meter: Meter): string {
  const out = new BoundedText(meter);
  for (let i = 0; i < args.length; i++) {
    if (i > 0) out.add(" ");
    out.add(formatArg(args[i], "v", NO_FLAGS, meter));
  }
  out.add("\n");
  return out.text();
}

/** Go `fmt.Sprint` of one value (`%v`). */
export function formatV(v: unknown, meter: Meter): string {
  return formatArg(v, "v", NO_FLAGS, meter);
}

/** Go `fmt.Sprintf("%<verb>", v)`. */
export function formatVerb(v: unknown, verb: string, meter: Meter): string {
  return formatArg(v, verb, NO_FLAGS, meter);
}

/** The first `n` code points of `s`. */
function firstRunes(s: string, n: number): string {
  let i = 0;
  for (let k = 0; k < n && i < s.length; k++) {
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
  }
  return s.slice(0, i);
}

/** Go `pp.badVerb`: the value is printed with `%v` and the verb's flags (width included). */
function badVerb(v: unknown, verb: string, f: Flags, meter: Meter): string {
  if (v === null || v === undefined) return `%!${verb}(<nil>)`;
  return `%!${verb}(${typeName(v)}=${formatArg(v, "v", f, meter)})`;
}

/** Go `pp.printArg`: one value with one verb and its flags. */
export function formatArg(v: unknown, verb: string, f: Flags, meter: Meter): string {
  if (verb === "T") return formatString(typeName(v), "s", f, meter);
  if (v === null || v === undefined) {
    return verb === "v" ? pad("<nil>", f, meter) : badVerb(v, verb, f, meter);
  }
  // Errors and Stringers print through their methods for string-ish verbs.
  if (v instanceof GoError || v instanceof GoVersion || v instanceof GoTime) {
    if ("vsxXq".includes(verb)) return formatString(stringerText(v), verb, f, meter);
    return badVerb(v, verb, f, meter);
  }
  switch (typeof v) {
    case "string":
      return formatString(v, verb === "v" && f.sharpV ? "q" : verb, f, meter);
    case "boolean":
      return verb === "v" || verb === "t" ? pad(v ? "true" : "false", f, meter) : badVerb(v, verb, f, meter);
    case "number":
      return formatFloatVerb(v, verb, f, meter) ?? badVerb(v, verb, f, meter);
  }
  if (v instanceof GoInt) {
    // Go prints unsigned integers in hexadecimal for %#v.
    if (verb === "v" && f.sharpV && v.unsigned) return formatInt(v, "x", { ...f, sharp: true }, meter)!;
    return formatInt(v, verb, f, meter) ?? badVerb(v, verb, f, meter);
  }
  if (v instanceof GoComplex) {
    if (!"vbgGxXfFeE".includes(verb)) return badVerb(v, verb, f, meter);
    // Go pads each part; the imaginary part always has a sign.
    const re = formatFloatVerb(v.re, verb, f, meter)!;
    const im = formatFloatVerb(v.im, verb, { ...f, plus: true }, meter)!;
    return `(${re}${im}i)`;
  }
  if (Array.isArray(v) || v instanceof GoSlice) {
    const items = Array.isArray(v) ? v : v.items;
    if (v instanceof GoSlice && v.elem === "uint8" && (verb === "s" || verb === "q" || verb === "x")) {
      return formatString(String.fromCharCode(...items.map((b) => Number((b as GoInt).v))), verb, f, meter);
    }
    const goSyntax = verb === "v" && f.sharpV;
    if (goSyntax && v instanceof GoSlice && v.nil) return `${typeName(v)}(nil)`;
    // Elements may share structure (a list holding the same list twice), so the text can be far
    // larger than the value: it is held to the limit as it grows.
    const out = new BoundedText(meter);
    out.add(goSyntax ? `${typeName(v)}{` : "[");
    for (let i = 0; i < items.length; i++) {
      meter.work();
      if (i > 0) out.add(goSyntax ? ", " : " ");
      out.add(formatElem(items[i], verb, f, meter));
    }
    out.add(goSyntax ? "}" : "]");
    return out.text();
  }
  if (v instanceof GoMap || isObject(v)) {
    const entries: [string, unknown][] = v instanceof GoMap ? [...v.entries] : Object.entries(v);
    entries.sort((a, b) => compareCodePoints(a[0], b[0]));
    const goSyntax = verb === "v" && f.sharpV;
    const out = new BoundedText(meter);
    out.add(goSyntax ? `${typeName(v)}{` : "map[");
    for (let i = 0; i < entries.length; i++) {
      meter.work();
      if (i > 0) out.add(goSyntax ? ", " : " ");
      const [k, x] = entries[i]!;
      out.add(formatArg(k, verb, f, meter));
      out.add(":");
      out.add(formatElem(x, verb, f, meter));
    }
    out.add(goSyntax ? "}" : "]");
    return out.text();
  }
  return badVerb(v, verb, f, meter);
}

/** A nested element: a nil interface prints `<nil>` (`interface {}(nil)` for %#v), unpadded, whatever the verb. */
function formatElem(v: unknown, verb: string, f: Flags, meter: Meter): string {
  if (v === null || v === undefined) return verb === "v" && f.sharpV ? "interface {}(nil)" : "<nil>";
  return formatArg(v, verb, f, meter);
}

/** The text of a Stringer/error value. */
export function stringerText(v: GoError | GoVersion | GoTime): string {
  if (v instanceof GoError) return v.message;
  if (v instanceof GoVersion) return v.toString();
  return formatTimeString(v);
}

function formatString(s: string, verb: string, f: Flags, meter: Meter): string {
  switch (verb) {
    case "v":
    case "s": {
      const t = f.prec !== undefined ? firstRunes(s, f.prec) : s;
      return pad(t, f, meter);
    }
    case "q": {
      const t = f.prec !== undefined ? firstRunes(s, f.prec) : s;
      if (f.sharp && !t.includes("`") && ![...t].some((c) => c !== "\t" && !isGoPrint(c.codePointAt(0)!))) {
        return pad(`\`${t}\``, f, meter);
      }
      meter.fits(quotedLength(t));
      return pad(quoteGo(t), f, meter);
    }
    case "x":
    case "X": {
      let bytes = toBytes(s);
      if (f.prec !== undefined) bytes = bytes.subarray(0, f.prec);
      // Go `fmtSbx`: `#` adds 0x once, or before every byte when ` ` separates them.
      if (bytes.length === 0) return pad("", f, meter);
      meter.fits(bytes.length * (f.space ? 5 : 2) + 2);
      const prefix = verb === "X" ? "0X" : "0x";
      const parts: string[] = new Array<string>(bytes.length);
      for (let i = 0; i < bytes.length; i++) {
        const h = verb === "X" ? HEX[bytes[i]!]!.toUpperCase() : HEX[bytes[i]!]!;
        parts[i] = f.sharp && (f.space || i === 0) ? prefix + h : h;
      }
      return pad(parts.join(f.space ? " " : ""), f, meter);
    }
  }
  return badVerb(s, verb, f, meter);
}

const HEX: readonly string[] = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));
