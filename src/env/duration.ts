/**
 * Duration strings as the environment spells them (`30s`, `1h30m`): parsing and formatting that
 * match Go's `time.ParseDuration` and `Duration.String()` bit for bit, since the operator writes
 * them in that syntax.
 *
 * Durations are int64 nanoseconds, so they are `bigint` here; {@link Duration} pairs the exact
 * nanoseconds with the millisecond value timers use.
 * @module
 */

const ONE = 1n;
/** 1<<63 as uint64: the magnitude limit while parsing (a negative may reach it). */
const U63 = ONE << 63n;
const INT64_MAX = U63 - ONE;
const INT64_MIN = -U63;

/** Nanoseconds per unit. Both micro signs are accepted. */
const UNITS: ReadonlyMap<string, bigint> = new Map([
  ["ns", 1n],
  ["us", 1_000n],
  ["\u00b5s", 1_000n], // U+00B5 MICRO SIGN
  ["\u03bcs", 1_000n], // U+03BC GREEK SMALL LETTER MU
  ["ms", 1_000_000n],
  ["s", 1_000_000_000n],
  ["m", 60_000_000_000n],
  ["h", 3_600_000_000_000n],
]);

/** A rejected duration string. `message` is Go's text, e.g. `time: unknown unit "x" in duration "1x"`. */
export class GoDurationError extends Error {
  override readonly name: string = "GoDurationError";
  /** The string that failed to parse. */
  readonly input: string;
  constructor(message: string, input: string) {
    super(message);
    this.input = input;
  }
}

/** A duration: exact nanoseconds plus the same value in (possibly fractional) milliseconds. */
export interface Duration {
  readonly nanos: bigint;
  readonly millis: number;
}

/** Builds a {@link Duration} from int64 nanoseconds. */
export function durationFromNanos(nanos: bigint): Duration {
  assertInt64(nanos);
  return { nanos, millis: nanosToMillis(nanos) };
}

/** Nanoseconds to milliseconds without losing the integer part to float rounding. */
export function nanosToMillis(nanos: bigint): number {
  return Number(nanos / 1_000_000n) + Number(nanos % 1_000_000n) / 1e6;
}

/** Milliseconds (finite, may be fractional) to nanoseconds, rounded to the nearest nanosecond. */
export function millisToNanos(millis: number): bigint {
  if (!Number.isFinite(millis)) throw new RangeError(`millisToNanos: ${millis} is not finite`);
  const whole = Math.trunc(millis);
  return BigInt(whole) * 1_000_000n + BigInt(Math.round((millis - whole) * 1e6));
}

/** Milliseconds as Go's `Duration.String()` prints them (`250ms`, `1.5s`, `1m30s`). */
export function formatGoMillis(millis: number): string {
  return formatGoDuration(millisToNanos(millis));
}

/**
 * Parses a duration (Go's `time.ParseDuration` syntax): a possibly signed sequence of decimal
 * numbers, each with an optional fraction and a unit (`ns`, `us`, `µs`, `μs`, `ms`, `s`, `m`,
 * `h`), e.g. `300ms`, `-1.5h`, `2h45m`. `0` alone is allowed; otherwise every number needs a
 * unit. No spaces.
 * @returns int64 nanoseconds.
 * @throws {GoDurationError} for syntax errors and int64 overflow.
 */
export function parseGoDuration(input: string): bigint {
  let s = input;
  let neg = false;
  let total = 0n;
  const invalid = (): GoDurationError => new GoDurationError(`time: invalid duration ${goQuote(input)}`, input);

  if (s !== "") {
    const c = s[0];
    if (c === "-" || c === "+") {
      neg = c === "-";
      s = s.slice(1);
    }
  }
  if (s === "0") return 0n;
  if (s === "") throw invalid();

  while (s !== "") {
    if (!(s[0] === "." || isDigit(s, 0))) throw invalid();

    // Integer part: overflow here is an error.
    let v = 0n;
    let i = 0;
    for (; i < s.length && isDigit(s, i); i++) {
      if (v > U63 / 10n) throw invalid();
      v = v * 10n + BigInt(s.charCodeAt(i) - 48);
      if (v > U63) throw invalid();
    }
    const pre = i > 0;
    s = s.slice(i);

    // Fraction: precision stops accumulating on overflow, as in Go's leadingFraction.
    let f = 0n;
    let scale = 1;
    let post = false;
    if (s !== "" && s[0] === ".") {
      s = s.slice(1);
      let j = 0;
      let overflow = false;
      for (; j < s.length && isDigit(s, j); j++) {
        if (overflow) continue;
        if (f > (U63 - ONE) / 10n) {
          overflow = true;
          continue;
        }
        const y = f * 10n + BigInt(s.charCodeAt(j) - 48);
        if (y > U63) {
          overflow = true;
          continue;
        }
        f = y;
        scale *= 10;
      }
      post = j > 0;
      s = s.slice(j);
    }
    if (!pre && !post) throw invalid();

    // Unit: everything up to the next digit or '.'.
    let k = 0;
    for (; k < s.length; k++) {
      if (s[k] === "." || isDigit(s, k)) break;
    }
    if (k === 0) throw new GoDurationError(`time: missing unit in duration ${goQuote(input)}`, input);
    const unitText = s.slice(0, k);
    s = s.slice(k);
    const unit = UNITS.get(unitText);
    if (unit === undefined) {
      throw new GoDurationError(`time: unknown unit ${goQuote(unitText)} in duration ${goQuote(input)}`, input);
    }
    if (v > U63 / unit) throw invalid();
    v *= unit;
    if (f > 0n) {
      // Go computes this in float64 (exact to the nanosecond for every unit up to hours);
      // Number(bigint) and the float ops below round exactly as Go's float64 conversions do.
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > U63) throw invalid();
    }
    total += v;
    if (total > U63) throw invalid();
  }
  if (neg) return -total;
  if (total > INT64_MAX) throw invalid();
  return total;
}

/** {@link parseGoDuration} as a {@link Duration}. */
export function parseGoDurationValue(input: string): Duration {
  return durationFromNanos(parseGoDuration(input));
}

/**
 * Formats nanoseconds as Go's `Duration.String()` does: `0s`, `1ns`, `1.5µs` (U+00B5), `850ms`,
 * `1m2.345678901s`, `5m0s`, `1h0m0s`, with a leading `-` for negative values.
 * @param nanos int64 nanoseconds.
 * @throws {RangeError} outside the int64 range.
 */
export function formatGoDuration(nanos: bigint): string {
  assertInt64(nanos);
  const neg = nanos < 0n;
  let u = neg ? -nanos : nanos;
  let out: string;
  if (u < 1_000_000_000n) {
    if (u === 0n) return "0s";
    let prec: number;
    let unit: string;
    if (u < 1_000n) {
      prec = 0;
      unit = "ns";
    } else if (u < 1_000_000n) {
      prec = 3;
      unit = "\u00b5s";
    } else {
      prec = 6;
      unit = "ms";
    }
    const [frac, rest] = formatFraction(u, prec);
    out = `${rest}${frac}${unit}`;
  } else {
    const [frac, seconds] = formatFraction(u, 9);
    u = seconds;
    out = `${u % 60n}${frac}s`;
    u /= 60n;
    if (u > 0n) {
      out = `${u % 60n}m${out}`;
      u /= 60n;
      // Stop at hours: days vary in length.
      if (u > 0n) out = `${u}h${out}`;
    }
  }
  return neg ? `-${out}` : out;
}

/** The fraction of v/10**prec without trailing zeros (and no '.' if zero). */
function formatFraction(v: bigint, prec: number): [string, bigint] {
  let digits = "";
  let print = false;
  for (let i = 0; i < prec; i++) {
    const digit = v % 10n;
    print = print || digit !== 0n;
    if (print) digits = `${digit}${digits}`;
    v /= 10n;
  }
  return [print ? `.${digits}` : "", v];
}

function isDigit(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
}

function assertInt64(nanos: bigint): void {
  if (typeof nanos !== "bigint" || nanos < INT64_MIN || nanos > INT64_MAX) {
    throw new RangeError(`duration ${String(nanos)}ns is outside the int64 range`);
  }
}

const HEX = "0123456789abcdef";
const ENCODER = new TextEncoder();

/**
 * Quotes `s` as Go's duration errors do: double quotes, `"` and `\` escaped, and every byte of a
 * non-ASCII or control character written as `\xNN` (UTF-8 bytes).
 */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp >= 0x80 || cp < 0x20) {
      for (const byte of ENCODER.encode(ch)) out += `\\x${HEX[byte >> 4]}${HEX[byte & 15]}`;
    } else {
      if (ch === '"' || ch === "\\") out += "\\";
      out += ch;
    }
  }
  return `${out}"`;
}
