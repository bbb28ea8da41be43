/**
 * Sprig's conversions: `strval` and spf13/cast `ToInt64`/`ToInt`/`ToFloat64`, with Go's
 * float-to-int truncation and wrap-around.
 * @module
 */
import type { Meter } from "./budget.ts";
import { formatV, stringerText } from "./fmt.ts";
import { parseFloatLiteral, parseIntLiteral } from "./strconv.ts";
import { GoError, GoInt, GoSlice, GoTime, GoVersion } from "./values.ts";

/** Sprig `strval`: strings as is, `[]byte` as text, errors and Stringers by method, else `%v`. */
export function strval(v: unknown, meter: Meter): string {
  if (typeof v === "string") return v;
  if (v instanceof GoSlice && v.elem === "uint8")
    return String.fromCharCode(...v.items.map((b) => Number((b as GoInt).v)));
  if (v instanceof GoError || v instanceof GoVersion || v instanceof GoTime) return stringerText(v);
  return formatV(v, meter);
}

const MIN_I64 = -(2n ** 63n);

/** Go `int64(f)` on amd64: truncation, and 0x8000000000000000 when out of range or NaN. */
export function floatToInt64(f: number): bigint {
  if (!Number.isFinite(f) || f >= 2 ** 63 || f < -(2 ** 63)) return MIN_I64;
  return BigInt(Math.trunc(f));
}

function trimDecimal(s: string): string {
  if (!s.includes(".")) return s;
  const m = /^([-+]?\d*)(\.\d*)?$/.exec(s);
  if (m) {
    const i = m[1]!;
    if (i === "-" || i === "+") return `${i}0`;
    if (i === "") return "0";
    return i;
  }
  return s;
}

/** cast `ToInt64` (errors give 0). */
export function toInt64(v: unknown): bigint {
  if (v === null || v === undefined) return 0n;
  if (v instanceof GoInt) return BigInt.asIntN(64, v.v);
  if (typeof v === "number") return floatToInt64(v);
  if (typeof v === "boolean") return v ? 1n : 0n;
  if (typeof v === "string") {
    if (v === "") return 0n;
    const n = parseIntLiteral(trimDecimal(v));
    if (n === undefined || n > 2n ** 63n - 1n || n < MIN_I64) return 0n;
    return n;
  }
  return 0n;
}

/** cast `ToFloat64` (errors give 0). */
export function toFloat64(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (v instanceof GoInt) return Number(v.v);
  if (typeof v === "number") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "string") {
    if (v === "") return 0;
    const f = parseFloatLiteral(v);
    if (f === undefined || (!Number.isFinite(f) && !/inf|nan/i.test(v))) return 0;
    return f;
  }
  return 0;
}
