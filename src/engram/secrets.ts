/**
 * `Secrets`: the engram's secret values, redacted everywhere they could be printed.
 * @module
 */

import { installInspectHook } from "../env/inspect-hook.ts";
import { BubuError } from "../errors/bubu-error.ts";

/** What every printed or serialized form of a {@link Secrets} shows. */
export const REDACTED_SECRETS = "[redacted secrets]";
/** The value {@link Secrets.getAll} puts in place of each secret. */
export const REDACTED_VALUE = "[REDACTED]";

/** Orders strings by code point, which is the byte order of their UTF-8. */
export function compareCodePoints(a: string, b: string): number {
  const left = a[Symbol.iterator]();
  const right = b[Symbol.iterator]();
  for (;;) {
    const l = left.next();
    const r = right.next();
    if (l.done || r.done) return l.done && r.done ? 0 : l.done ? -1 : 1;
    const diff = (l.value.codePointAt(0) ?? 0) - (r.value.codePointAt(0) ?? 0);
    if (diff !== 0) return diff;
  }
}

/** Thrown by {@link Secrets.require}; names the key, never a value. */
export class MissingSecretError extends BubuError {
  /** The key that was required. */
  readonly key: string;

  /**
   * `why` adds what is missing where (never a value), in parentheses: after `"API_KEY":` the
   * redaction rules for persisted messages would take the next word for the key's value.
   */
  constructor(key: string, why?: string) {
    super(
      "initialization_error",
      `missing required secret ${JSON.stringify(key)}${why === undefined ? "" : ` (${why})`}`,
      {
        retryable: false,
        details: { key },
      },
    );
    this.name = "MissingSecretError";
    this.key = key;
  }
}

/**
 * The secrets mapped to this step. Values live in a private field: `JSON.stringify`, `String()`,
 * template literals, `console.log` (Node, Bun, Deno), `Object.keys`, spreading and
 * `structuredClone` never show them. Read values explicitly with {@link Secrets.get},
 * {@link Secrets.require}, {@link Secrets.select} or {@link Secrets.raw}.
 */
export class Secrets {
  readonly #values: Map<string, string>;

  /** Copies `entries` (a record or `[key, value]` pairs). */
  constructor(entries: Iterable<readonly [string, string]> | Readonly<Record<string, string>> = []) {
    const pairs = isIterable(entries) ? entries : Object.entries(entries);
    this.#values = new Map();
    for (const [key, value] of pairs) this.#values.set(key, value);
  }

  /** The plaintext value of `key`, or `undefined`. */
  get(key: string): string | undefined {
    return this.#values.get(key);
  }

  /** Whether `key` exists. */
  has(key: string): boolean {
    return this.#values.has(key);
  }

  /** The plaintext value of `key`; throws {@link MissingSecretError} when it is absent. */
  require(key: string): string {
    const value = this.#values.get(key);
    if (value === undefined) throw new MissingSecretError(key);
    return value;
  }

  /**
   * Every key mapped to `"[REDACTED]"`; use {@link select} for values.
   *
   * @remarks Like the Go SDK's `GetAll`.
   */
  getAll(): Record<string, string> {
    return Object.fromEntries(this.names().map((key) => [key, REDACTED_VALUE]));
  }

  /** The keys, sorted. */
  names(): string[] {
    return [...this.#values.keys()].sort(compareCodePoints);
  }

  /** How many secrets there are. */
  get size(): number {
    return this.#values.size;
  }

  /** A plaintext copy of the requested keys; missing keys are left out. */
  select(...keys: string[]): Record<string, string> {
    const selected: [string, string][] = [];
    for (const key of keys) {
      const value = this.#values.get(key);
      if (value !== undefined) selected.push([key, value]);
    }
    return Object.fromEntries(selected);
  }

  /** A plaintext copy of all secrets. An explicit opt-in: the result is not redacted. */
  raw(): Record<string, string> {
    return Object.fromEntries(this.names().map((key) => [key, this.#values.get(key) as string]));
  }

  /** `"[redacted secrets]"`. */
  toString(): string {
    return REDACTED_SECRETS;
  }

  /**
   * `"[redacted secrets]"`. A string rather than the redacted key map, because key names (file
   * names, env suffixes) can themselves be sensitive and logs should not depend on them; use
   * {@link names} to log keys deliberately.
   */
  toJSON(): string {
    return REDACTED_SECRETS;
  }

  /** Template literals, `+` and other coercions. */
  [Symbol.toPrimitive](): string {
    return REDACTED_SECRETS;
  }
}

installInspectHook(Secrets.prototype, () => REDACTED_SECRETS);

function isIterable(value: unknown): value is Iterable<readonly [string, string]> {
  return typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === "function";
}
