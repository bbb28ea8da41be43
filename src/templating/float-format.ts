/**
 * Go's `strconv.FormatFloat` for float64 (`e`, `f`, `g` with a precision or shortest), exact:
 * digits come from the binary value, ties round half to even as Go's decimal rounding does; and
 * the binary (`b`) and hexadecimal (`x`, `X`) formats.
 * @module
 */

interface Digits {
  /** Significant digits without leading or trailing zeros; "" for zero. */
  d: string;
  /** Decimal point position: value = 0.d × 10^dp. */
  dp: number;
}

const F64 = new Float64Array(1);
const U64 = new BigUint64Array(F64.buffer);

/** The exact decimal expansion of a finite, non-negative double. */
function exactDigits(x: number): Digits {
  if (x === 0) return { d: "", dp: 0 };
  F64[0] = x;
  const bits = U64[0]!;
  const expBits = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let e: number;
  if (expBits === 0) e = -1074;
  else {
    mant |= 1n << 52n;
    e = expBits - 1075;
  }
  let s: string;
  let dp: number;
  if (e >= 0) {
    s = (mant << BigInt(e)).toString();
    dp = s.length;
  } else {
    s = (mant * 5n ** BigInt(-e)).toString();
    dp = s.length + e;
  }
  return trim({ d: s, dp });
}

function trim(x: Digits): Digits {
  let d = x.d;
  let dp = x.dp;
  let lead = 0;
  while (lead < d.length && d[lead] === "0") lead++;
  d = d.slice(lead);
  dp -= lead;
  let end = d.length;
  while (end > 0 && d[end - 1] === "0") end--;
  d = d.slice(0, end);
  if (d === "") dp = 0;
  return { d, dp };
}

/** The shortest digits that round-trip (JavaScript and Go agree on these). */
function shortestDigits(x: number): Digits {
  if (x === 0) return { d: "", dp: 0 };
  const [m, e] = x.toExponential().split("e") as [string, string];
  const d = m.replace(".", "");
  return trim({ d, dp: Number(e) + 1 });
}

/** Rounds to `nd` significant digits, half to even on exact ties (Go `decimal.Round`). */
function roundTo(x: Digits, nd: number): Digits {
  if (nd < 0 || nd >= x.d.length) return x;
  const digit = x.d.charCodeAt(nd) - 48;
  let up: boolean;
  if (digit === 5 && nd + 1 === x.d.length) up = nd > 0 && (x.d.charCodeAt(nd - 1) - 48) % 2 === 1;
  else up = digit >= 5;
  if (!up) return trim({ d: x.d.slice(0, nd), dp: x.dp });
  let i = nd - 1;
  const arr = x.d.slice(0, nd).split("");
  while (i >= 0 && arr[i] === "9") {
    arr[i] = "0";
    i--;
  }
  if (i < 0) return { d: "1", dp: x.dp + 1 };
  arr[i] = String.fromCharCode(arr[i]!.charCodeAt(0) + 1);
  return trim({ d: arr.join(""), dp: x.dp });
}

/** The digits at positions `[from, to)` of `d`, with zeros outside it (long precisions are mostly zeros). */
function digitRange(d: string, from: number, to: number): string {
  if (to <= from) return "";
  const lead = Math.max(0, Math.min(to, 0) - from);
  const a = Math.max(from, 0);
  const b = Math.min(to, d.length);
  const mid = b > a ? d.slice(a, b) : "";
  return "0".repeat(lead) + mid + "0".repeat(to - from - lead - mid.length);
}

function fmtE(neg: boolean, x: Digits, prec: number, ch: string): string {
  let s = neg ? "-" : "";
  s += x.d.length > 0 ? x.d[0] : "0";
  if (prec > 0) s += `.${digitRange(x.d, 1, prec + 1)}`;
  s += ch;
  let exp = x.d.length === 0 ? 0 : x.dp - 1;
  if (exp < 0) {
    s += "-";
    exp = -exp;
  } else s += "+";
  return s + (exp < 10 ? `0${exp}` : String(exp));
}

function fmtF(neg: boolean, x: Digits, prec: number): string {
  let s = neg ? "-" : "";
  s += x.dp > 0 ? digitRange(x.d, 0, x.dp) : "0";
  if (prec > 0) s += `.${digitRange(x.d, x.dp, x.dp + prec)}`;
  return s;
}

/** Go `strconv.FormatFloat(v, fmt, prec, 64)` for fmt in `eEfFgG`; prec -1 = shortest. */
export function formatFloat(v: number, fmt: string, prec: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  const neg = v < 0 || Object.is(v, -0);
  const abs = Math.abs(v);
  const shortest = prec < 0;
  let digs: Digits;
  const lower = fmt.toLowerCase();
  if (shortest) {
    digs = shortestDigits(abs);
    if (lower === "e") prec = Math.max(digs.d.length - 1, 0);
    else if (lower === "f") prec = Math.max(digs.d.length - digs.dp, 0);
    else prec = digs.d.length;
  } else {
    const exact = exactDigits(abs);
    if (lower === "e") digs = roundTo(exact, prec + 1);
    else if (lower === "f") digs = roundTo(exact, exact.dp + prec);
    else {
      if (prec === 0) prec = 1;
      digs = roundTo(exact, prec);
    }
    if (lower === "f" && exact.dp + prec < 0) digs = { d: "", dp: 0 };
  }
  if (lower === "e") return fmtE(neg, digs, prec, fmt === "E" ? "E" : "e");
  if (lower === "f") return fmtF(neg, digs, prec);
  let eprec = prec;
  if (eprec > digs.d.length && digs.d.length >= digs.dp) eprec = digs.d.length;
  if (shortest) eprec = 6;
  const exp = digs.dp - 1;
  if (digs.d.length > 0 && (exp < -4 || exp >= eprec)) {
    if (prec > digs.d.length) prec = digs.d.length;
    return fmtE(neg, digs, prec - 1, fmt === "G" ? "E" : "e");
  }
  if (prec > digs.dp) prec = digs.d.length;
  return fmtF(neg, digs, Math.max(prec - digs.dp, 0));
}

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
export function formatFloatBinary(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "+Inf" : "-Inf";
  const { neg, mant, exp } = floatBits(v);
  const e = exp - 52;
  return `${neg ? "-" : ""}${mant}p${e >= 0 ? "+" : ""}${e}`;
}

/** Go `strconv.FormatFloat(v, 'x' or 'X', prec, 64)`: `-0x1.yyyp±dd`. */
export function formatFloatHex(v: number, prec: number, fmt: string): string {
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
