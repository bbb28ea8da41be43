/**
 * The resource budget of one evaluation. The evaluator is synchronous, so neither a timer nor
 * the output check after a function returns can stop a function that builds a huge value; the
 * budget is consulted while values are built instead:
 *
 * - a per-value limit: no single string, list or map may exceed `maxValueBytes` (estimated);
 *   functions whose result grows with a number or with repeated input check it before they
 *   allocate;
 * - a memory budget: the values built during the whole evaluation may not add up to more
 *   than `maxAllocBytes`, which bounds what variables and lists can keep alive;
 * - work accounting: long loops inside functions report their steps, and every few hundred
 *   steps the deadline (and cancellation) is checked, so the timeout interrupts them.
 *
 * Sizes are estimates: one byte per UTF-16 code unit of a string, {@link SLOT_BYTES} per list
 * element and {@link ENTRY_BYTES} per map entry (plus its key).
 * @module
 */
import { TemplateLimitError } from "./errors.ts";
import { GoMap, GoSlice, isObject } from "./values.ts";

/** Default per-value limit: twice the SDK's default 8 MiB input limit. */
export const DEFAULT_MAX_VALUE_BYTES: number = 16 * 1024 * 1024;
/** Default memory budget of one evaluation, in maximal values. */
export const DEFAULT_ALLOC_VALUES: number = 16;
/** Estimated bytes of one list element (a reference). */
export const SLOT_BYTES = 8;
/** Estimated bytes of one map entry besides its key. */
export const ENTRY_BYTES = 64;

const CHECK_EVERY = 256;

/** Limits of a {@link Meter}. */
export interface MeterLimits {
  /** Largest single value, in estimated bytes. */
  readonly maxValueBytes: number;
  /** Sum of all values built during the evaluation, in estimated bytes. */
  readonly maxAllocBytes: number;
}

/** Tracks allocation and work of one evaluation against its limits. */
export class Meter {
  readonly maxValueBytes: number;
  readonly maxAllocBytes: number;
  readonly #check: () => void;
  #allocated = 0;
  #work = 0;

  /** `check` throws when the evaluation must stop (deadline passed or canceled). */
  constructor(limits: MeterLimits, check: () => void = () => {}) {
    this.maxValueBytes = limits.maxValueBytes;
    this.maxAllocBytes = limits.maxAllocBytes;
    this.#check = check;
  }

  /** Throws when one value of `size` estimated bytes would exceed the per-value limit. */
  fits(size: number): void {
    if (size > this.maxValueBytes) {
      throw new TemplateLimitError(
        `template value exceeds max bytes (size=${size}, max=${this.maxValueBytes})`,
        "value_limit",
        size,
        this.maxValueBytes,
      );
    }
  }

  /** Accounts a value of `size` estimated bytes about to be built; throws over either limit. */
  alloc(size: number): void {
    this.fits(size);
    this.charge(size);
  }

  /**
   * Accounts `size` estimated bytes against the memory budget only, for memory that is not one
   * value's text (what decoding a JSON text builds).
   */
  charge(size: number): void {
    if (this.#allocated + size > this.maxAllocBytes) {
      throw new TemplateLimitError(
        `template evaluation exceeds max memory bytes (allocated=${this.#allocated}, allocating=${size}, max=${this.maxAllocBytes})`,
        "memory_limit",
        this.#allocated + size,
        this.maxAllocBytes,
      );
    }
    this.#allocated += size;
  }

  /** Accounts `units` steps of work; checks the deadline every {@link CHECK_EVERY} steps. */
  work(units = 1): void {
    this.#work += units;
    if (this.#work >= CHECK_EVERY) {
      this.#work = 0;
      this.#check();
    }
  }
}

/**
 * Estimated bytes of the top level of `v`: a string's length, a list's slots, a map's entries
 * and keys. Nested values are not counted: they were counted when they were built.
 */
export function shallowSize(v: unknown): number {
  if (typeof v === "string") return v.length;
  if (Array.isArray(v)) return v.length * SLOT_BYTES;
  if (v instanceof GoSlice) return v.items.length * SLOT_BYTES;
  let n = 0;
  if (v instanceof GoMap) for (const k of v.entries.keys()) n += ENTRY_BYTES + k.length;
  else if (isObject(v)) for (const k of Object.keys(v)) n += ENTRY_BYTES + k.length;
  return n;
}

/**
 * `s.length` plus `extra(c)` for each UTF-16 code unit `c`: the length of an escaped form of `s`
 * (or a bound on it), computed before escaping so that a string full of characters with long
 * escapes is refused before its escaped copy is built.
 */
export function escapedLength(s: string, extra: (c: number, s: string, i: number) => number): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) n += extra(s.charCodeAt(i), s, i);
  return n;
}

/** Text built piece by piece, held to the per-value limit as it grows. */
export class BoundedText {
  readonly #meter: Meter;
  readonly #parts: string[] = [];
  #size = 0;
  constructor(meter: Meter) {
    this.#meter = meter;
  }
  /** Length so far, in UTF-16 code units. */
  get size(): number {
    return this.#size;
  }
  add(s: string): void {
    this.#size += s.length;
    this.#meter.fits(this.#size);
    this.#parts.push(s);
  }
  text(): string {
    return this.#parts.join("");
  }
}
