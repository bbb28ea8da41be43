/**
 * The shopspring/decimal operations behind Sprig's float helpers (`addf`, `subf`, `mulf`,
 * `divf`, `add1f`): exact decimal arithmetic on the shortest decimal form of each float64.
 * @module
 */
import { FuncError } from "./func-types.ts";

interface Dec {
  /** value = coef × 10^exp */
  coef: bigint;
  exp: number;
}

/** `decimal.NewFromFloat`: the shortest decimal that round-trips. */
function fromFloat(f: number): Dec {
  if (!Number.isFinite(f))
    throw new FuncError(`Cannot create a Decimal from ${Number.isNaN(f) ? "NaN" : f > 0 ? "+Inf" : "-Inf"}`);
  if (f === 0) return { coef: 0n, exp: 0 };
  const [m, e] = f.toExponential().split("e") as [string, string];
  const neg = m.startsWith("-");
  const digits = m.replace("-", "").replace(".", "");
  const exp = Number(e) - (digits.length - 1);
  const coef = BigInt(digits);
  return { coef: neg ? -coef : coef, exp };
}

function align(a: Dec, b: Dec): [bigint, bigint, number] {
  if (a.exp === b.exp) return [a.coef, b.coef, a.exp];
  if (a.exp < b.exp) return [a.coef, b.coef * 10n ** BigInt(b.exp - a.exp), a.exp];
  return [a.coef * 10n ** BigInt(a.exp - b.exp), b.coef, b.exp];
}

function add(a: Dec, b: Dec): Dec {
  const [x, y, e] = align(a, b);
  return { coef: x + y, exp: e };
}
function sub(a: Dec, b: Dec): Dec {
  const [x, y, e] = align(a, b);
  return { coef: x - y, exp: e };
}
function mul(a: Dec, b: Dec): Dec {
  return { coef: a.coef * b.coef, exp: a.exp + b.exp };
}

const DIVISION_PRECISION = 16;

/** `Decimal.Div`: `DivRound(d2, 16)` — quotient rounded half away from zero to 16 places. */
function div(a: Dec, b: Dec): Dec {
  if (b.coef === 0n) throw new FuncError("decimal division by 0");
  // q = a / b scaled to 10^-16, rounded half away from zero.
  const scale = DIVISION_PRECISION;
  let num = a.coef;
  let den = b.coef;
  // value = (a.coef/b.coef) × 10^(a.exp - b.exp); want integer q with value ≈ q × 10^-scale.
  const shift = a.exp - b.exp + scale;
  if (shift >= 0) num *= 10n ** BigInt(shift);
  else den *= 10n ** BigInt(-shift);
  const neg = num < 0n !== den < 0n;
  const an = num < 0n ? -num : num;
  const ad = den < 0n ? -den : den;
  let q = an / ad;
  const r = an % ad;
  if (r * 2n >= ad) q += 1n;
  return { coef: neg ? -q : q, exp: -scale };
}

function toFloat(d: Dec): number {
  return Number(`${d.coef}e${d.exp}`);
}

/** Sprig `execDecimalOp`. */
export function decimalOp(first: number, rest: readonly number[], op: "add" | "sub" | "mul" | "div"): number {
  let acc = fromFloat(first);
  for (const x of rest) {
    const d = fromFloat(x);
    acc = op === "add" ? add(acc, d) : op === "sub" ? sub(acc, d) : op === "mul" ? mul(acc, d) : div(acc, d);
  }
  return toFloat(acc);
}
