/**
 * Go `fmt` verbs on numbers: floats (`%v %b %e %E %f %F %g %G %x %X`, `#`, signs, zero padding)
 * and integers (`%v %d %b %o %O %x %X %c %q %U`, precision, `#` prefixes).
 * @module
 */
import type { Meter } from "./budget.ts";
import { formatFloat, formatFloatBinary, formatFloatHex } from "./float-format.ts";
import { type Flags, pad } from "./fmt-flags.ts";
import { isGoPrint, quoteGo } from "./lex.ts";
import type { GoInt } from "./values.ts";

/** Go `pp.fmtFloat` and `fmt.fmtFloat`: verb, precision, sign, `#` and zero padding; `undefined` for a bad verb. */
export function formatFloatVerb(v: number, verb: string, f: Flags, meter: Meter): string | undefined {
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
      return undefined;
  }
  if (f.prec !== undefined) prec = f.prec;
  // Every digit of the precision may be written, zeros included: hold them to the limit first.
  meter.fits(prec);
  let num =
    fmt === "b"
      ? formatFloatBinary(v)
      : fmt === "x" || fmt === "X"
        ? formatFloatHex(v, prec, fmt)
        : formatFloat(v, fmt, prec);
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

/** Go `fmt.fmtInteger` (and `fmtC`, `fmtQc`, `fmtUnicode`) for a template integer; `undefined` for a bad verb. */
export function formatInt(n: GoInt, verb: string, f: Flags, meter: Meter): string | undefined {
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
      return undefined;
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
