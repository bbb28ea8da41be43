/**
 * Go `time` for the date helpers: locations (UTC, Local, IANA names through `Intl`), layout
 * formatting and parsing (`2006-01-02 15:04:05`), and `Time.String()`.
 * @module
 */
import { GoTime, type GoLocation } from "./values.ts";

/** UTC. */
export const UTC: GoLocation = { name: "UTC", fixed: { abbr: "UTC", offset: 0 } };

/** Go's `Local`, resolved to `zone` (an IANA name) at use. */
export function localLocation(zone: string): GoLocation {
  if (zone === "UTC" || zone === "Etc/UTC") return { name: "Local", fixed: { abbr: "UTC", offset: 0 } };
  return { name: `Local:${zone}` };
}

/** The runtime's IANA zone (what Go's `Local` would be for the same TZ). */
export function runtimeZone(): string {
  try {
    return new Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

/** Go `time.LoadLocation`; `undefined` for unknown zones. */
export function loadLocation(name: string, localZone: string): GoLocation | undefined {
  if (name === "" || name === "UTC") return UTC;
  if (name === "Local") return localLocation(localZone);
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return { name };
  } catch {
    return undefined;
  }
}

const FORMATTERS = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = FORMATTERS.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      timeZoneName: "short",
      era: "short",
    });
    FORMATTERS.set(zone, f);
  }
  return f;
}

/** Offset (seconds east of UTC) and abbreviation of `loc` at Unix second `sec`. */
export function zoneAt(loc: GoLocation, sec: bigint): { abbr: string; offset: number } {
  if (loc.fixed !== undefined) return loc.fixed;
  const zone = loc.name.startsWith("Local:") ? loc.name.slice(6) : loc.name;
  const ms = Number(sec) * 1000;
  const parts = formatter(zone).formatToParts(new Date(ms));
  const get = (t: string): string => parts.find((p) => p.type === t)?.value ?? "0";
  let year = Number(get("year"));
  if (get("era") === "BC" || get("era") === "B") year = 1 - year;
  const asUTC = Date.UTC(year, Number(get("month")) - 1, Number(get("day")), Number(get("hour")), Number(get("minute")), Number(get("second")));
  const d = new Date(0);
  d.setUTCFullYear(year, Number(get("month")) - 1, Number(get("day")));
  d.setUTCHours(Number(get("hour")), Number(get("minute")), Number(get("second")), 0);
  const offset = Math.round((d.getTime() - ms) / 1000);
  void asUTC;
  let abbr = get("timeZoneName");
  if (/^GMT[+-]/.test(abbr) || abbr === "GMT" && offset !== 0) abbr = numericAbbr(offset);
  if (abbr === "GMT" && zone !== "GMT" && zone !== "Etc/GMT") abbr = offset === 0 ? "GMT" : numericAbbr(offset);
  return { abbr, offset };
}

function numericAbbr(offset: number): string {
  const sign = offset < 0 ? "-" : "+";
  const a = Math.abs(offset);
  const h = Math.floor(a / 3600);
  const m = Math.floor((a % 3600) / 60);
  return m === 0 ? `${sign}${String(h).padStart(2, "0")}` : `${sign}${String(h).padStart(2, "0")}${String(m).padStart(2, "0")}`;
}

const NS = 1_000_000_000n;

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && (a < 0n) !== (b < 0n) ? q - 1n : q;
}

interface Civil {
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

function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(z: number): [number, number, number] {
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

function civil(t: GoTime): Civil {
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

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

type Tok =
  | "January" | "Jan" | "1" | "01" | "Monday" | "Mon" | "2" | "_2" | "02" | "__2" | "002" | "15" | "3" | "03"
  | "4" | "04" | "5" | "05" | "2006" | "06" | "PM" | "pm" | "MST" | "Z0700" | "Z070000" | "Z07" | "Z07:00"
  | "Z07:00:00" | "-0700" | "-070000" | "-07" | "-07:00" | "-07:00:00" | "frac";

/** Go `nextStdChunk`: splits a layout into literal text and tokens. */
function nextChunk(layout: string): [string, Tok | undefined, string, string] {
  for (let i = 0; i < layout.length; i++) {
    const c = layout[i]!;
    const rest = layout.slice(i);
    const pre = layout.slice(0, i);
    const at = (t: string): boolean => rest.startsWith(t);
    switch (c) {
      case "J":
        if (at("Jan")) {
          if (at("January")) return [pre, "January", "", layout.slice(i + 7)];
          if (!isLower(layout[i + 3])) return [pre, "Jan", "", layout.slice(i + 3)];
        }
        break;
      case "M":
        if (at("Mon")) {
          if (at("Monday")) return [pre, "Monday", "", layout.slice(i + 6)];
          if (!isLower(layout[i + 3])) return [pre, "Mon", "", layout.slice(i + 3)];
        }
        if (at("MST")) return [pre, "MST", "", layout.slice(i + 3)];
        break;
      case "0":
        if (layout[i + 1] !== undefined && layout[i + 1]! >= "1" && layout[i + 1]! <= "6") {
          return [pre, `0${layout[i + 1]}` as Tok, "", layout.slice(i + 2)];
        }
        if (at("002")) return [pre, "002", "", layout.slice(i + 3)];
        break;
      case "1":
        if (at("15")) return [pre, "15", "", layout.slice(i + 2)];
        return [pre, "1", "", layout.slice(i + 1)];
      case "2":
        if (at("2006")) return [pre, "2006", "", layout.slice(i + 4)];
        return [pre, "2", "", layout.slice(i + 1)];
      case "_":
        if (at("_2")) {
          if (at("_2006")) return [layout.slice(0, i + 1), "2006", "", layout.slice(i + 5)];
          return [pre, "_2", "", layout.slice(i + 2)];
        }
        if (at("__2")) return [pre, "__2", "", layout.slice(i + 3)];
        break;
      case "3":
        return [pre, "3", "", layout.slice(i + 1)];
      case "4":
        return [pre, "4", "", layout.slice(i + 1)];
      case "5":
        return [pre, "5", "", layout.slice(i + 1)];
      case "P":
        if (at("PM")) return [pre, "PM", "", layout.slice(i + 2)];
        break;
      case "p":
        if (at("pm")) return [pre, "pm", "", layout.slice(i + 2)];
        break;
      case "-":
        for (const t of ["-07:00:00", "-070000", "-07:00", "-0700", "-07"] as const) {
          if (at(t)) return [pre, t, "", layout.slice(i + t.length)];
        }
        break;
      case "Z":
        for (const t of ["Z07:00:00", "Z070000", "Z07:00", "Z0700", "Z07"] as const) {
          if (at(t)) return [pre, t, "", layout.slice(i + t.length)];
        }
        break;
      case ".":
      case ",": {
        const d = layout[i + 1];
        if (d === "0" || d === "9") {
          let j = i + 1;
          while (j < layout.length && layout[j] === d) j++;
          if (!isDigit(layout[j])) return [pre, "frac", layout.slice(i, j), layout.slice(j)];
        }
        break;
      }
    }
  }
  return [layout, undefined, "", ""];
}

function isLower(c: string | undefined): boolean {
  return c !== undefined && c >= "a" && c <= "z";
}
function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= "0" && c <= "9";
}

function p2(n: number): string {
  return String(n).padStart(2, "0");
}

/** Go `Time.Format`. */
export function formatTime(t: GoTime, layout: string): string {
  const c = civil(t);
  let out = "";
  let rest = layout;
  while (rest !== "") {
    const [pre, tok, frac, after] = nextChunk(rest);
    out += pre;
    if (tok === undefined) break;
    rest = after;
    switch (tok) {
      case "2006": {
        const y = c.year;
        out += y < 0 ? `-${String(-y).padStart(4, "0")}` : String(y).padStart(4, "0");
        break;
      }
      case "06":
        out += p2(((c.year % 100) + 100) % 100);
        break;
      case "January":
        out += MONTHS[c.month - 1];
        break;
      case "Jan":
        out += MONTHS[c.month - 1]!.slice(0, 3);
        break;
      case "1":
        out += String(c.month);
        break;
      case "01":
        out += p2(c.month);
        break;
      case "Monday":
        out += DAYS[c.weekday];
        break;
      case "Mon":
        out += DAYS[c.weekday]!.slice(0, 3);
        break;
      case "2":
        out += String(c.day);
        break;
      case "_2":
        out += String(c.day).padStart(2, " ");
        break;
      case "02":
        out += p2(c.day);
        break;
      case "__2":
        out += String(c.yday).padStart(3, " ");
        break;
      case "002":
        out += String(c.yday).padStart(3, "0");
        break;
      case "15":
        out += p2(c.hour);
        break;
      case "3":
        out += String(c.hour % 12 === 0 ? 12 : c.hour % 12);
        break;
      case "03":
        out += p2(c.hour % 12 === 0 ? 12 : c.hour % 12);
        break;
      case "4":
        out += String(c.min);
        break;
      case "04":
        out += p2(c.min);
        break;
      case "5":
        out += String(c.sec);
        break;
      case "05":
        out += p2(c.sec);
        break;
      case "PM":
        out += c.hour >= 12 ? "PM" : "AM";
        break;
      case "pm":
        out += c.hour >= 12 ? "pm" : "am";
        break;
      case "MST": {
        if (c.abbr !== "") {
          out += c.abbr;
          break;
        }
        const z = Math.trunc(c.offset / 60);
        const a = Math.abs(z);
        out += (z < 0 ? "-" : "+") + p2(Math.floor(a / 60)) + p2(a % 60);
        break;
      }
      case "frac": {
        const digits = String(c.nsec).padStart(9, "0");
        const n = frac.length - 1;
        if (frac[1] === "0") out += frac[0] + digits.slice(0, n);
        else {
          const trimmed = digits.slice(0, n).replace(/0+$/, "");
          if (trimmed !== "") out += frac[0] + trimmed;
        }
        break;
      }
      default: {
        // Zone offsets.
        if (c.offset === 0 && tok.startsWith("Z")) {
          out += "Z";
          break;
        }
        const sign = c.offset < 0 ? "-" : "+";
        const a = Math.abs(c.offset);
        const hh = p2(Math.floor(a / 3600));
        const mm = p2(Math.floor((a % 3600) / 60));
        const ss = p2(a % 60);
        const body = tok.slice(1);
        if (body === "07") out += sign + hh;
        else if (body === "0700") out += sign + hh + mm;
        else if (body === "07:00") out += `${sign}${hh}:${mm}`;
        else if (body === "070000") out += sign + hh + mm + ss;
        else out += `${sign}${hh}:${mm}:${ss}`;
      }
    }
  }
  return out;
}

/** Go `Time.String()`: `2006-01-02 15:04:05.999999999 -0700 MST`. */
export function formatTimeString(t: GoTime): string {
  return formatTime(t, "2006-01-02 15:04:05.999999999 -0700 MST");
}

/** Unix seconds of a time (Go `Time.Unix`). */
export function unixSeconds(t: GoTime): bigint {
  return floorDiv(t.ns, NS);
}

/** The zero time (`0001-01-01 00:00:00 +0000 UTC`). */
export const ZERO_TIME: GoTime = new GoTime(-62135596800n * NS, UTC);

/** A parse failure with Go's text. */
export class TimeParseError extends Error {
  override readonly name: string = "TimeParseError";
}

/** Go `time.ParseInLocation` for the common layout elements. */
export function parseTime(layout: string, value: string, loc: GoLocation): GoTime {
  const origLayout = layout;
  const origValue = value;
  const q = (s: string): string => JSON.stringify(s);
  const fail = (valueElem: string, layoutElem: string, msg = ""): never => {
    if (msg !== "") throw new TimeParseError(`parsing time ${q(origValue)}${msg}`);
    throw new TimeParseError(
      `parsing time ${q(origValue)} as ${q(origLayout)}: cannot parse ${q(valueElem)} as ${q(layoutElem)}`,
    );
  };
  let year = 1;
  let month = -1;
  let day = -1;
  let yday = -1;
  let hour = 0;
  let min = 0;
  let sec = 0;
  let nsec = 0;
  let pmSet = false;
  let amSet = false;
  let zoneOffset: number | undefined;
  let zoneName = "";
  let rest = layout;
  const getnum = (fixed: boolean): number => {
    if (!isDigit(value[0])) throw 0;
    if (!isDigit(value[1])) {
      if (fixed) throw 0;
      const n = Number(value[0]);
      value = value.slice(1);
      return n;
    }
    const n = Number(value.slice(0, 2));
    value = value.slice(2);
    return n;
  };
  while (true) {
    const [pre, tok, frac, after] = nextChunk(rest);
    const stdstr = rest.slice(pre.length, rest.length - after.length);
    // Literal prefix must match (Go skips spaces loosely; we compare exactly after trimming).
    if (!value.startsWith(pre)) fail(value, pre);
    value = value.slice(pre.length);
    if (tok === undefined) {
      if (value.length !== 0) fail("", "", `: extra text: ${q(value)}`);
      break;
    }
    rest = after;
    const hold = value;
    try {
      switch (tok) {
        case "2006": {
          if (value.length < 4 || !/^\d{4}/.test(value)) throw 0;
          year = Number(value.slice(0, 4));
          value = value.slice(4);
          break;
        }
        case "06": {
          if (!/^\d{2}/.test(value)) throw 0;
          const y = Number(value.slice(0, 2));
          year = y >= 69 ? y + 1900 : y + 2000;
          value = value.slice(2);
          break;
        }
        case "January":
        case "Jan": {
          const names = tok === "January" ? MONTHS : MONTHS.map((m) => m.slice(0, 3));
          const idx = names.findIndex((m) => value.toLowerCase().startsWith(m.toLowerCase()));
          if (idx < 0) throw 0;
          month = idx + 1;
          value = value.slice(names[idx]!.length);
          break;
        }
        case "1":
        case "01":
          month = getnum(tok === "01");
          if (month <= 0 || month > 12) fail("", "", ": month out of range");
          break;
        case "Monday":
        case "Mon": {
          const names = tok === "Monday" ? DAYS : DAYS.map((d) => d.slice(0, 3));
          const idx = names.findIndex((d) => value.toLowerCase().startsWith(d.toLowerCase()));
          if (idx < 0) throw 0;
          value = value.slice(names[idx]!.length);
          break;
        }
        case "2":
        case "_2":
        case "02":
          if (tok === "_2" && value[0] === " ") value = value.slice(1);
          day = getnum(tok === "02");
          break;
        case "__2":
        case "002": {
          const m = /^\d{1,3}/.exec(value.replace(/^ +/, ""));
          if (!m) throw 0;
          yday = Number(m[0]);
          value = value.replace(/^ +/, "").slice(m[0].length);
          break;
        }
        case "15":
          hour = getnum(false);
          if (hour < 0 || hour >= 24) fail("", "", ": hour out of range");
          break;
        case "3":
        case "03":
          hour = getnum(tok === "03");
          if (hour < 0 || hour > 12) fail("", "", ": hour out of range");
          break;
        case "4":
        case "04":
          min = getnum(tok === "04");
          if (min < 0 || min >= 60) fail("", "", ": minute out of range");
          break;
        case "5":
        case "05": {
          sec = getnum(tok === "05");
          if (sec < 0 || sec >= 60) fail("", "", ": second out of range");
          // A fractional second in the value may follow even when the layout has none.
          if (value.length >= 2 && (value[0] === "." || value[0] === ",") && isDigit(value[1])) {
            const [, nextTok] = nextChunk(rest);
            if (nextTok === "frac") break;
            const m = /^[.,](\d+)/.exec(value)!;
            nsec = Number(m[1]!.slice(0, 9).padEnd(9, "0"));
            value = value.slice(m[0].length);
          }
          break;
        }
        case "PM":
        case "pm": {
          const p = value.slice(0, 2);
          if (p.toUpperCase() === "PM") pmSet = true;
          else if (p.toUpperCase() === "AM") amSet = true;
          else throw 0;
          value = value.slice(2);
          break;
        }
        case "MST": {
          const m = /^[A-Z]{3,5}|^[+-]\d{2,4}/.exec(value);
          if (!m) throw 0;
          zoneName = m[0];
          value = value.slice(m[0].length);
          break;
        }
        case "frac": {
          const n = frac.length - 1;
          if (frac[1] === "0") {
            if (value[0] !== frac[0] || !new RegExp(`^.\\d{${n}}`).test(value)) throw 0;
            nsec = Number(value.slice(1, 1 + n).padEnd(9, "0"));
            value = value.slice(1 + n);
          } else if (value[0] === "." || value[0] === ",") {
            const m = /^[.,](\d+)/.exec(value);
            if (m) {
              nsec = Number(m[1]!.slice(0, 9).padEnd(9, "0"));
              value = value.slice(m[0].length);
            }
          }
          break;
        }
        default: {
          if (tok.startsWith("Z") && value[0] === "Z") {
            value = value.slice(1);
            zoneOffset = 0;
            zoneName = "UTC";
            break;
          }
          const body = tok.slice(1);
          const re = body === "07"
            ? /^([+-])(\d{2})/
            : body === "0700"
            ? /^([+-])(\d{2})(\d{2})/
            : body === "07:00"
            ? /^([+-])(\d{2}):(\d{2})/
            : body === "070000"
            ? /^([+-])(\d{2})(\d{2})(\d{2})/
            : /^([+-])(\d{2}):(\d{2}):(\d{2})/;
          const m = re.exec(value);
          if (!m) throw 0;
          const off = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
          zoneOffset = m[1] === "-" ? -off : off;
          value = value.slice(m[0].length);
        }
      }
    } catch (e) {
      if (e instanceof TimeParseError) throw e;
      fail(hold, stdstr);
    }
  }
  if (pmSet && hour < 12) hour += 12;
  else if (amSet && hour === 12) hour = 0;
  if (yday >= 0) {
    if (month < 0) {
      const days = daysFromCivil(year, 1, 1) + yday - 1;
      const [, m, d] = civilFromDays(days);
      month = m;
      day = d;
    }
  }
  if (month < 0) month = 1;
  if (day < 0) day = 1;
  const dim = [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  if (day < 1 || day > dim) fail("", "", ": day out of range");
  const localSec = BigInt(daysFromCivil(year, month, day)) * 86400n + BigInt(hour * 3600 + min * 60 + sec);
  if (zoneOffset !== undefined) {
    const t = new GoTime((localSec - BigInt(zoneOffset)) * NS + BigInt(nsec), loc);
    const z = zoneAt(loc, unixSeconds(t));
    if (z.offset === zoneOffset) return t;
    return new GoTime(t.ns, { name: zoneName === "UTC" && zoneOffset === 0 ? "UTC" : "", fixed: { abbr: zoneName === "" ? "" : zoneName, offset: zoneOffset } });
  }
  if (zoneName !== "") {
    if (zoneName === "UTC") return new GoTime(localSec * NS + BigInt(nsec), UTC);
    // Unknown abbreviation: Go fabricates a zone with offset 0 and that name.
    const guess = localSec * NS + BigInt(nsec);
    const z = zoneAt(loc, localSec);
    if (z.abbr === zoneName) return new GoTime(guess - BigInt(z.offset) * NS, loc);
    return new GoTime(guess, { name: zoneName, fixed: { abbr: zoneName, offset: 0 } });
  }
  // Local wall time: find the offset in effect (two passes for DST edges).
  let offset = zoneAt(loc, localSec).offset;
  offset = zoneAt(loc, localSec - BigInt(offset)).offset;
  return new GoTime((localSec - BigInt(offset)) * NS + BigInt(nsec), loc);
}

function isLeap(y: number): boolean {
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
