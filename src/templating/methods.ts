/**
 * Methods reachable as fields (`.Major`, `.Unix`): the exported methods of the Go types the
 * helpers return (`*semver.Version`, `time.Time`).
 * @module
 */
import { FuncError, type GoFunc } from "./func-types.ts";
import { compareVersions } from "./semver.ts";
import { inLocation, timeFields, unixSeconds } from "./time-civil.ts";
import { formatTime, formatTimeString } from "./time-format.ts";
import { UTC } from "./time-zone.ts";
import { GoInt, GoTime, GoVersion } from "./values.ts";

const VERSION_METHODS: Readonly<Record<string, GoFunc>> = {
  Major: { params: [], call: (a) => new GoInt("uint64", (a[0] as GoVersion).major) },
  Minor: { params: [], call: (a) => new GoInt("uint64", (a[0] as GoVersion).minor) },
  Patch: { params: [], call: (a) => new GoInt("uint64", (a[0] as GoVersion).patch) },
  Prerelease: { params: [], call: (a) => (a[0] as GoVersion).pre },
  Metadata: { params: [], call: (a) => (a[0] as GoVersion).metadata },
  Original: { params: [], call: (a) => (a[0] as GoVersion).original },
  String: { params: [], call: (a) => (a[0] as GoVersion).toString() },
};

const TIME_METHODS: Readonly<Record<string, GoFunc>> = {
  Year: { params: [], call: (a) => new GoInt("int", BigInt(timeFields(a[0] as GoTime).year)) },
  Day: { params: [], call: (a) => new GoInt("int", BigInt(timeFields(a[0] as GoTime).day)) },
  Hour: { params: [], call: (a) => new GoInt("int", BigInt(timeFields(a[0] as GoTime).hour)) },
  Minute: { params: [], call: (a) => new GoInt("int", BigInt(timeFields(a[0] as GoTime).min)) },
  Second: { params: [], call: (a) => new GoInt("int", BigInt(timeFields(a[0] as GoTime).sec)) },
  Nanosecond: { params: [], call: (a) => new GoInt("int", BigInt(timeFields(a[0] as GoTime).nsec)) },
  YearDay: { params: [], call: (a) => new GoInt("int", BigInt(timeFields(a[0] as GoTime).yday)) },
  Unix: { params: [], call: (a) => new GoInt("int64", unixSeconds(a[0] as GoTime)) },
  UnixMilli: { params: [], call: (a) => new GoInt("int64", floorDiv((a[0] as GoTime).ns, 1_000_000n)) },
  UnixNano: { params: [], call: (a) => new GoInt("int64", (a[0] as GoTime).ns) },
  Format: { params: ["string"], call: (a) => formatTime(a[0] as GoTime, a[1] as string) },
  UTC: { params: [], call: (a) => inLocation(a[0] as GoTime, UTC) },
  String: { params: [], call: (a) => formatTimeString(a[0] as GoTime) },
  IsZero: { params: [], call: (a) => (a[0] as GoTime).ns === -62135596800_000_000_000n },
};

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

function table(v: unknown): Readonly<Record<string, GoFunc>> | undefined {
  if (v instanceof GoVersion) return VERSION_METHODS;
  if (v instanceof GoTime) return TIME_METHODS;
  return undefined;
}

/** True when `v` has an exported method `name`. */
export function hasMethod(v: unknown, name: string): boolean {
  const t = table(v);
  return t !== undefined && Object.prototype.hasOwnProperty.call(t, name);
}

/** The method `name` of `v`, bound to `v` (the receiver is passed as the first argument). */
export function callMethod(v: unknown, name: string): GoFunc {
  const m = table(v)?.[name];
  if (m === undefined) throw new FuncError(`no method ${name}`);
  return { params: m.params, call: (args, ctx) => m.call([v, ...args], ctx) };
}

/** `Compare` for versions (used by semver constraints). */
export { compareVersions };
