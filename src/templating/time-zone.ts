/**
 * Go time locations for the date helpers: UTC, `Local` (the runtime's zone), IANA names
 * resolved through `Intl`, and the offset and abbreviation in effect at an instant.
 * @module
 */
import type { GoLocation } from "./values.ts";

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
  const asUTC = Date.UTC(
    year,
    Number(get("month")) - 1,
    Number(get("day")),
    Number(get("hour")),
    Number(get("minute")),
    Number(get("second")),
  );
  const d = new Date(0);
  d.setUTCFullYear(year, Number(get("month")) - 1, Number(get("day")));
  d.setUTCHours(Number(get("hour")), Number(get("minute")), Number(get("second")), 0);
  const offset = Math.round((d.getTime() - ms) / 1000);
  void asUTC;
  let abbr = get("timeZoneName");
  if (/^GMT[+-]/.test(abbr) || (abbr === "GMT" && offset !== 0)) abbr = numericAbbr(offset);
  if (abbr === "GMT" && zone !== "GMT" && zone !== "Etc/GMT") abbr = offset === 0 ? "GMT" : numericAbbr(offset);
  return { abbr, offset };
}

function numericAbbr(offset: number): string {
  const sign = offset < 0 ? "-" : "+";
  const a = Math.abs(offset);
  const h = Math.floor(a / 3600);
  const m = Math.floor((a % 3600) / 60);
  return m === 0
    ? `${sign}${String(h).padStart(2, "0")}`
    : `${sign}${String(h).padStart(2, "0")}${String(m).padStart(2, "0")}`;
}
