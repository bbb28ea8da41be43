/**
 * RFC 7386 JSON merge-patch creation, with the semantics of `evanphx/json-patch`
 * `CreateMergePatch` (what controller-runtime's `client.MergeFrom` sends).
 * @module
 */
import { setEntry } from "../json/own-entry.ts";

/** A JSON object. */
export type JsonObject = Record<string, unknown>;

function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Deep equality of two JSON values (objects compared by keys, arrays by order). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => jsonEqual(item, b[i]));
  }
  if (isJsonObject(a)) {
    if (!isJsonObject(b)) return false;
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => k in b && jsonEqual(a[k], b[k]));
  }
  return false;
}

/**
 * The merge patch that turns `before` into `after`: added or changed members are set, removed
 * members become `null`, nested objects are diffed recursively, arrays and values of a changed
 * type are replaced whole. Returns `{}` when nothing changed.
 */
export function createMergePatch(before: JsonObject, after: JsonObject): JsonObject {
  const patch: JsonObject = {};
  // Own members only, and set as members: `__proto__` in an output is data, not a prototype.
  const own = (o: JsonObject, key: string): unknown => (Object.hasOwn(o, key) ? o[key] : undefined);
  for (const [key, bv] of Object.entries(after)) {
    if (bv === undefined) continue;
    const av = own(before, key);
    if (av === undefined) {
      setEntry(patch, key, bv);
    } else if (isJsonObject(av) && isJsonObject(bv)) {
      const nested = createMergePatch(av, bv);
      if (Object.keys(nested).length > 0) setEntry(patch, key, nested);
    } else if (!jsonEqual(av, bv)) {
      setEntry(patch, key, bv);
    }
  }
  for (const key of Object.keys(before)) {
    if (before[key] !== undefined && own(after, key) === undefined) setEntry(patch, key, null);
  }
  return patch;
}
