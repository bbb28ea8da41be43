/**
 * The alternatives that the `x-bubu-allow-runtime-refs` and `x-bubu-allow-template-strings`
 * keywords add to a schema during {@link normalizeSchema}.
 * @module
 */
import type { JsonSchemaObject } from "./json-schema.ts";

/** Keyword that lets a value also be a storage, ConfigMap or Secret reference. */
export const ALLOW_RUNTIME_REFS_KEYWORD = "x-bubu-allow-runtime-refs";

/** Keyword that lets a value also be a `{{ … }}` template string. */
export const ALLOW_TEMPLATE_STRINGS_KEYWORD = "x-bubu-allow-template-strings";

/** The pattern of the template-string alternative (Go RE2 and ECMAScript read it the same way). */
export const TEMPLATE_STRING_PATTERN = "^\\s*\\$?\\{\\{[\\s\\S]+\\}\\}\\s*$";

/** The five keys of a storage reference object; only `$bubuStorageRef` is required. */
export const STORAGE_REF_KEYS: readonly string[] = Object.freeze([
  "$bubuStorageRef",
  "$bubuStoragePath",
  "$bubuStorageContentType",
  "$bubuStorageSchema",
  "$bubuStorageSchemaVersion",
]);

/** `{"$bubuStorageRef": "…", …}`: all keys strings, nothing else allowed. */
export function storageRefSchema(): JsonSchemaObject {
  const properties: JsonSchemaObject = {};
  for (const key of STORAGE_REF_KEYS) properties[key] = { type: "string" };
  return { type: "object", additionalProperties: false, properties, required: ["$bubuStorageRef"] };
}

/** `{"$bubuConfigMapRef": "name:key" | {name, key, namespace?, format?}}`. */
export function configMapRefSchema(): JsonSchemaObject {
  return objectRefSchema("$bubuConfigMapRef");
}

/** `{"$bubuSecretRef": "name:key" | {name, key, namespace?, format?}}`. */
export function secretRefSchema(): JsonSchemaObject {
  return objectRefSchema("$bubuSecretRef");
}

/** A string that is one `{{ … }}` (or `${{ … }}`) template, surrounding space allowed. */
export function templateStringSchema(): JsonSchemaObject {
  return { type: "string", pattern: TEMPLATE_STRING_PATTERN };
}

function objectRefSchema(key: string): JsonSchemaObject {
  const target = {
    type: "object",
    additionalProperties: false,
    properties: {
      name: { type: "string" },
      key: { type: "string" },
      namespace: { type: "string" },
      format: { type: "string", enum: ["auto", "json", "raw"] },
    },
    required: ["name", "key"],
  };
  return {
    type: "object",
    additionalProperties: false,
    properties: { [key]: { anyOf: [{ type: "string" }, target] } },
    required: [key],
  };
}
