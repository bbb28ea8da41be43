/**
 * Storage-ref protection: values hydrated from storage are swapped for inert placeholders
 * (`__bubu_storage_ref_skip_<i>__`) before templating and put back afterwards, so stored data
 * is never evaluated (as the Go SDK protects them).
 *
 * Paths are RFC 6901 JSON Pointers (`/items/0/body`; `~1` is `/`, `~0` is `~`). A segment
 * addresses an array element when the container is an array, an object key otherwise.
 * @module
 */
import { isObject } from "./values.ts";

/** The placeholder for the i-th protected value. */
export function storageRefPlaceholder(i: number): string {
  return `__bubu_storage_ref_skip_${i}__`;
}

/** Builds a JSON Pointer from path segments (`["a", 0, "b/c"]` → `/a/0/b~1c`). */
export function toJsonPointer(segments: readonly (string | number)[]): string {
  return segments.map((s) => `/${String(s).replaceAll("~", "~0").replaceAll("/", "~1")}`).join("");
}

/** Splits a JSON Pointer; throws on a pointer that does not start with `/` (except ""). */
export function parseJsonPointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw new TypeError(`protected path ${JSON.stringify(pointer)} is not a JSON Pointer`);
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"));
}

function arrayIndex(seg: string, len: number): number | undefined {
  if (!/^(0|[1-9]\d*)$/.test(seg)) return undefined;
  const i = Number(seg);
  return i < len ? i : undefined;
}

/** A value taken out of the payload, and where it was. */
export interface ProtectedValue {
  /** The JSON Pointer, split into segments. */
  readonly path: readonly string[];
  /** The original value. */
  readonly value: unknown;
}

/**
 * Returns a copy of `root` where every protected path holds its placeholder (containers on the
 * way are copied; the caller's value is not modified), and the extracted values.
 */
export function extractProtected(
  root: Record<string, unknown>,
  pointers: readonly string[],
): { value: Record<string, unknown>; extracted: ProtectedValue[] } {
  if (pointers.length === 0) return { value: root, extracted: [] };
  const copy = shallowCopy(root) as Record<string, unknown>;
  const extracted: ProtectedValue[] = [];
  pointers.forEach((pointer, idx) => {
    const path = parseJsonPointer(pointer);
    if (path.length === 0) return;
    let parent: unknown = copy;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i]!;
      const last = i === path.length - 1;
      if (Array.isArray(parent)) {
        const k = arrayIndex(seg, parent.length);
        if (k === undefined) return;
        if (last) {
          extracted.push({ path, value: parent[k] });
          parent[k] = storageRefPlaceholder(idx);
          return;
        }
        parent[k] = shallowCopy(parent[k]);
        parent = parent[k];
      } else if (isObject(parent)) {
        if (!Object.prototype.hasOwnProperty.call(parent, seg)) return;
        if (last) {
          extracted.push({ path, value: parent[seg] });
          parent[seg] = storageRefPlaceholder(idx);
          return;
        }
        parent[seg] = shallowCopy(parent[seg]);
        parent = parent[seg];
      } else return;
    }
  });
  return { value: copy, extracted };
}

/** Puts extracted values back where they were (paths that no longer exist are skipped). */
export function restoreProtected(root: unknown, extracted: readonly ProtectedValue[]): void {
  for (const { path, value } of extracted) {
    let parent: unknown = root;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i]!;
      const last = i === path.length - 1;
      if (Array.isArray(parent)) {
        const k = arrayIndex(seg, parent.length);
        if (k === undefined) break;
        if (last) parent[k] = value;
        else parent = parent[k];
      } else if (isObject(parent)) {
        if (!Object.prototype.hasOwnProperty.call(parent, seg)) break;
        if (last) parent[seg] = value;
        else parent = parent[seg];
      } else break;
    }
  }
}

function shallowCopy(v: unknown): unknown {
  if (Array.isArray(v)) return v.slice();
  if (isObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v))
      Object.defineProperty(out, k, { value: x, enumerable: true, writable: true, configurable: true });
    return out;
  }
  return v;
}
