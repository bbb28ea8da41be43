/**
 * The process-wide set of secret values that must never reach a log line, a span attribute or a
 * metric label. The logger, the SDK tracer wrapper and every SDK metric helper pass their text
 * through {@link redactText} / {@link redactValue}; the batch and streaming entry points register
 * the engram's secrets once they are expanded.
 * @module
 */

/** What a secret value is replaced with. */
export const REDACTED: string = "[REDACTED]";

/**
 * Values shorter than this are not scrubbed: replacing every `"1"` or `"ab"` would destroy the
 * output without protecting anything a real credential needs.
 */
export const MIN_REDACTED_LENGTH = 4;

/** Registered values with a reference count (two registrations of the same value, one unregister). */
const registry = new Map<string, number>();
/** Longest first, so a secret that contains another is replaced whole. */
let ordered: string[] = [];

function rebuild(): void {
  ordered = [...registry.keys()].sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Registers secret values. Returns a function that unregisters exactly these registrations.
 * Values shorter than {@link MIN_REDACTED_LENGTH} are ignored.
 */
export function registerSecretValues(values: Iterable<string>): () => void {
  const added: string[] = [];
  for (const value of values) {
    if (typeof value !== "string" || value.length < MIN_REDACTED_LENGTH) continue;
    registry.set(value, (registry.get(value) ?? 0) + 1);
    added.push(value);
  }
  if (added.length > 0) rebuild();
  let done = false;
  return () => {
    if (done) return;
    done = true;
    for (const value of added) {
      const n = (registry.get(value) ?? 1) - 1;
      if (n <= 0) registry.delete(value);
      else registry.set(value, n);
    }
    rebuild();
  };
}

/** Something that can hand over its plaintext values, such as the engram's `Secrets`. */
export interface SecretSource {
  raw(): Readonly<Record<string, string>>;
}

/** Registers every value of `secrets` (for example the engram's `Secrets`). */
export function registerSecrets(secrets: SecretSource): () => void {
  return registerSecretValues(Object.values(secrets.raw()));
}

/** Forgets every registered value (tests). */
export function clearSecretValues(): void {
  registry.clear();
  ordered = [];
}

/** Whether any value is registered (lets hot paths skip the walk). */
export function hasSecretValues(): boolean {
  return ordered.length > 0;
}

/** `text` with every registered secret value replaced by {@link REDACTED}. */
export function redactText(text: string): string {
  if (ordered.length === 0 || text.length < MIN_REDACTED_LENGTH) return text;
  let out = text;
  for (const secret of ordered) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out;
}

/** Whether `text` contains a registered secret value. */
export function containsSecret(text: string): boolean {
  for (const secret of ordered) if (text.includes(secret)) return true;
  return false;
}

/**
 * A scalar made safe: strings are scrubbed; a number, bigint or boolean whose text contains a
 * secret (a numeric PIN, say) becomes {@link REDACTED}. Anything else is returned as is.
 */
export function redactScalar(value: unknown): unknown {
  if (ordered.length === 0) return value;
  switch (typeof value) {
    case "string":
      return redactText(value);
    case "number":
    case "bigint":
    case "boolean":
      return containsSecret(String(value)) ? REDACTED : value;
    default:
      return value;
  }
}

/**
 * A deep copy of a JSON-like value with secrets scrubbed from strings, numbers and object keys.
 * Objects with `toJSON` are converted first (as `JSON.stringify` would); cycles become
 * `"[Circular]"`.
 */
export function redactValue(value: unknown): unknown {
  if (ordered.length === 0) return value;
  return walk(value, new Set());
}

function walk(value: unknown, seen: Set<object>): unknown {
  if (value === null || typeof value !== "object") return redactScalar(value);
  const toJson = (value as { toJSON?: () => unknown }).toJSON;
  if (typeof toJson === "function") return walk(toJson.call(value), seen);
  if (seen.has(value)) return "[Circular]";
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => walk(item, seen));
    if (value instanceof Error) return { name: redactText(value.name), message: redactText(value.message) };
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[redactText(k)] = walk(v, seen);
    return out;
  } finally {
    seen.delete(value);
  }
}

/** OpenTelemetry-style attributes (`string | number | boolean` or arrays of them) scrubbed. */
export function redactAttributes<T extends Readonly<Record<string, unknown>> | undefined>(attributes: T): T {
  if (attributes === undefined || ordered.length === 0) return attributes;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(attributes)) {
    out[redactText(k)] = Array.isArray(v) ? v.map((item) => redactScalar(item)) : redactScalar(v);
  }
  return out as T;
}
