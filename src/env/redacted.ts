/**
 * Holders for secret-bearing env values that never print them: `toString`, `toJSON` and the
 * Node/Bun/Deno inspectors all show `[REDACTED]`. Reading the value is an explicit call.
 * @module
 */

import { installInspectHook } from "./inspect-hook.ts";

const REDACTED = "[REDACTED]";

/** One secret string (for example `BUBU_S3_SECRET_ACCESS_KEY`). */
export class SecretString {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  /** The plaintext. Call only where the value is used, never to log it. */
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return REDACTED;
  }
  toJSON(): string {
    return REDACTED;
  }
}

/**
 * The raw `BUBU_SECRET_<NAME>` descriptors (`file:<path>`, `env:<PREFIX>` or a literal), keyed by
 * `<NAME>`. Descriptor expansion is the secrets module's job; this only holds them safely.
 */
export class SecretDescriptors {
  readonly #values: ReadonlyMap<string, string>;
  constructor(values: Iterable<readonly [string, string]>) {
    this.#values = new Map(values);
  }
  /** The descriptor for logical secret `name`, if present. */
  get(name: string): string | undefined {
    return this.#values.get(name);
  }
  has(name: string): boolean {
    return this.#values.has(name);
  }
  /** Logical names, sorted. Names are not secret. */
  names(): string[] {
    return [...this.#values.keys()].sort();
  }
  get size(): number {
    return this.#values.size;
  }
  /** A plain copy of every descriptor. Call only where they are used, never to log them. */
  reveal(): Record<string, string> {
    return Object.fromEntries(this.#values);
  }
  toString(): string {
    return `SecretDescriptors(${this.names().join(", ")})`;
  }
  /** Keys with redacted values, so `JSON.stringify(env)` is safe. */
  toJSON(): Record<string, string> {
    return Object.fromEntries(this.names().map((k) => [k, REDACTED]));
  }
}

installInspectHook(SecretString.prototype, () => `SecretString(${REDACTED})`);
installInspectHook(SecretDescriptors.prototype, function (this: SecretDescriptors): string {
  return this.toString();
});
