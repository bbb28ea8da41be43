/**
 * Sprig conversion and math helpers (int64 wrap-around, Go panics as errors).
 * @module
 */
import type { Meter } from "./budget.ts";
import { toFloat64, toInt64 } from "./convert.ts";
import { decimalOp } from "./decimal.ts";
import { formatV } from "./fmt.ts";
import { FuncError, type GoFunc } from "./func-types.ts";
import { atoi } from "./strconv.ts";
import { GoInt } from "./values.ts";

const i64 = (v: bigint): GoInt => new GoInt("int64", v);

function goMax(a: number, b: number): number {
  if (a === Infinity || b === Infinity) return Infinity;
  if (Number.isNaN(a) || Number.isNaN(b)) return NaN;
  if (a === 0 && b === 0) return Object.is(a, -0) ? b : a;
  return a > b ? a : b;
}
function goMin(a: number, b: number): number {
  if (a === -Infinity || b === -Infinity) return -Infinity;
  if (Number.isNaN(a) || Number.isNaN(b)) return NaN;
  if (a === 0 && b === 0) return Object.is(a, -0) ? a : b;
  return a < b ? a : b;
}

function toDecimal(v: unknown, meter: Meter): bigint {
  const s = formatV(v, meter);
  if (!/^[+-]?[0-7]+$/.test(s)) return 0n;
  const neg = s.startsWith("-");
  const digits = s.replace(/^[+-]/, "");
  const r = BigInt(`0o${digits}`) * (neg ? -1n : 1n);
  if (r > 2n ** 63n - 1n || r < -(2n ** 63n)) return 0n;
  return r;
}

function round(a: unknown, p: GoInt, opt: unknown[]): number {
  const roundOn = opt.length > 0 ? (opt[0] as number) : 0.5;
  const val = toFloat64(a);
  const places = Number(p.v);
  const pow = 10 ** places;
  const digit = pow * val;
  const frac = digit - Math.trunc(digit);
  const r = frac >= roundOn ? Math.ceil(digit) : Math.floor(digit);
  return r / pow;
}

/** The number helpers. */
export const NUMBER_FUNCS: Readonly<Record<string, GoFunc>> = {
  atoi: { params: ["string"], call: (a) => new GoInt("int", atoi(a[0] as string) ?? 0n) },
  int64: { params: ["any"], call: (a) => i64(toInt64(a[0])) },
  int: { params: ["any"], call: (a) => new GoInt("int", toInt64(a[0])) },
  float64: { params: ["any"], call: (a) => toFloat64(a[0]) },
  toDecimal: { params: ["any"], call: (a, ctx) => i64(toDecimal(a[0], ctx.meter)) },
  add1: { params: ["any"], call: (a) => i64(toInt64(a[0]) + 1n) },
  add: { params: [], variadic: "any", call: (a) => i64(a.reduce<bigint>((acc, x) => acc + toInt64(x), 0n)) },
  sub: { params: ["any", "any"], call: (a) => i64(toInt64(a[0]) - toInt64(a[1])) },
  div: {
    params: ["any", "any"],
    call: (a) => {
      const d = toInt64(a[1]);
      if (d === 0n) throw new FuncError("runtime error: integer divide by zero");
      return i64(toInt64(a[0]) / d);
    },
  },
  mod: {
    params: ["any", "any"],
    call: (a) => {
      const d = toInt64(a[1]);
      if (d === 0n) throw new FuncError("runtime error: integer divide by zero");
      return i64(toInt64(a[0]) % d);
    },
  },
  mul: {
    params: ["any"],
    variadic: "any",
    call: (a) => i64(a.slice(1).reduce<bigint>((acc, x) => BigInt.asIntN(64, acc * toInt64(x)), toInt64(a[0]))),
  },
  add1f: { params: ["any"], call: (a) => decimalOp(toFloat64(a[0]), [1], "add") },
  addf: { params: [], variadic: "any", call: (a) => decimalOp(0, a.map(toFloat64), "add") },
  subf: { params: ["any"], variadic: "any", call: (a) => decimalOp(toFloat64(a[0]), a.slice(1).map(toFloat64), "sub") },
  divf: { params: ["any"], variadic: "any", call: (a) => decimalOp(toFloat64(a[0]), a.slice(1).map(toFloat64), "div") },
  mulf: { params: ["any"], variadic: "any", call: (a) => decimalOp(toFloat64(a[0]), a.slice(1).map(toFloat64), "mul") },
  biggest: {
    params: ["any"],
    variadic: "any",
    call: (a) =>
      i64(
        a
          .slice(1)
          .map(toInt64)
          .reduce((m, x) => (x > m ? x : m), toInt64(a[0])),
      ),
  },
  max: {
    params: ["any"],
    variadic: "any",
    call: (a) =>
      i64(
        a
          .slice(1)
          .map(toInt64)
          .reduce((m, x) => (x > m ? x : m), toInt64(a[0])),
      ),
  },
  min: {
    params: ["any"],
    variadic: "any",
    call: (a) =>
      i64(
        a
          .slice(1)
          .map(toInt64)
          .reduce((m, x) => (x < m ? x : m), toInt64(a[0])),
      ),
  },
  maxf: { params: ["any"], variadic: "any", call: (a) => a.slice(1).map(toFloat64).reduce(goMax, toFloat64(a[0])) },
  minf: { params: ["any"], variadic: "any", call: (a) => a.slice(1).map(toFloat64).reduce(goMin, toFloat64(a[0])) },
  ceil: { params: ["any"], call: (a) => Math.ceil(toFloat64(a[0])) },
  floor: { params: ["any"], call: (a) => Math.floor(toFloat64(a[0])) },
  round: { params: ["any", "int"], variadic: "float64", call: (a) => round(a[0], a[1] as GoInt, a.slice(2)) },
};
