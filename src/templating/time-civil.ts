/**
 * Go civil time: instants as Unix nanoseconds broken into calendar fields in a location, and the
 * instant arithmetic the date helpers use.
 * @module
 */
import { UTC, zoneAt } from "./time-zone.ts";
import { type GoLocation, GoTime } from "./values.ts";

/** Nanoseconds per second. */
export const NS = 1_000_000_000n;

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/** Calendar fields of an instant in its location. */
export interface Civil {
  year: number;
  month: number;
  day: number;
  hour: number;
  min: number;
  sec: number;
  nsec: number;
  weekday: number;
  yday: number;
  abbr: string;
  offset: number;
}

/** Days since 1970-01-01 of a proleptic Gregorian date. */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The proleptic Gregorian date of a day count since 1970-01-01. */
export function civilFromDays(z: number): [number, number, number] {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const y = yoe + era * 400;
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return [m <= 2 ? y + 1 : y, m, d];
}

/** Calendar fields of `t` in its location. */
export function civil(t: GoTime): Civil {
  const sec = floorDiv(t.ns, NS);
  const nsec = Number(t.ns - sec * NS);
  const { abbr, offset } = zoneAt(t.loc, sec);
  const local = Number(sec) + offset;
  const days = Math.floor(local / 86400);
  const rem = local - days * 86400;
  const [year, month, day] = civilFromDays(days);
  const weekday = (((days + 4) % 7) + 7) % 7;
  const yday = days - daysFromCivil(year, 1, 1) + 1;
  return {
    year,
    month,
    day,
    hour: Math.floor(rem / 3600),
    min: Math.floor((rem % 3600) / 60),
    sec: rem % 60,
    nsec,
    weekday,
    yday,
    abbr,
    offset,
  };
}

/** Unix seconds of a time (Go `Time.Unix`). */
export function unixSeconds(t: GoTime): bigint {
  return floorDiv(t.ns, NS);
}

/** The zero time (`0001-01-01 00:00:00 +0000 UTC`). */
export const ZERO_TIME: GoTime = new GoTime(-62135596800n * NS, UTC);

/** Go's leap-year rule. */
export function isLeap(y: number): boolean {
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
}

/** A time `d` nanoseconds after `t`. */
export function addDuration(t: GoTime, d: bigint): GoTime {
  return new GoTime(t.ns + d, t.loc);
}

/** The same instant in another location. */
export function inLocation(t: GoTime, loc: GoLocation): GoTime {
  return new GoTime(t.ns, loc);
}

/** A time from Unix seconds in `loc`. */
export function fromUnix(sec: bigint, loc: GoLocation): GoTime {
  return new GoTime(sec * NS, loc);
}

/** Civil fields for methods such as `.Year`. */
export function timeFields(t: GoTime): Civil {
  return civil(t);
}
