/**
 * The two JSON merges the operator applies to a step's input: the Engram's `with` under the
 * step's `with`, and JSON Schema `default`s for missing properties.
 *
 * @remarks bobrapet v0.1.13 `pkg/kubeutil/merge.go` `MergeWithBlocks` (objects merge key by key,
 * anything else, `null` included, replaces) and `pkg/runs/inputs/defaults.go`
 * `ApplySchemaDefaults` (`properties.*.default` for absent keys, recursing into present objects
 * and into `allOf`, creating a missing object only when its schema has defaults below; depth 32).
 * @module
 */
import type { JsonObject } from "./types.ts";

function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A deep copy of a JSON value. */
export function cloneJson<T>(v: T): T {
  return v === undefined ? v : JSON.parse(JSON.stringify(v));
}

/** `MergeWithBlocks(engramWith, stepWith)`: undefined when both are absent. */
export function mergeWith(base: JsonObject | undefined, overlay: JsonObject | undefined): JsonObject | undefined {
  if (base === undefined) return overlay === undefined ? undefined : cloneJson(overlay);
  if (overlay === undefined) return cloneJson(base);
  return deepMerge(base, overlay);
}

function deepMerge(base: JsonObject, overlay: JsonObject): JsonObject {
  const out: JsonObject = cloneJson(base);
  for (const [k, v] of Object.entries(overlay)) {
    const existing = Object.hasOwn(out, k) ? out[k] : undefined;
    out[k] = isObject(existing) && isObject(v) ? deepMerge(existing, v) : cloneJson(v);
  }
  return out;
}

const MAX_DEFAULT_DEPTH = 32;

/** `ApplySchemaDefaults`: a copy of `input` with the schema's defaults filled in. */
export function applySchemaDefaults(schema: unknown, input: JsonObject | undefined): JsonObject {
  const out: JsonObject = cloneJson(input ?? {});
  if (isObject(schema)) applyToObject(schema, out, 0);
  return out;
}

function applyToObject(schema: JsonObject, obj: JsonObject, depth: number): boolean {
  if (depth > MAX_DEFAULT_DEPTH) return false;
  let changed = false;
  if (Array.isArray(schema.allOf)) {
    for (const sub of schema.allOf) if (isObject(sub) && applyToObject(sub, obj, depth + 1)) changed = true;
  }
  if (!isObject(schema.properties)) return changed;
  for (const [key, prop] of Object.entries(schema.properties)) {
    if (!isObject(prop)) continue;
    if (!Object.hasOwn(obj, key)) {
      if (Object.hasOwn(prop, "default")) {
        obj[key] = cloneJson(prop.default);
        changed = true;
        continue;
      }
      if (hasPropertyDefaults(prop, depth + 1)) {
        const child: JsonObject = {};
        if (applyToObject(prop, child, depth + 1)) {
          obj[key] = child;
          changed = true;
        }
      }
      continue;
    }
    const present = obj[key];
    if (isObject(present) && applyToObject(prop, present, depth + 1)) changed = true;
  }
  return changed;
}

function hasPropertyDefaults(schema: JsonObject, depth: number): boolean {
  if (depth > MAX_DEFAULT_DEPTH) return false;
  if (schema.type !== undefined && schema.type !== "object") return false;
  if (Array.isArray(schema.allOf) && schema.allOf.some((s) => isObject(s) && hasPropertyDefaults(s, depth + 1)))
    return true;
  if (!isObject(schema.properties)) return false;
  return Object.values(schema.properties).some(
    (p) => isObject(p) && (Object.hasOwn(p, "default") || hasPropertyDefaults(p, depth + 1)),
  );
}
