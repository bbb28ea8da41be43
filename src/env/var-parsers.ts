/**
 * valibot building blocks: one schema per kind of env variable (duration, integer, flag, enum,
 * text). Each maps `string | undefined` to its parsed value or reports an issue whose message
 * starts with the variable name.
 *
 * Strictness (a deliberate difference from the Go SDK, which silently falls back to the default
 * for malformed or ≤0 values): a typo such as `BUBU_STEP_TIMEOUT=5x` would then run with 30m and
 * nobody would notice, so every duration and integer here rejects malformed and out-of-range
 * values with an error naming the variable. Unset or blank still means "use the default", and
 * every value the Go SDK accepts keeps its meaning.
 * @module
 */

import * as v from "valibot";
import { type Duration, durationFromNanos, GoDurationError, parseGoDuration } from "./duration.ts";
import { describeValue, EnvError } from "./errors.ts";
import { parseGoInt, trimSpace } from "./go-text.ts";

/** The schema of one variable: raw value in, parsed value out. */
export type VarSchema<T> = v.GenericSchema<string | undefined, T>;

/** Returned by a parser to reject the value; `detail` follows `<VARIABLE>: `. */
export class Invalid {
  readonly detail: string;
  constructor(detail: string) {
    this.detail = detail;
  }
}

/** Wraps a plain parser as a valibot schema for `name`. `EnvError`s thrown by the parser become issues. */
export function varSchema<T>(name: string, parse: (raw: string | undefined) => T | Invalid): VarSchema<T> {
  return v.pipe(
    v.optional(v.string(`${name}: expected a string`)),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      let result: T | Invalid;
      try {
        result = parse(dataset.value);
      } catch (error) {
        if (!(error instanceof EnvError)) throw error;
        for (const p of error.problems) addIssue({ message: p.message });
        return NEVER;
      }
      if (result instanceof Invalid) {
        addIssue({ message: `${name}: ${result.detail}` });
        return NEVER;
      }
      return result;
    }),
  );
}

/** Trimmed value, or `undefined` when unset or blank. */
export function present(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const t = trimSpace(raw);
  return t === "" ? undefined : t;
}

/** Options for {@link durationVar}. */
export interface DurationVarOptions {
  /** The default as a duration string (`30s`), or `undefined` for "no value". */
  readonly default?: string;
  /** Accept `0` (meaning "off"); negative values are still rejected. */
  readonly allowZero?: boolean;
}

/** A duration (`30s`, `1h30m`): malformed → error; ≤0 → error (or <0 with `allowZero`). */
export function durationVar(name: string, options: DurationVarOptions & { default: string }): VarSchema<Duration>;
export function durationVar(name: string, options?: DurationVarOptions): VarSchema<Duration | undefined>;
export function durationVar(name: string, options: DurationVarOptions = {}): VarSchema<Duration | undefined> {
  const fallback = options.default === undefined ? undefined : durationFromNanos(parseGoDuration(options.default));
  return varSchema(name, (raw) => {
    const value = present(raw);
    if (value === undefined) return fallback;
    let nanos: bigint;
    try {
      nanos = parseGoDuration(value);
    } catch (error) {
      if (!(error instanceof GoDurationError)) throw error;
      return new Invalid(`invalid Go duration ${describeValue(name, value)} (expected e.g. 30s, 5m, 1h30m)`);
    }
    if (nanos < 0n || (nanos === 0n && !options.allowZero)) {
      const need = options.allowZero ? "must not be negative" : "must be positive";
      return new Invalid(`duration ${need}, got ${describeValue(name, value)}`);
    }
    return durationFromNanos(nanos);
  });
}

/** Options for {@link intVar}. */
export interface IntVarOptions {
  readonly default?: number;
  /** Smallest accepted value (inclusive); omit for any integer. */
  readonly min?: number;
  /** Largest accepted value (inclusive). */
  readonly max?: number;
}

/** A decimal integer ({@link parseGoInt}) with a range check. */
export function intVar(name: string, options: IntVarOptions & { default: number }): VarSchema<number>;
export function intVar(name: string, options?: IntVarOptions): VarSchema<number | undefined>;
export function intVar(name: string, options: IntVarOptions = {}): VarSchema<number | undefined> {
  return varSchema(name, (raw) => {
    const value = present(raw);
    if (value === undefined) return options.default;
    return checkInt(name, value, options);
  });
}

/** Parses and range-checks one integer (shared with vars that post-process the value). */
export function checkInt(name: string, value: string, options: IntVarOptions): number | Invalid {
  const n = parseGoInt(value);
  if (n === "syntax")
    return new Invalid(`invalid integer ${describeValue(name, value)} (expected a whole number such as 10)`);
  if (n === "range") return new Invalid(`integer ${describeValue(name, value)} is out of range`);
  if (options.min !== undefined && n < options.min) {
    return new Invalid(
      `must be ${options.min === 1 ? "a positive integer" : `>= ${options.min}`}, got ${describeValue(name, value)}`,
    );
  }
  if (options.max !== undefined && n > options.max)
    return new Invalid(`must be <= ${options.max}, got ${describeValue(name, value)}`);
  return n;
}

/** Trimmed text; `undefined` (or `fallback`) when unset or blank. */
export function textVar(name: string, fallback: string): VarSchema<string>;
export function textVar(name: string): VarSchema<string | undefined>;
export function textVar(name: string, fallback?: string): VarSchema<string | undefined> {
  return varSchema(name, (raw) => present(raw) ?? fallback);
}

/**
 * One of a fixed set after trimming (and lower-casing when `lower`), mapped through `choices`.
 * Unset or blank gives `fallback`.
 */
export function choiceVar<T, F = undefined>(
  name: string,
  choices: Readonly<Record<string, T>>,
  options: { readonly lower?: boolean; readonly fallback?: F; readonly expected: string },
): VarSchema<T | F> {
  return varSchema<T | F>(name, (raw) => {
    let value = present(raw);
    if (value === undefined) return options.fallback as F;
    if (options.lower) value = value.toLowerCase();
    if (!Object.hasOwn(choices, value))
      return new Invalid(`unsupported value ${describeValue(name, value)} (expected ${options.expected})`);
    return choices[value];
  });
}

/** A custom parse of the raw value (flags, JSON, timestamps). */
export function customVar<T>(name: string, parse: (raw: string | undefined) => T | Invalid): VarSchema<T> {
  return varSchema(name, parse);
}
