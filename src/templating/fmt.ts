/**
 * Go's `fmt` for this value model: `Sprint`, `Sprintln`, `Sprintf` and `%v` formatting of
 * strings, numbers, slices, maps, nil, errors and Stringers, with Go's bad-verb texts.
 * @module
 */
import { BoundedText, type Meter } from "./budget.ts";
import { formatFloat } from "./float-format.ts";
import { isGoPrint, quotedLength, quoteGo } from "./lex.ts";
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
  runeCount,
  toBytes,
  typeName,
} from "./values.ts";
import { compareCodePoints } from "../json/go-json.ts";

interface Flags {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  /** `%#v`: Go syntax (`[]interface {}{1, "a"}`). */
  sharpV: boolean;
  space: boolean;
  zero: boolean;
  width: number | undefined;
  prec: number | undefined;
}

const NO_FLAGS: Flags = {
  plus: false,
  minus: false,
  sharp: false,
  sharpV: false,
  space: false,
  zero: false,
  width: undefined,
  prec: undefined,
};

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

/**
 * Go's bound on widths and precisions (`fmt.tooLarge`): beyond 1e6 a `*` argument prints
 * `%!(BADWIDTH)` or `%!(BADPREC)`; a literal stops being read (see {@link parseNum}).
 */
const MAX_WIDTH = 1e6;

/**
 * Go `fmt.parsenum`: the decimal number at `s[start:]`. Go checks the bound before adding each
 * digit, so up to eight digits may be accepted (`10000000`); on overflow the rest of the format
 * is consumed (`newi = end`), which ends in `%!(NOVERB)`.
 */
function parseNum(s: string, start: number): { num: number; isNum: boolean; next: number } {
  let num = 0;
  let isNum = false;
  let i = start;
  for (; i < s.length && s[i]! >= "0" && s[i]! <= "9"; i++) {
    if (num > MAX_WIDTH) return { num: 0, isNum: false, next: s.length };
    num = num * 10 + (s.charCodeAt(i) - 48);
    isNum = true;
  }
  return { num, isNum, next: i };
}

/** Go `fmt.intFromArg`: an integer argument within the width bound, else not an int. */
function intFromArg(args: readonly unknown[], argNum: number): { num: number; isInt: boolean; next: number } {
  if (argNum >= args.length) return { num: 0, isInt: false, next: argNum };
  const a = args[argNum];
  if (!(a instanceof GoInt)) return { num: 0, isInt: false, next: argNum + 1 };
  // Unsigned values above int64 are not ints for Go; both end up too large here anyway.
  if (a.v > BigInt(MAX_WIDTH) || a.v < -BigInt(MAX_WIDTH)) return { num: 0, isInt: false, next: argNum + 1 };
  return { num: Number(a.v), isInt: true, next: argNum + 1 };
}

/** Go `fmt.parseArgNumber` on `s[i:]` (which starts with `[`): zero-based index, bytes used, ok. */
function parseArgNumber(s: string, i: number): { index: number; wid: number; ok: boolean } {
  if (s.length - i < 3) return { index: 0, wid: 1, ok: false };
  for (let j = i + 1; j < s.length; j++) {
    if (s[j] === "]") {
      const n = parseNum(s.slice(0, j), i + 1);
      if (!n.isNum || n.next !== j) return { index: 0, wid: j - i + 1, ok: false };
      return { index: n.num - 1, wid: j - i + 1, ok: true };
    }
  }
  return { index: 0, wid: 1, ok: false };
}

/** Go `fmt.Sprintf`, including argument indexes (`%[2]d`) and Go's width and precision bounds. */
export function sprintf(format: string, args: readonly unknown[], meter: Meter): string {
  const out = new BoundedText(meter);
  const end = format.length;
  let argNum = 0;
  let afterIndex = false;
  let reordered = false;
  let goodArgNum = true;
  // Go `pp.argNumber`: an explicit `[n]` at `i` selects the next argument.
  const argNumber = (i: number): number => {
    if (i >= end || format[i] !== "[") {
      afterIndex = false;
      return i;
    }
    reordered = true;
    const { index, wid, ok } = parseArgNumber(format, i);
    if (ok && index >= 0 && index < args.length) {
      argNum = index;
      afterIndex = true;
      return i + wid;
    }
    goodArgNum = false;
    afterIndex = ok;
    return i + wid;
  };
  let i = 0;
  while (i < end) {
    goodArgNum = true;
    const lasti = i;
    while (i < end && format[i] !== "%") i++;
    if (i > lasti) out.add(format.slice(lasti, i));
    if (i >= end) break;
    i++;
    const f: Flags = { ...NO_FLAGS };
    for (; i < end; i++) {
      const c = format[i];
      if (c === "#") f.sharp = true;
      else if (c === "0") f.zero = !f.minus;
      else if (c === "+") f.plus = true;
      else if (c === "-") {
        f.minus = true;
        f.zero = false;
      } else if (c === " ") f.space = true;
      else break;
    }
    i = argNumber(i);
    if (i < end && format[i] === "*") {
      i++;
      const w = intFromArg(args, argNum);
      argNum = w.next;
      if (w.isInt) {
        f.width = w.num;
        if (f.width < 0) {
          f.width = -f.width;
          f.minus = true;
          f.zero = false;
        }
      } else out.add("%!(BADWIDTH)");
      afterIndex = false;
    } else {
      const w = parseNum(format, i);
      i = w.next;
      if (w.isNum) {
        f.width = w.num;
        if (afterIndex) goodArgNum = false;
      }
    }
    if (i + 1 < end && format[i] === ".") {
      i++;
      if (afterIndex) goodArgNum = false;
      i = argNumber(i);
      if (i < end && format[i] === "*") {
        i++;
        const p = intFromArg(args, argNum);
        argNum = p.next;
        if (p.isInt && p.num >= 0) f.prec = p.num;
        else out.add("%!(BADPREC)");
        afterIndex = false;
      } else {
        const p = parseNum(format, i);
        i = p.next;
        f.prec = p.isNum ? p.num : 0;
      }
    }
    if (!afterIndex) i = argNumber(i);
    if (i >= end) {
      out.add("%!(NOVERB)");
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i)!);
    i += verb.length;
    if (verb === "%") {
      out.add("%");
      continue;
    }
    if (!goodArgNum) {
      out.add(`%!${verb}(BADINDEX)`);
      continue;
    }
    if (argNum >= args.length) {
      out.add(`%!${verb}(MISSING)`);
      continue;
    }
    // Go moves `+` and `#` aside for `%v` (they select struct and Go-syntax forms).
    if (verb === "v") {
      f.plus = false;
      f.sharpV = f.sharp;
      f.sharp = false;
    }
    out.add(formatArg(args[argNum++], verb, f, meter));
  }
  if (!reordered && argNum < args.length) {
    out.add("%!(EXTRA ");
    for (let k = argNum; k < args.length; k++) {
      const a = args[k];
      if (k > argNum) out.add(", ");
      out.add(a === null || a === undefined ? "<nil>" : `${typeName(a)}=${formatArg(a, "v", NO_FLAGS, meter)}`);
    }
    out.add(")");
  }
  return out.text();
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

/**
 * Go `fmt.pad`: `s` padded to the width. With the `0` flag Go pads on the left with zeros,
 * after the sign for numbers (`sign`), before anything else (`plain`), or not at all where Go
 * turns the flag off (`none`: `U+`, infinities, integers with a precision).
 */
function pad(s: string, f: Flags, meter: Meter, zero: "sign" | "plain" | "none" = "plain"): string {
  if (f.width === undefined || f.width <= s.length / 2) return s;
  const len = runeCount(s);
  if (len >= f.width) return s;
  const fill = f.width - len;
  meter.fits(s.length + fill);
  if (f.minus) return s + " ".repeat(fill);
  if (f.zero && zero === "sign") {
    const sign = s[0] === "-" || s[0] === "+" || s[0] === " " ? s[0] : "";
    return sign + "0".repeat(fill) + s.slice(sign.length);
  }
  return (f.zero && zero === "plain" ? "0" : " ").repeat(fill) + s;
}

/** Go `pp.badVerb`: the value is printed with `%v` and the verb's flags (width included). */
function badVerb(v: unknown, verb: string, f: Flags, meter: Meter): string {
  if (v === null || v === undefined) return `%!${verb}(<nil>)`;
  return `%!${verb}(${typeName(v)}=${formatArg(v, "v", f, meter)})`;
}

function formatArg(v: unknown, verb: string, f: Flags, meter: Meter): string {
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
      return formatFloatVerb(v, verb, f, meter);
  }
  if (v instanceof GoInt) {
    // Go prints unsigned integers in hexadecimal for %#v.
    if (verb === "v" && f.sharpV && v.unsigned) return formatInt(v, "x", { ...f, sharp: true }, meter);
    return formatInt(v, verb, f, meter);
  }
  if (v instanceof GoComplex) {
    if (!"vbgGxXfFeE".includes(verb)) return badVerb(v, verb, f, meter);
    // Go pads each part; the imaginary part always has a sign.
    const re = formatFloatVerb(v.re, verb, f, meter);
    const im = formatFloatVerb(v.im, verb, { ...f, plus: true }, meter);
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

/** Go `pp.fmtFloat` and `fmt.fmtFloat`: verb, precision, sign, `#` and zero padding. */
function formatFloatVerb(v: number, verb: string, f: Flags, meter: Meter): string {
  let fmt: string;
  let prec: number;
  switch (verb) {
    case "v":
      fmt = "g";
      prec = -1;
      break;
    case "b":
    case "g":
    case "G":
    case "x":
    case "X":
      fmt = verb;
      prec = -1;
      break;
    case "e":
    case "E":
    case "f":
      fmt = verb;
      prec = 6;
      break;
    case "F":
      fmt = "f";
      prec = 6;
      break;
    default:
      return badVerb(v, verb, f, meter);
  }
  if (f.prec !== undefined) prec = f.prec;
  // Every digit of the precision may be written, zeros included: hold them to the limit first.
  meter.fits(prec);
  let num = fmt === "b" ? formatFloatBinary(v) : fmt === "x" || fmt === "X" ? formatFloatHex(v, prec, fmt) : formatFloat(v, fmt, prec);
  if (num[0] !== "-" && num[0] !== "+") num = `+${num}`;
  if (f.space && num[0] === "+" && !f.plus) num = ` ${num.slice(1)}`;
  if (num[1] === "I" || num[1] === "N") {
    if (num[1] === "N" && !f.space && !f.plus) num = num.slice(1);
    return pad(num, f, meter, "none");
  }
  if (f.sharp && fmt !== "b") num = sharpFloat(num, fmt, prec);
  if (f.plus || num[0] !== "+") return pad(num, f, meter, "sign");
  return pad(num.slice(1), f, meter, "sign");
}

/** Go's `#` on floats: always a decimal point, and `%g` keeps its trailing zeros. */
function sharpFloat(num: string, fmt: string, prec: number): string {
  let digits = 0;
  if (fmt === "g" || fmt === "G" || fmt === "x") digits = prec === -1 ? 6 : prec;
  let tail = "";
  let hasPoint = false;
  let sawNonzero = false;
  let body = num;
  for (let i = 1; i < body.length; i++) {
    const c = body[i]!;
    if (c === ".") hasPoint = true;
    else if (c === "p" || c === "P" || ((c === "e" || c === "E") && fmt !== "x" && fmt !== "X")) {
      tail = body.slice(i);
      body = body.slice(0, i);
      break;
    } else {
      if (c !== "0") sawNonzero = true;
      if (sawNonzero) digits--;
    }
  }
  if (!hasPoint) {
    if (body.length === 2 && body[1] === "0") digits--;
    body += ".";
  }
  return body + "0".repeat(Math.max(digits, 0)) + tail;
}

const F64 = new Float64Array(1);
const U64 = new BigUint64Array(F64.buffer);

/** Mantissa and binary exponent of a finite double, as Go's `strconv` splits it. */
function floatBits(v: number): { neg: boolean; mant: bigint; exp: number } {
  F64[0] = v;
  const bits = U64[0]!;
  const neg = bits >> 63n === 1n;
  let exp = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  if (exp === 0) exp++;
  else mant |= 1n << 52n;
  return { neg, mant, exp: exp - 1023 };
}

/** Go `strconv.FormatFloat(v, 'b', -1, 64)`: `-ddddp±ddd`. */
function formatFloatBinary(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "+Inf" : "-Inf";
  const { neg, mant, exp } = floatBits(v);
  const e = exp - 52;
  return `${neg ? "-" : ""}${mant}p${e >= 0 ? "+" : ""}${e}`;
}

/** Go `strconv.FormatFloat(v, 'x' or 'X', prec, 64)`: `-0x1.yyyp±dd`. */
function formatFloatHex(v: number, prec: number, fmt: string): string {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "+Inf" : "-Inf";
  let { neg, mant, exp } = floatBits(v);
  if (mant === 0n) exp = 0;
  const one60 = 1n << 60n;
  mant <<= 8n;
  while (mant !== 0n && (mant & one60) === 0n) {
    mant <<= 1n;
    exp--;
  }
  if (prec >= 0 && prec < 15) {
    const shift = BigInt(prec * 4);
    const extra = (mant << shift) & (one60 - 1n);
    mant >>= 60n - shift;
    if ((extra | (mant & 1n)) > 1n << 59n) mant++;
    mant <<= 60n - shift;
    if ((mant & (1n << 61n)) !== 0n) {
      mant >>= 1n;
      exp++;
    }
  }
  const upper = fmt === "X";
  let s = `${neg ? "-" : ""}0${fmt}${(mant >> 60n) & 1n}`;
  mant = (mant << 4n) & ((1n << 64n) - 1n);
  const digit = (): string => {
    const d = Number((mant >> 60n) & 15n).toString(16);
    mant = (mant << 4n) & ((1n << 64n) - 1n);
    return upper ? d.toUpperCase() : d;
  };
  if (prec < 0 && mant !== 0n) {
    s += ".";
    while (mant !== 0n) s += digit();
  } else if (prec > 0) {
    const frac: string[] = [];
    for (let i = 0; i < prec && mant !== 0n; i++) frac.push(digit());
    s += `.${frac.join("")}${"0".repeat(prec - frac.length)}`;
  }
  s += upper ? "P" : "p";
  s += exp < 0 ? "-" : "+";
  const a = Math.abs(exp);
  return s + (a < 10 ? `0${a}` : String(a));
}

/** Go `fmt.fmtInteger` (and `fmtC`, `fmtQc`, `fmtUnicode`) for a template integer. */
function formatInt(n: GoInt, verb: string, f: Flags, meter: Meter): string {
  const v = n.v;
  let base: number;
  switch (verb) {
    case "v":
    case "d":
      base = 10;
      break;
    case "b":
      base = 2;
      break;
    case "o":
    case "O":
      base = 8;
      break;
    case "x":
    case "X":
      base = 16;
      break;
    case "c":
      return pad(String.fromCodePoint(validRune(v)), f, meter);
    case "q":
      return pad(quoteRune(validRune(v)), f, meter);
    case "U":
      return formatUnicode(BigInt.asUintN(64, v), f, meter);
    default:
      return badVerb(n, verb, f, meter);
  }
  const neg = v < 0n;
  const abs = neg ? -v : v;
  let prec = 0;
  if (f.prec !== undefined) {
    prec = f.prec;
    // Precision 0 and value 0 print nothing but the padding.
    if (prec === 0 && abs === 0n) return pad("", f, meter, "none");
  } else if (f.zero && !f.minus && f.width !== undefined) {
    prec = f.width;
    if (neg || f.plus || f.space) prec--;
  }
  meter.fits(prec);
  let digits = abs.toString(base);
  if (verb === "X") digits = digits.toUpperCase();
  if (digits.length < prec) digits = "0".repeat(prec - digits.length) + digits;
  if (f.sharp) {
    if (base === 2) digits = `0b${digits}`;
    else if (base === 8 && digits[0] !== "0") digits = `0${digits}`;
    else if (base === 16) digits = `0${verb === "X" ? "X" : "x"}${digits}`;
  }
  if (verb === "O") digits = `0o${digits}`;
  const sign = neg ? "-" : f.plus ? "+" : f.space ? " " : "";
  return pad(sign + digits, f, meter, "none");
}

/** Go `fmt.fmtUnicode`: `U+0041`, `%#U` adds the quoted character. */
function formatUnicode(u: bigint, f: Flags, meter: Meter): string {
  const prec = f.prec !== undefined && f.prec > 4 ? f.prec : 4;
  meter.fits(prec);
  let s = `U+${u.toString(16).toUpperCase().padStart(prec, "0")}`;
  if (f.sharp && u <= 0x10ffffn && isGoPrint(Number(u))) s += ` '${String.fromCodePoint(Number(u))}'`;
  return pad(s, f, meter, "none");
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
