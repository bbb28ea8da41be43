/**
 * How template functions are declared: Go parameter types (for the argument checks and error
 * texts of `text/template`) and an implementation over the value model.
 * @module
 */
import type { Meter } from "./budget.ts";
import type { GoLocation } from "./values.ts";

/** Go parameter types that the allow-listed functions use. */
export type ParamType = "any" | "value" | "string" | "int" | "int64" | "float64" | "bool" | "time" | "map";

/** Go type names of {@link ParamType}, as they appear in error messages. */
export const PARAM_TYPE_NAME: Readonly<Record<ParamType, string>> = {
  any: "interface {}",
  value: "reflect.Value",
  string: "string",
  int: "int",
  int64: "int64",
  float64: "float64",
  bool: "bool",
  time: "time.Time",
  map: "map[string]interface {}",
};

/** What a function call may use besides its arguments. */
export interface CallContext {
  /** IANA zone of Go's `Local`. */
  readonly localZone: string;
  /** Wall clock, Unix nanoseconds. */
  now(): bigint;
  /** Random bytes (crypto-quality). */
  randomBytes(n: number): Uint8Array;
  /** Local location object. */
  readonly local: GoLocation;
  /** The evaluation's budget: value size, memory and work (see `budget.ts`). */
  readonly meter: Meter;
}

/** A template function. */
export interface GoFunc {
  readonly params: readonly ParamType[];
  /** Element type of a trailing variadic parameter. */
  readonly variadic?: ParamType;
  /** Declared result type is `interface {}` (a nil result is a nil interface). */
  readonly iface?: boolean;
  /**
   * The result is (part of) an argument rather than a new value (`index`, `default`), so it is
   * not counted against the memory budget.
   */
  readonly passThrough?: boolean;
  /** Built-in with special evaluation (`and`, `or`, `call`). */
  readonly special?: "and" | "or" | "call";
  /** Returns the result; throws {@link FuncError} for Go errors and panics. */
  call(args: unknown[], ctx: CallContext): unknown;
}

/** An error returned (or a panic raised) by a template function; the text is Go's. */
export class FuncError extends Error {
  override readonly name: string = "FuncError";
  /** The original error, when it is a BubuStack error kept for `instanceof` checks. */
  readonly inner: unknown;
  constructor(message: string, inner?: unknown) {
    super(message);
    this.inner = inner;
  }
}

/** The function table. */
export type FuncMap = ReadonlyMap<string, GoFunc>;
