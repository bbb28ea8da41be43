/**
 * Go `Time.Format` and `Time.String()` over civil fields.
 * @module
 */
import { civil } from "./time-civil.ts";
import { DAYS, MONTHS, nextChunk } from "./time-layout.ts";
import type { GoTime } from "./values.ts";

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
