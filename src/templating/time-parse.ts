/**
 * Go `time.ParseInLocation` for the layout elements the date helpers accept, with Go's error
 * texts.
 * @module
 */
import { civilFromDays, daysFromCivil, isLeap, NS, unixSeconds } from "./time-civil.ts";
import { DAYS, isDigit, MONTHS, nextChunk } from "./time-layout.ts";
import { UTC, zoneAt } from "./time-zone.ts";
import { type GoLocation, GoTime } from "./values.ts";

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
          const re =
            body === "07"
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
    return new GoTime(t.ns, {
      name: zoneName === "UTC" && zoneOffset === 0 ? "UTC" : "",
      fixed: { abbr: zoneName === "" ? "" : zoneName, offset: zoneOffset },
    });
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
