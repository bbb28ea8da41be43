/**
 * The `$bubuStorageRef` object: keys, the recognition rules (the Go SDK has several, for
 * different walks, and each is kept), path validation and the storage id of a step run.
 * @module
 */
import { cleanPath, joinPath } from "./go-path.ts";

/** Required key: the object's path in the bucket or file store. */
export const STORAGE_REF_KEY = "$bubuStorageRef";
/** Optional selector inside the stored value (`items[0].title`, `rows[*].id`). */
export const STORAGE_PATH_KEY = "$bubuStoragePath";
/** Optional MIME type of the stored value. */
export const STORAGE_CONTENT_TYPE_KEY = "$bubuStorageContentType";
/** Optional schema id. */
export const STORAGE_SCHEMA_KEY = "$bubuStorageSchema";
/** Optional schema version. */
export const STORAGE_SCHEMA_VERSION_KEY = "$bubuStorageSchemaVersion";

const ALLOWED_KEYS: ReadonlySet<string> = new Set([
  STORAGE_REF_KEY,
  STORAGE_PATH_KEY,
  STORAGE_CONTENT_TYPE_KEY,
  STORAGE_SCHEMA_KEY,
  STORAGE_SCHEMA_VERSION_KEY,
]);

/** The wire shape of a storage reference. */
export interface StorageRef {
  readonly $bubuStorageRef: string;
  readonly $bubuStoragePath?: string;
  readonly $bubuStorageContentType?: string;
  readonly $bubuStorageSchema?: string;
  readonly $bubuStorageSchemaVersion?: string;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * The hydration rule (`storageRefSelector`): a string `$bubuStorageRef`, a string
 * `$bubuStoragePath` if present, and no key outside the five. Returns the path and selector
 * (`""` when none), or `undefined` for an ordinary value.
 */
export function storageRefSelector(value: unknown): { ref: string; path: string } | undefined {
  if (!isPlainObject(value)) return undefined;
  const ref = value[STORAGE_REF_KEY];
  if (typeof ref !== "string") return undefined;
  const path = value[STORAGE_PATH_KEY];
  if (path !== undefined && typeof path !== "string") return undefined;
  for (const key of Object.keys(value)) if (!ALLOWED_KEYS.has(key)) return undefined;
  return { ref, path: path ?? "" };
}

/** True when `value` is a storage reference by the hydration rule. */
export function isStorageRef(value: unknown): value is StorageRef {
  return storageRefSelector(value) !== undefined;
}

/**
 * Whether a ref (only allowed keys, a string path) is anywhere inside `value`, looking no deeper
 * than `maxDepth` (false past it).
 */
export function containsStorageRef(value: unknown, maxDepth: number, depth = 0): boolean {
  if (depth > maxDepth) return false;
  if (Array.isArray(value)) return value.some((item) => containsStorageRef(item, maxDepth, depth + 1));
  if (!isPlainObject(value)) return false;
  if (STORAGE_REF_KEY in value && Object.keys(value).every((k) => ALLOWED_KEYS.has(k))) {
    return typeof value[STORAGE_REF_KEY] === "string";
  }
  return Object.values(value).some((v) => containsStorageRef(v, maxDepth, depth + 1));
}

/** Escapes one JSON Pointer segment (RFC 6901). */
/** One JSON Pointer (RFC 6901) segment: `~` → `~0`, `/` → `~1`. */
export function jsonPointerSegment(key: string): string {
  return key.replaceAll("~", "~0").replaceAll("/", "~1");
}

/**
 * The paths templating must skip: every map that has the key `$bubuStorageRef` (any value, any
 * other keys) counts and is not descended into. Paths are JSON Pointers (RFC 6901) from the root,
 * e.g. `/docs/0/body`; the root itself is never listed.
 */
export function findStorageRefPaths(root: Record<string, unknown>): string[] {
  const out: string[] = [];
  const walk = (v: unknown, path: string): void => {
    if (Array.isArray(v)) {
      v.forEach((item, i) => walk(item, `${path}/${i}`));
    } else if (isPlainObject(v)) {
      if (STORAGE_REF_KEY in v) {
        out.push(path);
        return;
      }
      for (const [k, child] of Object.entries(v)) walk(child, `${path}/${jsonPointerSegment(k)}`);
    }
  };
  for (const [k, child] of Object.entries(root)) walk(child, `/${jsonPointerSegment(k)}`);
  return out;
}

/**
 * Checks a ref's path: no empty path, no absolute path, no `..` segment (after `\` becomes `/`),
 * and a cleaned path that stays inside the root. Throws an `Error` with the Go SDK's text.
 */
export function validateStorageRef(refPath: string): void {
  if (refPath === "") throw new Error("storage reference path is empty");
  const slashed = refPath.replaceAll("\\", "/");
  if (slashed.startsWith("/") || /^[A-Za-z]:\//.test(slashed)) {
    throw new Error(`invalid storage reference: absolute paths not allowed (got '${refPath}')`);
  }
  const cleaned = cleanPath(slashed);
  if (cleaned === ".." || cleaned.startsWith("../")) {
    throw new Error(
      `invalid storage reference: path traversal detected (got '${refPath}', normalized to '${cleaned}')`,
    );
  }
  if (slashed.split("/").includes("..")) {
    throw new Error(`invalid storage reference: path traversal detected (got '${refPath}')`);
  }
}

/** The storage id `<ns>/<id>`, or `""` when either (trimmed) part is empty. */
export function namespacedKey(namespace: string, id: string): string {
  const ns = namespace.trim();
  const key = id.trim();
  if (ns === "" || key === "") return "";
  return joinPath(ns, key);
}
