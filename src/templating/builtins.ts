/**
 * The `text/template` built-in functions (`eq`…`ge`, `index`, `print*`, `html`, `js`,
 * `urlquery`, `not`, `and`, `or`, `call`), with Go's comparison rules and error texts.
 * @module
 */
import { escapedLength, type Meter } from "./budget.ts";
import { isTrue } from "./exec.ts";
import { formatV, formatVerb, sprint, sprintln } from "./fmt.ts";
import { sprintf } from "./fmt-printf.ts";
import { FuncError, type GoFunc } from "./func-types.ts";
import { isGoPrint } from "./lex.ts";
import {
  byteSlice,
  GoComplex,
  GoInt,
  GoMap,
  GoSlice,
  hasKey,
  isObject,
  replaceRunes,
  sliceItems,
  toBytes,
  typeName,
  utf8Length,
} from "./values.ts";

type Kind = "bool" | "int" | "uint" | "float" | "string" | "complex" | "invalid";

function basicKind(v: unknown): Kind {
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return "float";
  if (typeof v === "string") return "string";
  if (v instanceof GoInt) return v.unsigned ? "uint" : "int";
  if (v instanceof GoComplex) return "complex";
  return "invalid";
}

const unwrap = (v: unknown): unknown => (v === null ? undefined : v);

function eq(args: unknown[], meter: Meter): boolean {
  const arg1 = unwrap(args[0]);
  if (args.length < 2) throw new FuncError("missing argument for comparison");
  const k1 = basicKind(arg1);
  for (const raw of args.slice(1)) {
    const arg = unwrap(raw);
    const k2 = basicKind(arg);
    let truth = false;
    if (k1 !== k2) {
      if (k1 === "int" && k2 === "uint") truth = (arg1 as GoInt).v >= 0n && (arg1 as GoInt).v === (arg as GoInt).v;
      else if (k1 === "uint" && k2 === "int") truth = (arg as GoInt).v >= 0n && (arg1 as GoInt).v === (arg as GoInt).v;
      else if (arg1 !== undefined && arg !== undefined) {
        throw new FuncError(`incompatible types for comparison: ${typeName(arg1)} and ${typeName(arg)}`);
      }
    } else {
      switch (k1) {
        case "bool":
        case "float":
        case "string":
          truth = arg1 === arg;
          break;
        case "int":
        case "uint":
          truth = (arg1 as GoInt).v === (arg as GoInt).v;
          break;
        case "complex":
          truth = (arg1 as GoComplex).re === (arg as GoComplex).re && (arg1 as GoComplex).im === (arg as GoComplex).im;
          break;
        default: {
          // Both non-basic: nil handling, then comparable types only.
          const n1 = arg1 === undefined;
          const n2 = arg === undefined;
          if (!n1 && !n2 && kindOf(arg1) !== kindOf(arg)) {
            throw new FuncError(
              `non-comparable types ${formatVerb(arg1, "s", meter)}: ${typeName(arg1)}, ${typeName(arg)}: ${formatV(arg, meter)}`,
            );
          }
          if (n1 || n2) truth = n1 === n2;
          else if (sliceItems(arg) !== undefined || isObject(arg) || arg instanceof GoMap) {
            throw new FuncError(`non-comparable type ${formatVerb(arg, "s", meter)}: ${typeName(arg)}`);
          } else truth = arg1 === arg;
        }
      }
    }
    if (truth) return true;
  }
  return false;
}

function kindOf(v: unknown): string {
  if (Array.isArray(v) || v instanceof GoSlice) return "slice";
  if (isObject(v) || v instanceof GoMap) return "map";
  return typeName(v);
}

function lt(a1: unknown, a2: unknown): boolean {
  const arg1 = unwrap(a1);
  const arg2 = unwrap(a2);
  const k1 = basicKind(arg1);
  if (k1 === "invalid") throw new FuncError("invalid type for comparison");
  const k2 = basicKind(arg2);
  if (k2 === "invalid") throw new FuncError("invalid type for comparison");
  if (k1 !== k2) {
    if (k1 === "int" && k2 === "uint") return (arg1 as GoInt).v < 0n || (arg1 as GoInt).v < (arg2 as GoInt).v;
    if (k1 === "uint" && k2 === "int") return (arg2 as GoInt).v >= 0n && (arg1 as GoInt).v < (arg2 as GoInt).v;
    throw new FuncError(`incompatible types for comparison: ${typeName(arg1)} and ${typeName(arg2)}`);
  }
  switch (k1) {
    case "bool":
    case "complex":
      throw new FuncError("invalid type for comparison");
    case "float":
      return (arg1 as number) < (arg2 as number);
    case "int":
    case "uint":
      return (arg1 as GoInt).v < (arg2 as GoInt).v;
    default:
      return compareStrings(arg1 as string, arg2 as string) < 0;
  }
}

function compareStrings(a: string, b: string): number {
  const x = toBytes(a);
  const y = toBytes(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

function le(a: unknown, b: unknown, meter: Meter): boolean {
  return lt(a, b) || eq([a, b], meter);
}

function indexArg(index: unknown, cap: number): number {
  let x: bigint;
  if (index instanceof GoInt) x = index.v;
  else if (index === undefined || index === null) throw new FuncError("cannot index slice/array with nil");
  else throw new FuncError(`cannot index slice/array with type ${typeName(index)}`);
  if (x < 0n || x > BigInt(cap)) throw new FuncError(`index out of range: ${x}`);
  return Number(x);
}

function index(args: unknown[]): unknown {
  let item = unwrap(args[0]);
  if (item === undefined) throw new FuncError("index of untyped nil");
  for (const raw of args.slice(1)) {
    const idx = unwrap(raw);
    if (item === null || item === undefined) throw new FuncError("index of nil pointer");
    if (typeof item === "string") {
      const len = utf8Length(item);
      const x = indexArg(idx, len);
      if (x >= len) throw new FuncError(`reflect: string index out of range`);
      item = new GoInt("uint8", BigInt(toBytes(item)[x]!));
      continue;
    }
    const items = sliceItems(item);
    if (items !== undefined) {
      const x = indexArg(idx, items.length);
      if (x >= items.length) throw new FuncError("reflect: slice index out of range");
      item = items[x];
      continue;
    }
    if (isObject(item) || item instanceof GoMap) {
      if (typeof idx !== "string") {
        if (idx === undefined) throw new FuncError("value is nil; should be of type string");
        throw new FuncError(`value has type ${typeName(idx)}; should be string`);
      }
      if (isObject(item)) item = hasKey(item, idx) ? item[idx] : null;
      else item = item.entries.has(idx) ? item.entries.get(idx) : "";
      continue;
    }
    throw new FuncError(`can't index item of type ${typeName(item)}`);
  }
  return item;
}

const ESC_HTML: Readonly<Record<string, string>> = {
  "\0": "\uFFFD",
  '"': "&#34;",
  "'": "&#39;",
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
};

function evalArgs(args: unknown[], meter: Meter): string {
  if (args.length === 1 && typeof args[0] === "string") return args[0];
  return sprint(
    args.map((a) => (a === undefined || a === null ? "<no value>" : a)),
    meter,
  );
}

/** Extra length of the `html` escape of a code unit. */
function htmlExtra(c: number): number {
  if (c === 0x22 || c === 0x27 || c === 0x26) return 4;
  return c === 0x3c || c === 0x3e ? 3 : 0;
}

/** Extra length of the `js` escape of a code unit (non-printable runes become `\uXXXX`). */
function jsExtra(c: number, s: string, i: number): number {
  if (c === 0x5c || c === 0x27 || c === 0x22) return 1;
  if (c < 0x20 || c === 0x3c || c === 0x3e || c === 0x26 || c === 0x3d) return 5;
  if (c < 0x80) return 0;
  const cp = s.codePointAt(i)!;
  if (cp > 0xffff) return 0; // counted on the low surrogate
  if (c >= 0xdc00 && c <= 0xdfff && i > 0 && (s.charCodeAt(i - 1) & 0xfc00) === 0xd800) {
    return isGoPrint(s.codePointAt(i - 1)!) ? 0 : 5;
  }
  return isGoPrint(cp) ? 0 : 5;
}

/** Extra length of the `urlquery` escape of a code unit (`%XX` per UTF-8 byte). */
function queryExtra(c: number, s: string, i: number): number {
  if (c >= 0x80) {
    if (c < 0x800) return 5;
    if (c >= 0xd800 && c <= 0xdbff) return (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00 ? 5 : 8;
    if (c >= 0xdc00 && c <= 0xdfff) return (s.charCodeAt(i - 1) & 0xfc00) === 0xd800 ? 5 : 8;
    return 8;
  }
  const unreserved =
    (c >= 0x30 && c <= 0x39) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    c === 0x2d ||
    c === 0x5f ||
    c === 0x2e ||
    c === 0x7e ||
    c === 0x20;
  return unreserved ? 0 : 2;
}

function jsEscape(s: string): string {
  return replaceRunes(s, (c) => {
    switch (c) {
      case 0x5c:
        return "\\\\";
      case 0x27:
        return "\\'";
      case 0x22:
        return '\\"';
      case 0x3c:
        return "\\u003C";
      case 0x3e:
        return "\\u003E";
      case 0x26:
        return "\\u0026";
      case 0x3d:
        return "\\u003D";
    }
    if (c < 0x20) return `\\u00${c.toString(16).toUpperCase().padStart(2, "0")}`;
    if (c < 0x80 || isGoPrint(c)) return undefined;
    return `\\u${c.toString(16).toUpperCase().padStart(4, "0")}`;
  });
}

function queryEscape(s: string): string {
  let out = "";
  for (const b of toBytes(s)) {
    const ch = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(ch)) out += ch;
    else if (ch === " ") out += "+";
    else out += `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** The built-ins (`len` and `slice` come from the BubuStack and Sprig tables). */
export const BUILTIN_FUNCS: Readonly<Record<string, GoFunc>> = {
  and: { params: ["value"], variadic: "value", special: "and", call: () => undefined },
  or: { params: ["value"], variadic: "value", special: "or", call: () => undefined },
  call: { params: ["value"], variadic: "value", special: "call", call: () => undefined },
  not: { params: ["value"], call: (a) => !isTrue(unwrap(a[0]))[0] },
  eq: { params: ["value"], variadic: "value", call: (a, ctx) => eq(a, ctx.meter) },
  ne: { params: ["value", "value"], call: (a, ctx) => !eq(a, ctx.meter) },
  lt: { params: ["value", "value"], call: (a) => lt(a[0], a[1]) },
  le: { params: ["value", "value"], call: (a, ctx) => le(a[0], a[1], ctx.meter) },
  gt: { params: ["value", "value"], call: (a, ctx) => !le(a[0], a[1], ctx.meter) },
  ge: { params: ["value", "value"], call: (a) => !lt(a[0], a[1]) },
  index: { params: ["value"], variadic: "value", passThrough: true, call: (a) => index(a) },
  print: { params: [], variadic: "any", call: (a, ctx) => sprint(a, ctx.meter) },
  printf: { params: ["string"], variadic: "any", call: (a, ctx) => sprintf(a[0] as string, a.slice(1), ctx.meter) },
  println: { params: [], variadic: "any", call: (a, ctx) => sprintln(a, ctx.meter) },
  html: {
    params: [],
    variadic: "any",
    call: (a, ctx) => {
      const s = evalArgs(a, ctx.meter);
      ctx.meter.fits(escapedLength(s, htmlExtra));
      return s.replace(/[\0"'&<>]/g, (c) => ESC_HTML[c]!);
    },
  },
  js: {
    params: [],
    variadic: "any",
    call: (a, ctx) => {
      const s = evalArgs(a, ctx.meter);
      ctx.meter.fits(escapedLength(s, jsExtra));
      return jsEscape(s);
    },
  },
  urlquery: {
    params: [],
    variadic: "any",
    call: (a, ctx) => {
      const s = evalArgs(a, ctx.meter);
      ctx.meter.fits(escapedLength(s, queryExtra));
      return queryEscape(s);
    },
  },
};

void byteSlice;
