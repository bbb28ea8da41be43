/**
 * Go's `fmt` for this value model: `Sprint`, `Sprintln`, `Sprintf` and `%v` formatting of
 * strings, numbers, slices, maps, nil, errors and Stringers, with Go's bad-verb texts.
 * @module
 */
import { formatFloat } from "./float-format.ts";
import { isGoPrint, quoteGo } from "./lex.ts";
import { formatTimeString } from "./time-format.ts";
import {
  GoComplex,
  GoError,
  GoInt,
  GoMap,
  GoSlice,
  GoTime,
  GoVersion,
  isObject,
  toBytes,
  typeName,
} from "./values.ts";
import { compareCodePoints } from "../json/go-json.ts";

interface Flags {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width: number | undefined;
  prec: number | undefined;
}

const NO_FLAGS: Flags = {
  plus: false,
  minus: false,
  sharp: false,
  space: false,
  zero: false,
  width: undefined,
  prec: undefined,
};

/** Go `fmt.Sprint`. */
export function sprint(args: readonly unknown[]): string {
  let out = "";
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (i > 0 && typeof a !== "string" && typeof args[i - 1] !== "string") out += " ";
    out += formatArg(a, "v", NO_FLAGS);
  }
  return out;
}

/** Go `fmt.Sprintln`. */
export function sprintln(args: readonly unknown[]): string {
  return `${args.map((a) => formatArg(a, "v", NO_FLAGS)).join(" ")}\n`;
}

/** Go `fmt.Sprint` of one value (`%v`). */
export function formatV(v: unknown): string {
  return formatArg(v, "v", NO_FLAGS);
}

/** Go `fmt.Sprintf("%<verb>", v)`. */
export function formatVerb(v: unknown, verb: string): string {
  return formatArg(v, verb, NO_FLAGS);
}

/** Go `fmt.Sprintf`. */
export function sprintf(format: string, args: readonly unknown[]): string {
  let out = "";
  let argNum = 0;
  let i = 0;
  const n = format.length;
  while (i < n) {
    const pct = format.indexOf("%", i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    const f: Flags = { ...NO_FLAGS };
    for (; i < n; i++) {
      const c = format[i];
      if (c === "+") f.plus = true;
      else if (c === "-") f.minus = true;
      else if (c === "#") f.sharp = true;
      else if (c === " ") f.space = true;
      else if (c === "0") f.zero = !f.minus;
      else break;
    }
    if (format[i] === "*") {
      i++;
      const w = args[argNum++];
      if (w instanceof GoInt) {
        f.width = Number(w.v);
        if (f.width < 0) {
          f.minus = true;
          f.width = -f.width;
        }
      } else out += "%!(BADWIDTH)";
    } else {
      const m = /^\d+/.exec(format.slice(i));
      if (m) {
        f.width = Number(m[0]);
        i += m[0].length;
      }
    }
    if (format[i] === ".") {
      i++;
      if (format[i] === "*") {
        i++;
        const p = args[argNum++];
        if (p instanceof GoInt) f.prec = Math.max(Number(p.v), 0);
        else out += "%!(BADPREC)";
      } else {
        const m = /^\d+/.exec(format.slice(i));
        f.prec = m ? Number(m[0]) : 0;
        if (m) i += m[0].length;
      }
    }
    if (i >= n) {
      out += "%!(NOVERB)";
      break;
    }
    const cp = format.codePointAt(i)!;
    const verb = String.fromCodePoint(cp);
    i += verb.length;
    if (verb === "%") {
      out += "%";
      continue;
    }
    if (argNum >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const arg = args[argNum++];
    if (f.minus) f.zero = false;
    out += formatArg(arg, verb, f);
  }
  if (argNum < args.length) {
    out += "%!(EXTRA ";
    out += args
      .slice(argNum)
      .map((a) => (a === null || a === undefined ? "<nil>" : `${typeName(a)}=${formatArg(a, "v", NO_FLAGS)}`))
      .join(", ");
    out += ")";
  }
  return out;
}

function pad(s: string, f: Flags, zeroOK = false): string {
  if (f.width === undefined) return s;
  const len = [...s].length;
  if (len >= f.width) return s;
  const fill = f.width - len;
  if (f.minus) return s + " ".repeat(fill);
  if (f.zero && zeroOK) {
    const sign = s[0] === "-" || s[0] === "+" || s[0] === " " ? s[0] : "";
    return sign + "0".repeat(fill) + s.slice(sign.length);
  }
  return " ".repeat(fill) + s;
}

function badVerb(v: unknown, verb: string): string {
  if (v === null || v === undefined) return `%!${verb}(<nil>)`;
  return `%!${verb}(${typeName(v)}=${formatArg(v, "v", NO_FLAGS)})`;
}

function formatArg(v: unknown, verb: string, f: Flags): string {
  if (verb === "T") return pad(typeName(v), f);
  if (v === null || v === undefined) {
    return verb === "v" ? pad("<nil>", f) : badVerb(v, verb);
  }
  // Errors and Stringers print through their methods for string-ish verbs.
  if (v instanceof GoError || v instanceof GoVersion || v instanceof GoTime) {
    if ("vsxXq".includes(verb)) return formatString(stringerText(v), verb, f);
    return badVerb(v, verb);
  }
  switch (typeof v) {
    case "string":
      return formatString(v, verb, f);
    case "boolean":
      return verb === "v" || verb === "t" ? pad(v ? "true" : "false", f) : badVerb(v, verb);
    case "number":
      return formatFloatVerb(v, verb, f);
  }
  if (v instanceof GoInt) return formatInt(v, verb, f);
  if (v instanceof GoComplex) {
    if (!"vgGeEfF".includes(verb)) return badVerb(v, verb);
    const re = formatFloatVerb(v.re, verb, { ...f, width: undefined });
    const im = formatFloatVerb(v.im, verb, { ...f, width: undefined, plus: true });
    return pad(`(${re}${im}i)`, f);
  }
  if (Array.isArray(v) || v instanceof GoSlice) {
    const items = Array.isArray(v) ? v : v.items;
    if (v instanceof GoSlice && v.elem === "uint8" && (verb === "s" || verb === "q" || verb === "x")) {
      return formatString(String.fromCharCode(...items.map((b) => Number((b as GoInt).v))), verb, f);
    }
    return `[${items.map((x) => formatElem(x, verb, f)).join(" ")}]`;
  }
  if (v instanceof GoMap || isObject(v)) {
    const entries: [string, unknown][] = v instanceof GoMap ? [...v.entries] : Object.entries(v);
    entries.sort((a, b) => compareCodePoints(a[0], b[0]));
    return `map[${entries.map(([k, x]) => `${formatArg(k, verb, f)}:${formatElem(x, verb, f)}`).join(" ")}]`;
  }
  return badVerb(v, verb);
}

/** A nested element: a nil interface prints `<nil>` whatever the verb. */
function formatElem(v: unknown, verb: string, f: Flags): string {
  if (v === null || v === undefined) return pad("<nil>", f);
  return formatArg(v, verb, f);
}

/** The text of a Stringer/error value. */
export function stringerText(v: GoError | GoVersion | GoTime): string {
  if (v instanceof GoError) return v.message;
  if (v instanceof GoVersion) return v.toString();
  return formatTimeString(v);
}

function formatString(s: string, verb: string, f: Flags): string {
  switch (verb) {
    case "v":
    case "s": {
      const t = f.prec !== undefined ? [...s].slice(0, f.prec).join("") : s;
      return pad(t, f);
    }
    case "q": {
      const t = f.prec !== undefined ? [...s].slice(0, f.prec).join("") : s;
      if (f.sharp && !t.includes("`") && ![...t].some((c) => c !== "\t" && !isGoPrint(c.codePointAt(0)!))) {
        return pad(`\`${t}\``, f);
      }
      return pad(quoteGo(t), f);
    }
    case "x":
    case "X": {
      let bytes = toBytes(s);
      if (f.prec !== undefined) bytes = bytes.subarray(0, f.prec);
      let hex = "";
      for (const b of bytes) {
        if (f.space && hex !== "") hex += " ";
        hex += b.toString(16).padStart(2, "0");
      }
      return pad(verb === "X" ? hex.toUpperCase() : hex, f);
    }
  }
  return badVerb(s, verb);
}

function formatFloatVerb(v: number, verb: string, f: Flags): string {
  let s: string;
  switch (verb) {
    case "v":
    case "g":
    case "G":
      s = formatFloat(v, verb === "G" ? "G" : "g", f.prec ?? -1);
      break;
    case "e":
    case "E":
      s = formatFloat(v, verb, f.prec ?? 6);
      break;
    case "f":
    case "F":
      s = formatFloat(v, "f", f.prec ?? 6);
      break;
    default:
      return badVerb(v, verb);
  }
  if (f.plus && s[0] !== "-" && s[0] !== "+") s = `+${s}`;
  else if (f.space && s[0] !== "-" && s[0] !== "+") s = ` ${s}`;
  else if (s === "+Inf" && !f.plus) s = "+Inf";
  const zeroOK = Number.isFinite(v);
  return pad(s, f, zeroOK);
}

function formatInt(n: GoInt, verb: string, f: Flags): string {
  const v = n.v;
  const neg = v < 0n;
  const abs = neg ? -v : v;
  let digits: string;
  switch (verb) {
    case "v":
    case "d":
      digits = abs.toString(10);
      break;
    case "x":
      digits = abs.toString(16);
      if (f.sharp) digits = `0x${digits}`;
      break;
    case "X":
      digits = abs.toString(16).toUpperCase();
      if (f.sharp) digits = `0X${digits}`;
      break;
    case "o":
      digits = abs.toString(8);
      if (f.sharp) digits = `0${digits}`;
      break;
    case "O":
      digits = `0o${abs.toString(8)}`;
      break;
    case "b":
      digits = abs.toString(2);
      break;
    case "c":
      return pad(String.fromCodePoint(validRune(v)), f);
    case "q":
      return pad(quoteRune(validRune(v)), f);
    case "U": {
      const hex = abs.toString(16).toUpperCase().padStart(4, "0");
      return pad(`U+${hex}`, f);
    }
    case "e":
    case "E":
    case "f":
    case "F":
    case "g":
    case "G":
      return badVerb(n, verb);
    default:
      return badVerb(n, verb);
  }
  if (f.prec !== undefined) {
    if (f.prec === 0 && abs === 0n) digits = "";
    else digits = digits.padStart(f.prec, "0");
  }
  const sign = neg ? "-" : f.plus ? "+" : f.space ? " " : "";
  return pad(sign + digits, f, f.prec === undefined);
}

function validRune(v: bigint): number {
  if (v < 0n || v > 0x10ffffn || (v >= 0xd800n && v <= 0xdfffn)) return 0xfffd;
  return Number(v);
}

function quoteRune(r: number): string {
  if (r === 0x27) return "'\\''";
  if (r === 0x22) return "'\"'";
  const q = quoteGo(String.fromCodePoint(r));
  return `'${q.slice(1, -1)}'`;
}
