/**
 * Sprig date helpers over {@link GoTime}.
 * @module
 */
import { formatGoDuration, parseGoDuration } from "../env/duration.ts";
import { type CallContext, FuncError, type GoFunc } from "./func-types.ts";
import { addDuration, fromUnix, inLocation, unixSeconds, ZERO_TIME } from "./time-civil.ts";
import { formatTime } from "./time-format.ts";
import { parseTime } from "./time-parse.ts";
import { loadLocation, UTC } from "./time-zone.ts";
import { GoInt, GoTime } from "./values.ts";

function nowTime(ctx: CallContext): GoTime {
  return new GoTime(ctx.now(), ctx.local);
}

function dateInZone(layout: string, date: unknown, zone: string, ctx: CallContext): string {
  let t: GoTime;
  if (date instanceof GoTime) t = date;
  else if (date instanceof GoInt && (date.kind === "int64" || date.kind === "int" || date.kind === "int32")) {
    t = fromUnix(date.v, ctx.local);
  } else t = nowTime(ctx);
  const loc = loadLocation(zone, ctx.localZone) ?? UTC;
  return formatTime(inLocation(t, loc), layout);
}

function durationRound(v: unknown, ctx: CallContext): string {
  let d = 0n;
  if (typeof v === "string") {
    try {
      d = parseGoDuration(v);
    } catch {
      d = 0n;
    }
  } else if (v instanceof GoInt && v.kind === "int64") d = v.v;
  else if (v instanceof GoTime) d = BigInt.asIntN(64, ctx.now() - v.ns);
  let u = BigInt.asUintN(64, d);
  if (d < 0n) u = BigInt.asUintN(64, -u);
  const hour = 3_600_000_000_000n;
  const year = hour * 24n * 365n;
  const month = hour * 24n * 30n;
  const day = hour * 24n;
  const minute = 60_000_000_000n;
  const second = 1_000_000_000n;
  if (u > year) return `${u / year}y`;
  if (u > month) return `${u / month}mo`;
  if (u > day) return `${u / day}d`;
  if (u > hour) return `${u / hour}h`;
  if (u > minute) return `${u / minute}m`;
  if (u > second) return `${u / second}s`;
  return "0s";
}

/** The date helpers (`now` is added separately: it is non-deterministic). */
export const DATE_FUNCS: Readonly<Record<string, GoFunc>> = {
  date: { params: ["string", "any"], call: (a, ctx) => dateInZone(a[0] as string, a[1], "Local", ctx) },
  date_in_zone: {
    params: ["string", "any", "string"],
    call: (a, ctx) => dateInZone(a[0] as string, a[1], a[2] as string, ctx),
  },
  dateInZone: {
    params: ["string", "any", "string"],
    call: (a, ctx) => dateInZone(a[0] as string, a[1], a[2] as string, ctx),
  },
  date_modify: {
    params: ["string", "time"],
    call: (a) => {
      try {
        return addDuration(a[1] as GoTime, parseGoDuration(a[0] as string));
      } catch {
        return a[1];
      }
    },
  },
  dateModify: {
    params: ["string", "time"],
    call: (a) => {
      try {
        return addDuration(a[1] as GoTime, parseGoDuration(a[0] as string));
      } catch {
        return a[1];
      }
    },
  },
  must_date_modify: { params: ["string", "time"], call: (a) => mustModify(a) },
  mustDateModify: { params: ["string", "time"], call: (a) => mustModify(a) },
  duration: {
    params: ["any"],
    call: (a) => {
      const v = a[0];
      let n = 0n;
      if (typeof v === "string")
        n = /^[+-]?\d+$/.test(v) && BigInt(v) < 2n ** 63n && BigInt(v) >= -(2n ** 63n) ? BigInt(v) : 0n;
      else if (v instanceof GoInt && v.kind === "int64") n = v.v;
      return formatGoDuration(BigInt.asIntN(64, n * 1_000_000_000n));
    },
  },
  durationRound: { params: ["any"], call: (a, ctx) => durationRound(a[0], ctx) },
  htmlDate: { params: ["any"], call: (a, ctx) => dateInZone("2006-01-02", a[0], "Local", ctx) },
  htmlDateInZone: { params: ["any", "string"], call: (a, ctx) => dateInZone("2006-01-02", a[0], a[1] as string, ctx) },
  toDate: {
    params: ["string", "string"],
    call: (a, ctx) => {
      try {
        return parseTime(a[0] as string, a[1] as string, ctx.local);
      } catch {
        return ZERO_TIME;
      }
    },
  },
  mustToDate: {
    params: ["string", "string"],
    call: (a, ctx) => {
      try {
        return parseTime(a[0] as string, a[1] as string, ctx.local);
      } catch (e) {
        throw new FuncError((e as Error).message);
      }
    },
  },
  unixEpoch: { params: ["time"], call: (a) => unixSeconds(a[0] as GoTime).toString() },
};

function mustModify(a: unknown[]): GoTime {
  try {
    return addDuration(a[1] as GoTime, parseGoDuration(a[0] as string));
  } catch (e) {
    throw new FuncError((e as Error).message);
  }
}

/** `now`. */
export const NOW_FUNC: GoFunc = { params: [], call: (_a, ctx) => nowTime(ctx) };
