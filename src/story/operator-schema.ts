/**
 * The operator's schema normalization: before validating StoryRun inputs, step inputs or the
 * Story output, every schema node (the root too) also accepts a storage reference, a
 * ConfigMap or Secret reference and a `{{ … }}` template string, so an offloaded value or a
 * template the SDK resolves later passes; `required: true` on a property is lifted to its
 * parent's `required` list.
 *
 * @remarks bobrapet v0.1.13 `internal/webhook/v1alpha1/validate_helpers.go`
 * `normalizeSchemaBytes` → `normalizeSchemaNode` / `allowStorageRefAlternative` /
 * `wrapWithAlternatives` (an existing `anyOf` gets the alternatives appended, anything else is
 * wrapped in `anyOf: [schema, refs…, template string]`; a node that already is a reference schema
 * is left alone). Unlike the Go SDK's normalization, which widens only under
 * `x-bubu-allow-runtime-refs`/`x-bubu-allow-template-strings`, this applies everywhere.
 * @module
 */
import {
  configMapRefSchema,
  secretRefSchema,
  storageRefSchema,
  TEMPLATE_STRING_PATTERN,
  templateStringSchema,
} from "../schema/runtime-refs.ts";
import type { JsonObject } from "./types.ts";

function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const REF_KEYS = ["$bubuStoragePath", "$bubuStorageContentType", "$bubuStorageSchema", "$bubuStorageSchemaVersion"];

function allowsAdditional(schema: JsonObject): boolean {
  if (!Object.hasOwn(schema, "additionalProperties")) return true;
  return typeof schema.additionalProperties === "boolean" ? schema.additionalProperties : false;
}

function isRefSchema(schema: JsonObject): boolean {
  const props = schema.properties;
  if (!isObject(props)) return false;
  if (Object.hasOwn(props, "$bubuConfigMapRef") || Object.hasOwn(props, "$bubuSecretRef")) return true;
  if (!Object.hasOwn(props, "$bubuStorageRef")) return false;
  return allowsAdditional(schema) || REF_KEYS.every((k) => Object.hasOwn(props, k));
}

function isTemplateString(schema: unknown): boolean {
  return isObject(schema) && schema.type === "string" && schema.pattern === TEMPLATE_STRING_PATTERN;
}

/** A normalized copy of `schema`. */
export function operatorNormalizeSchema(schema: unknown): unknown {
  return node(JSON.parse(JSON.stringify(schema ?? null)));
}

function node(n: unknown): unknown {
  if (Array.isArray(n)) return n.map(node);
  if (!isObject(n)) return n;
  liftRequired(n);
  nested(n);
  return withAlternatives(n);
}

function liftRequired(obj: JsonObject): void {
  const props = obj.properties;
  if (!isObject(props)) return;
  const lifted: string[] = [];
  for (const [name, raw] of Object.entries(props)) {
    if (isObject(raw) && typeof raw.required === "boolean") {
      if (raw.required) lifted.push(name);
      delete raw.required;
    }
    props[name] = node(raw);
  }
  if (lifted.length === 0) return;
  const existing = Array.isArray(obj.required) ? obj.required.filter((r): r is string => typeof r === "string") : [];
  obj.required = [...existing, ...lifted.filter((n) => !existing.includes(n))];
}

function nested(obj: JsonObject): void {
  if (isObject(obj.items) || Array.isArray(obj.items)) obj.items = node(obj.items);
  for (const key of [
    "additionalProperties",
    "additionalItems",
    "contains",
    "contentSchema",
    "if",
    "then",
    "else",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "not",
  ]) {
    if (isObject(obj[key])) obj[key] = node(obj[key]);
  }
  for (const key of ["patternProperties", "dependencies", "dependentSchemas", "definitions", "$defs"]) {
    const map = obj[key];
    if (isObject(map)) for (const k of Object.keys(map)) map[k] = node(map[k]);
  }
  for (const key of ["allOf", "anyOf", "oneOf", "prefixItems"]) {
    if (Array.isArray(obj[key])) obj[key] = (obj[key] as unknown[]).map(node);
  }
}

function withAlternatives(schema: JsonObject): unknown {
  if (Object.keys(schema).length === 0 || isRefSchema(schema)) return schema;
  if (Array.isArray(schema.anyOf)) {
    const anyOf = schema.anyOf as unknown[];
    if (!anyOf.some((s) => isObject(s) && isRefSchema(s)))
      anyOf.push(storageRefSchema(), configMapRefSchema(), secretRefSchema());
    if (!anyOf.some(isTemplateString)) anyOf.push(templateStringSchema());
    return schema;
  }
  const wrapped: JsonObject = {
    anyOf: [schema, storageRefSchema(), configMapRefSchema(), secretRefSchema(), templateStringSchema()],
  };
  if (Object.hasOwn(schema, "title")) wrapped.title = schema.title;
  if (Object.hasOwn(schema, "description")) wrapped.description = schema.description;
  return wrapped;
}
