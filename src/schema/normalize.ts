/**
 * `normalizeSchema`: what happens to an EngramTemplate schema before validation, as the Go SDK
 * does it.
 * @module
 */
import { goQuote, goTrimSpace } from "./go-text.ts";
import { isJsonObject, type JsonSchema, type JsonSchemaObject, jsonClone } from "./json-schema.ts";
import {
  ALLOW_RUNTIME_REFS_KEYWORD,
  ALLOW_TEMPLATE_STRINGS_KEYWORD,
  configMapRefSchema,
  secretRefSchema,
  storageRefSchema,
  TEMPLATE_STRING_PATTERN,
  templateStringSchema,
} from "./runtime-refs.ts";

/** A schema that cannot be normalized (an external `$ref`, or not JSON Schema at all). */
export class SchemaNormalizationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SchemaNormalizationError";
  }
}

interface Allowances {
  readonly runtimeRefs: boolean;
  readonly templateStrings: boolean;
}

const NONE: Allowances = { runtimeRefs: false, templateStrings: false };

/**
 * Returns a normalized deep copy of `schema` (the input is not modified):
 * 1. any `$ref` whose trimmed value does not start with `#` is rejected
 *    (`external schema reference "<ref>" is not allowed`), wherever it appears;
 * 2. a boolean `required` on a property schema is removed and, when `true`, the property name
 *    is added to the parent's `required` array;
 * 3. `x-bubu-allow-runtime-refs: true` widens a schema with the storage/ConfigMap/Secret
 *    reference shapes, and `x-bubu-allow-template-strings: true` with a `{{ … }}` string. A
 *    keyword applies to its node and everything below (a nested `false` switches it off),
 *    except `oneOf` branches: there the alternatives are added once, to the `oneOf` itself.
 *
 * Throws {@link SchemaNormalizationError}; the root must be a JSON object or a boolean.
 *
 * @remarks The Go SDK's `normalizeSchemaBytes`.
 */
export function normalizeSchema(schema: unknown): JsonSchema {
  let copy: unknown;
  try {
    copy = jsonClone(schema);
  } catch (err) {
    throw new SchemaNormalizationError(`schema is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (typeof copy === "boolean") return copy;
  if (!isJsonObject(copy)) {
    throw new SchemaNormalizationError(`schema must be a JSON object or a boolean, not ${describe(copy)}`);
  }
  rejectExternalRefs(copy);
  return normalizeNode(copy, NONE) as JsonSchema;
}

function describe(value: unknown): string {
  if (value === undefined) return "undefined";
  if (value === null) return "null";
  return Array.isArray(value) ? "an array" : `a ${typeof value}`;
}

// Walks every value, not only schema positions (a `$ref` key inside `default` counts too).
function rejectExternalRefs(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) rejectExternalRefs(item);
    return;
  }
  if (!isJsonObject(node)) return;
  for (const [key, value] of Object.entries(node)) {
    if (key === "$ref" && typeof value === "string") {
      const ref = goTrimSpace(value);
      if (ref !== "" && !ref.startsWith("#")) {
        throw new SchemaNormalizationError(`external schema reference ${goQuote(ref)} is not allowed`);
      }
    }
    rejectExternalRefs(value);
  }
}

function normalizeNode(node: unknown, inherited: Allowances): unknown {
  if (Array.isArray(node)) return node.map((item) => normalizeNode(item, inherited));
  if (!isJsonObject(node)) return node;
  const allow = ownAllowances(node, inherited);
  normalizeProperties(node, allow);
  normalizeLocations(node, allow);
  return addAlternatives(node, allow);
}

// Only a boolean keyword value counts; anything else keeps what the parent passed down.
function ownAllowances(node: JsonSchemaObject, inherited: Allowances): Allowances {
  const refs = node[ALLOW_RUNTIME_REFS_KEYWORD];
  const templates = node[ALLOW_TEMPLATE_STRINGS_KEYWORD];
  return {
    runtimeRefs: typeof refs === "boolean" ? refs : inherited.runtimeRefs,
    templateStrings: typeof templates === "boolean" ? templates : inherited.templateStrings,
  };
}

function normalizeProperties(node: JsonSchemaObject, allow: Allowances): void {
  const properties = node.properties;
  if (!isJsonObject(properties)) return;
  const lifted: string[] = [];
  for (const [name, child] of Object.entries(properties)) {
    if (isJsonObject(child) && typeof child.required === "boolean") {
      if (child.required) lifted.push(name);
      delete child.required;
    }
    setOwn(properties, name, normalizeNode(child, allow));
  }
  if (lifted.length === 0) return;
  // A non-array `required` is dropped (the Go SDK ignores it).
  const existing = Array.isArray(node.required)
    ? node.required.filter((name): name is string => typeof name === "string")
    : [];
  for (const name of lifted) if (!existing.includes(name)) existing.push(name);
  node.required = existing;
}

function normalizeLocations(node: JsonSchemaObject, allow: Allowances): void {
  if (isJsonObject(node.items) || Array.isArray(node.items)) node.items = normalizeNode(node.items, allow);
  normalizeSingle(node, "additionalProperties", allow);
  normalizeMap(node, "patternProperties", allow);
  normalizeList(node, "allOf", allow);
  normalizeList(node, "anyOf", allow);
  // oneOf must stay exclusive: its branches are not widened; the oneOf node itself is.
  normalizeList(node, "oneOf", NONE);
  normalizeMap(node, "definitions", allow);
  normalizeMap(node, "$defs", allow);
  normalizeSingle(node, "not", allow);
}

function normalizeSingle(node: JsonSchemaObject, key: string, allow: Allowances): void {
  if (isJsonObject(node[key])) node[key] = normalizeNode(node[key], allow);
}

function normalizeMap(node: JsonSchemaObject, key: string, allow: Allowances): void {
  const map = node[key];
  if (!isJsonObject(map)) return;
  for (const [name, child] of Object.entries(map)) setOwn(map, name, normalizeNode(child, allow));
}

function normalizeList(node: JsonSchemaObject, key: string, allow: Allowances): void {
  const list = node[key];
  if (Array.isArray(list)) node[key] = list.map((child) => normalizeNode(child, allow));
}

function runtimeRefSchemas(): JsonSchemaObject[] {
  return [storageRefSchema(), configMapRefSchema(), secretRefSchema()];
}

function addAlternatives(node: JsonSchemaObject, allow: Allowances): JsonSchemaObject {
  if (Object.keys(node).length === 0) return node;
  if (!allow.runtimeRefs && !allow.templateStrings) return node;
  if (isRefSchema(node)) return node;
  for (const key of ["anyOf", "oneOf"]) {
    const list = node[key];
    if (!Array.isArray(list)) continue;
    // Existing alternatives (possibly added to a branch already) are not added twice.
    if (allow.runtimeRefs && !list.some((alt) => hasAlternative(alt, isRefSchema))) list.push(...runtimeRefSchemas());
    if (allow.templateStrings && !list.some((alt) => hasAlternative(alt, isTemplateStringSchema))) {
      list.push(templateStringSchema());
    }
    return node;
  }
  const alternatives: JsonSchemaObject[] = [node];
  if (allow.runtimeRefs) alternatives.push(...runtimeRefSchemas());
  if (allow.templateStrings) alternatives.push(templateStringSchema());
  const wrapped: JsonSchemaObject = { anyOf: alternatives };
  if (Object.hasOwn(node, "title")) wrapped.title = node.title;
  if (Object.hasOwn(node, "description")) wrapped.description = node.description;
  return wrapped;
}

function hasAlternative(candidate: unknown, test: (schema: JsonSchemaObject) => boolean): boolean {
  if (!isJsonObject(candidate)) return false;
  if (test(candidate)) return true;
  for (const key of ["anyOf", "oneOf", "allOf"]) {
    const list = candidate[key];
    if (Array.isArray(list) && list.some((child) => hasAlternative(child, test))) return true;
  }
  return false;
}

function isRefSchema(schema: JsonSchemaObject): boolean {
  const properties = schema.properties;
  if (!isJsonObject(properties)) return false;
  return (
    Object.hasOwn(properties, "$bubuStorageRef") ||
    Object.hasOwn(properties, "$bubuConfigMapRef") ||
    Object.hasOwn(properties, "$bubuSecretRef")
  );
}

// Plain assignment to a key named "__proto__" would replace the prototype instead.
function setOwn(target: JsonSchemaObject, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function isTemplateStringSchema(schema: JsonSchemaObject): boolean {
  return schema.type === "string" && schema.pattern === TEMPLATE_STRING_PATTERN;
}
