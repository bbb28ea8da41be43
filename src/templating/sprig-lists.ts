/**
 * Sprig list, dict, default, type and JSON helpers, with Sprig's panics reported as errors.
 * @module
 */
import { type Meter, SLOT_BYTES } from "./budget.ts";
import { strval, toInt64 } from "./convert.ts";
import { FuncError, type GoFunc } from "./func-types.ts";
import { goMarshal, goUnmarshal, JsonError } from "./go-json.ts";
import {
  deepEqual,
  GoInt,
  GoMap,
  GoSlice,
  GoTime,
  GoVersion,
  hasKey,
  isObject,
  kindName,
  sliceItems,
  typeName,
} from "./values.ts";

const NIL_DEREF = "runtime error: invalid memory address or nil pointer dereference";

/** reflect.TypeOf(v).Kind() as Sprig uses it (nil panics). */
function kindOrPanic(v: unknown): string {
  if (v === null || v === undefined) throw new FuncError(NIL_DEREF);
  return kindName(v);
}

function listOf(v: unknown, what: string, mustErr: boolean): unknown[] {
  const k = kindOrPanic(v);
  const items = sliceItems(v);
  if (items === undefined) {
    const msg = `Cannot ${what} on type ${k}`;
    throw new FuncError(mustErr ? msg : msg);
  }
  return items;
}

/** Sprig `empty`. */
export function empty(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  switch (typeof v) {
    case "string":
      return v.length === 0;
    case "boolean":
      return !v;
    case "number":
      return v === 0;
  }
  if (v instanceof GoInt) return v.v === 0n;
  const items = sliceItems(v);
  if (items !== undefined) return items.length === 0;
  if (v instanceof GoMap) return v.entries.size === 0;
  if (isObject(v)) return Object.keys(v).length === 0;
  if (v instanceof GoTime) return false;
  return false;
}

function mapArg(v: unknown): Record<string, unknown> {
  return (v ?? {}) as Record<string, unknown>;
}

function inList(haystack: readonly unknown[], needle: unknown, meter: Meter): boolean {
  return haystack.some((h) => deepEqual(needle, h, meter));
}

/** `strval` of a value kept in a new list: a converted (new) string counts against the budget. */
function keptStrval(v: unknown, meter: Meter): string {
  if (typeof v === "string") return v;
  const s = strval(v, meter);
  meter.alloc(s.length);
  return s;
}

function strslice(v: unknown, meter: Meter): string[] {
  if (v instanceof GoSlice && v.elem === "string") return v.items as string[];
  const items = sliceItems(v);
  if (items !== undefined) return items.filter((x) => x !== null && x !== undefined).map((x) => keptStrval(x, meter));
  if (v === null || v === undefined) return [];
  return [keptStrval(v, meter)];
}

/** Sprig `join`: the size (parts and separators) is checked before joining. */
function join(sep: string, v: unknown, meter: Meter): string {
  const parts = strslice(v, meter);
  let size = sep.length * Math.max(parts.length - 1, 0);
  for (const p of parts) size += p.length;
  meter.fits(size);
  return parts.join(sep);
}

/**
 * The JSON helpers that give "" or nil on failure: they swallow encoding errors (and a nesting
 * too deep for the stack), never a budget limit, a timeout or a cancellation.
 */
function jsonOr<T>(f: () => T, fallback: T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof JsonError || e instanceof SyntaxError || e instanceof RangeError) return fallback;
    throw e;
  }
}

/**
 * Estimated bytes of the value `fromJson` builds from `text` (objects take several times their
 * JSON text): counted against the memory budget, not the per-value limit, so any JSON text that
 * fits in a value can still be decoded.
 */
const JSON_DECODE_FACTOR = 4;

function typeAssert(v: unknown, want: string): never {
  const got = v === null || v === undefined ? "nil" : typeName(v);
  throw new FuncError(`interface conversion: interface {} is ${got}, not ${want}`);
}

function dig(ps: unknown[]): unknown {
  if (ps.length < 3) throw new FuncError("dig needs at least three arguments");
  const dict = ps[ps.length - 1];
  if (!isObject(dict)) typeAssert(dict, "map[string]interface {}");
  const def = ps[ps.length - 2];
  const ks = ps.slice(0, -2).map((k) => (typeof k === "string" ? k : typeAssert(k, "string")));
  let cur: Record<string, unknown> = dict;
  for (let i = 0; i < ks.length; i++) {
    if (!hasKey(cur, ks[i]!)) return def;
    const step = cur[ks[i]!];
    if (i === ks.length - 1) return step;
    if (!isObject(step)) typeAssert(step, "map[string]interface {}");
    cur = step;
  }
  return def;
}

function sliceList(list: unknown, indices: unknown[], must: boolean): unknown {
  const k = kindOrPanic(list);
  const items = sliceItems(list);
  if (items === undefined) {
    const msg = `list should be type of slice or array but ${k}`;
    throw new FuncError(must ? msg : msg);
  }
  if (items.length === 0) return null;
  const start = indices.length > 0 ? Number(toInt64(indices[0])) : 0;
  const end = indices.length < 2 ? items.length : Number(toInt64(indices[1]));
  if (start < 0 || end < start || end > items.length) {
    throw new FuncError("reflect.Value.Slice: slice index out of bounds");
  }
  const out = items.slice(start, end);
  if (list instanceof GoSlice) return new GoSlice(list.elem, out);
  return out;
}

function jsonErr(e: unknown): never {
  if (e instanceof JsonError) throw new FuncError(e.message);
  throw e;
}

/** The collection helpers. */
export const LIST_FUNCS: Readonly<Record<string, GoFunc>> = {
  toStrings: { params: ["any"], call: (a, ctx) => new GoSlice("string", strslice(a[0], ctx.meter)) },
  join: { params: ["string", "any"], call: (a, ctx) => join(a[0] as string, a[1], ctx.meter) },
  sortAlpha: {
    params: ["any"],
    call: (a, ctx) => {
      const items = sliceItems(a[0]);
      if (items === undefined) return new GoSlice("string", [keptStrval(a[0], ctx.meter)]);
      const out = strslice(a[0], ctx.meter).slice();
      out.sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
      return new GoSlice("string", out);
    },
  },
  default: {
    params: ["any"],
    variadic: "any",
    iface: true,
    passThrough: true,
    call: (a) => (a.length < 2 || empty(a[1]) ? a[0] : a[1]),
  },
  empty: { params: ["any"], call: (a) => empty(a[0]) },
  coalesce: {
    params: [],
    variadic: "any",
    iface: true,
    passThrough: true,
    call: (a) => a.find((x) => !empty(x)) ?? null,
  },
  all: { params: [], variadic: "any", call: (a) => a.every((x) => !empty(x)) },
  any: { params: [], variadic: "any", call: (a) => a.some((x) => !empty(x)) },
  compact: { params: ["any"], call: (a) => listOf(a[0], "compact", false).filter((x) => !empty(x)) },
  mustCompact: { params: ["any"], call: (a) => listOf(a[0], "compact", true).filter((x) => !empty(x)) },
  fromJson: {
    params: ["string"],
    iface: true,
    call: (a, ctx) => {
      ctx.meter.charge((a[0] as string).length * JSON_DECODE_FACTOR);
      return jsonOr(() => goUnmarshal(a[0] as string), null);
    },
  },
  mustFromJson: {
    params: ["string"],
    iface: true,
    call: (a, ctx) => {
      ctx.meter.charge((a[0] as string).length * JSON_DECODE_FACTOR);
      try {
        return goUnmarshal(a[0] as string);
      } catch (e) {
        return jsonErr(e);
      }
    },
  },
  toJson: { params: ["any"], call: (a, ctx) => jsonOr(() => goMarshal(a[0], { escapeHTML: true }, ctx.meter), "") },
  mustToJson: { params: ["any"], call: (a, ctx) => wrapJson(() => goMarshal(a[0], { escapeHTML: true }, ctx.meter)) },
  toPrettyJson: {
    params: ["any"],
    call: (a, ctx) => jsonOr(() => goMarshal(a[0], { escapeHTML: true, indent: "  " }, ctx.meter), ""),
  },
  mustToPrettyJson: {
    params: ["any"],
    call: (a, ctx) => wrapJson(() => goMarshal(a[0], { escapeHTML: true, indent: "  " }, ctx.meter)),
  },
  toRawJson: { params: ["any"], call: (a, ctx) => wrapJson(() => goMarshal(a[0], { escapeHTML: false }, ctx.meter)) },
  mustToRawJson: {
    params: ["any"],
    call: (a, ctx) => wrapJson(() => goMarshal(a[0], { escapeHTML: false }, ctx.meter)),
  },
  ternary: { params: ["any", "any", "bool"], iface: true, passThrough: true, call: (a) => (a[2] ? a[0] : a[1]) },
  typeOf: { params: ["any"], call: (a) => typeName(a[0]) },
  typeIs: { params: ["string", "any"], call: (a) => a[0] === typeName(a[1]) },
  typeIsLike: { params: ["string", "any"], call: (a) => a[0] === typeName(a[1]) || `*${a[0]}` === typeName(a[1]) },
  kindOf: { params: ["any"], call: (a) => kindName(a[0]) },
  kindIs: { params: ["string", "any"], call: (a) => a[0] === kindName(a[1]) },
  deepEqual: { params: ["any", "any"], call: (a, ctx) => deepEqual(a[0], a[1], ctx.meter) },
  tuple: { params: [], variadic: "any", call: (a) => a },
  list: { params: [], variadic: "any", call: (a) => a },
  dict: {
    params: [],
    variadic: "any",
    call: (a, ctx) => {
      const d: Record<string, unknown> = {};
      for (let i = 0; i < a.length; i += 2) {
        const key = keptStrval(a[i], ctx.meter);
        Object.defineProperty(d, key, {
          value: i + 1 >= a.length ? "" : a[i + 1],
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return d;
    },
  },
  get: {
    params: ["map", "string"],
    iface: true,
    passThrough: true,
    call: (a) => (hasKey(mapArg(a[0]), a[1] as string) ? mapArg(a[0])[a[1] as string] : ""),
  },
  hasKey: { params: ["map", "string"], call: (a) => hasKey(mapArg(a[0]), a[1] as string) },
  pluck: {
    params: ["string"],
    variadic: "map",
    call: (a) =>
      a
        .slice(1)
        .map(mapArg)
        .filter((d) => hasKey(d, a[0] as string))
        .map((d) => d[a[0] as string]),
  },
  keys: {
    params: [],
    variadic: "map",
    call: (a, ctx) => {
      // The same map may be passed many times: count before copying the keys.
      const lists = a.map((d) => Object.keys(mapArg(d)));
      ctx.meter.fits(lists.reduce((n, l) => n + l.length, 0) * SLOT_BYTES);
      return new GoSlice("string", lists.flat());
    },
  },
  pick: {
    params: ["map"],
    variadic: "string",
    call: (a) => {
      const d = mapArg(a[0]);
      const out: Record<string, unknown> = {};
      for (const k of a.slice(1) as string[]) if (hasKey(d, k)) setKey(out, k, d[k]);
      return out;
    },
  },
  omit: {
    params: ["map"],
    variadic: "string",
    call: (a) => {
      const d = mapArg(a[0]);
      const skip = new Set(a.slice(1) as string[]);
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(d)) if (!skip.has(k)) setKey(out, k, v);
      return out;
    },
  },
  values: { params: ["map"], call: (a) => Object.values(mapArg(a[0])) },
  append: { params: ["any", "any"], call: (a) => [...listOf(a[0], "push", false), a[1]] },
  push: { params: ["any", "any"], call: (a) => [...listOf(a[0], "push", false), a[1]] },
  mustAppend: { params: ["any", "any"], call: (a) => [...listOf(a[0], "push", true), a[1]] },
  mustPush: { params: ["any", "any"], call: (a) => [...listOf(a[0], "push", true), a[1]] },
  prepend: { params: ["any", "any"], call: (a) => [a[1], ...listOf(a[0], "prepend", false)] },
  mustPrepend: { params: ["any", "any"], call: (a) => [a[1], ...listOf(a[0], "prepend", true)] },
  first: { params: ["any"], iface: true, passThrough: true, call: (a) => listOf(a[0], "find first", false)[0] ?? null },
  mustFirst: {
    params: ["any"],
    iface: true,
    passThrough: true,
    call: (a) => listOf(a[0], "find first", true)[0] ?? null,
  },
  last: {
    params: ["any"],
    iface: true,
    passThrough: true,
    call: (a) => listOf(a[0], "find last", false).at(-1) ?? null,
  },
  mustLast: {
    params: ["any"],
    iface: true,
    passThrough: true,
    call: (a) => listOf(a[0], "find last", true).at(-1) ?? null,
  },
  rest: { params: ["any"], call: (a) => restOf(listOf(a[0], "find rest", false)) },
  mustRest: { params: ["any"], call: (a) => restOf(listOf(a[0], "find rest", true)) },
  initial: { params: ["any"], call: (a) => initialOf(listOf(a[0], "find initial", false)) },
  mustInitial: { params: ["any"], call: (a) => initialOf(listOf(a[0], "find initial", true)) },
  reverse: { params: ["any"], call: (a) => listOf(a[0], "find reverse", false).slice().reverse() },
  mustReverse: { params: ["any"], call: (a) => listOf(a[0], "find reverse", true).slice().reverse() },
  uniq: { params: ["any"], call: (a, ctx) => uniq(listOf(a[0], "find uniq", false), ctx.meter) },
  mustUniq: { params: ["any"], call: (a, ctx) => uniq(listOf(a[0], "find uniq", true), ctx.meter) },
  without: {
    params: ["any"],
    variadic: "any",
    call: (a, ctx) => listOf(a[0], "find without", false).filter((x) => !inList(a.slice(1), x, ctx.meter)),
  },
  mustWithout: {
    params: ["any"],
    variadic: "any",
    call: (a, ctx) => listOf(a[0], "find without", true).filter((x) => !inList(a.slice(1), x, ctx.meter)),
  },
  has: { params: ["any", "any"], call: (a, ctx) => hasItem(a[0], a[1], ctx.meter) },
  mustHas: { params: ["any", "any"], call: (a, ctx) => hasItem(a[0], a[1], ctx.meter) },
  slice: { params: ["any"], variadic: "any", iface: true, call: (a) => sliceList(a[0], a.slice(1), false) },
  mustSlice: { params: ["any"], variadic: "any", iface: true, call: (a) => sliceList(a[0], a.slice(1), true) },
  concat: {
    params: [],
    variadic: "any",
    iface: true,
    call: (a, ctx) => {
      const out: unknown[] = [];
      for (const l of a) {
        const k = kindOrPanic(l);
        const items = sliceItems(l);
        if (items === undefined) throw new FuncError(`Cannot concat type ${k} as list`);
        // The same list may be passed many times: check the size before copying.
        ctx.meter.fits((out.length + items.length) * SLOT_BYTES);
        for (const x of items) out.push(x);
      }
      return out.length === 0 ? new GoSlice("interface {}", [], true) : out;
    },
  },
  dig: { params: [], variadic: "any", iface: true, passThrough: true, call: (a) => dig(a) },
};

function setKey(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

function wrapJson(f: () => string): string {
  try {
    return f();
  } catch (e) {
    return jsonErr(e);
  }
}

function restOf(items: unknown[]): unknown {
  if (items.length === 0) return new GoSlice("interface {}", [], true);
  return items.slice(1);
}
function initialOf(items: unknown[]): unknown {
  if (items.length === 0) return new GoSlice("interface {}", [], true);
  return items.slice(0, -1);
}
/** Sprig `uniq` (quadratic, as in Sprig: every comparison is metered, so the deadline stops it). */
function uniq(items: unknown[], meter: Meter): unknown[] {
  const out: unknown[] = [];
  for (const x of items) if (!inList(out, x, meter)) out.push(x);
  return out;
}
function hasItem(needle: unknown, haystack: unknown, meter: Meter): boolean {
  if (haystack === null || haystack === undefined) return false;
  const items = sliceItems(haystack);
  if (items === undefined) throw new FuncError(`Cannot find has on type ${kindName(haystack)}`);
  return items.some((x) => deepEqual(needle, x, meter));
}

void GoVersion;
