/**
 * Validating JSON values against EngramTemplate schemas with `@cfworker/json-schema` (no code
 * generation, so it runs on edge runtimes).
 *
 * Dialect: the Go SDK uses gojsonschema (draft-04/06/07). Schemas are validated as **draft-07**,
 * or draft-04 when their `$schema` names draft-04; draft-06 schemas validate as draft-07 (a
 * superset for every keyword draft-06 has). 2019-09/2020-12-only keywords are not supported by
 * the Go SDK either. Error texts differ from gojsonschema's (no consumer parses them); the
 * paths use gojsonschema's dotted form.
 * @module
 */
import { type OutputUnit, type Schema, type SchemaDraft, Validator } from "@cfworker/json-schema";
import { isJsonObject, type JsonSchema, jsonClone } from "./json-schema.ts";
import { normalizeSchema, SchemaNormalizationError } from "./normalize.ts";

/** The JSON Schema draft used unless the schema's `$schema` names draft-04. */
export const DEFAULT_SCHEMA_DRAFT = "7" as const;

/** One reason a value does not match a schema. */
export interface SchemaValidationIssue {
  /** Dotted path of the failing value (`items.0.name`); `""` is the root. */
  readonly path: string;
  /** The same location as a JSON Pointer (`/items/0/name`; `""` is the root). */
  readonly pointer: string;
  /** The JSON Schema keyword that failed (`type`, `required`, `anyOf`, …). */
  readonly keyword: string;
  /** What is wrong. */
  readonly message: string;
}

/** The outcome of a validation: valid, or the issues in document order. */
export type SchemaValidationResult =
  | { readonly valid: true }
  | { readonly valid: false; readonly errors: readonly SchemaValidationIssue[] };

/** Options of {@link compileSchema} and {@link validateAgainstSchema}. */
export interface SchemaValidationOptions {
  /** Names the schema in errors: `EngramTemplate <name> inputs`. */
  readonly label?: string;
  /** Apply {@link normalizeSchema} first (default `true`; the Go SDK always does). */
  readonly normalize?: boolean;
}

/** A validator for one compiled schema. `undefined` is validated as JSON `null`. */
export type SchemaValidatorFn = (value: unknown) => SchemaValidationResult;

/**
 * The schema itself is unusable (external `$ref`, unresolvable `$ref`, invalid pattern, …).
 * The message is `error validating against <label> schema: …` (the Go SDK's wording).
 */
export class SchemaCompileError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SchemaCompileError";
  }
}

/**
 * Normalizes and compiles `schema` once; the returned function validates values against it.
 * Throws {@link SchemaCompileError} for a bad schema, and `TypeError` (from the returned
 * function) for a value JSON cannot represent (BigInt, cycles).
 */
export function compileSchema(schema: unknown, options: SchemaValidationOptions = {}): SchemaValidatorFn {
  const prefix = `error validating against ${options.label ?? "JSON"} schema: `;
  let prepared: JsonSchema;
  try {
    prepared = options.normalize === false ? (jsonClone(schema) as JsonSchema) : normalizeSchema(schema);
  } catch (err) {
    const reason = err instanceof SchemaNormalizationError ? "failed to normalize schema: " : "";
    throw new SchemaCompileError(`${prefix}${reason}${messageOf(err)}`, { cause: err });
  }
  if (typeof prepared !== "boolean" && !isJsonObject(prepared)) {
    throw new SchemaCompileError(`${prefix}schema must be a JSON object or a boolean`);
  }
  let validator: Validator;
  try {
    validator = new Validator(prepared as Schema | boolean, draftOf(prepared), false);
  } catch (err) {
    throw new SchemaCompileError(`${prefix}${messageOf(err)}`, { cause: err });
  }
  return (value) => {
    // Validate what goes over the wire: `undefined` members dropped, `toJSON` applied.
    const instance = jsonClone(value) ?? null;
    let units: OutputUnit[];
    try {
      const result = validator.validate(instance);
      if (result.valid) return { valid: true };
      units = result.errors;
    } catch (err) {
      // cfworker resolves `$ref`s and compiles patterns lazily; the Go SDK fails at load time.
      throw new SchemaCompileError(`${prefix}${messageOf(err)}`, { cause: err });
    }
    return { valid: false, errors: issuesFrom(units) };
  };
}

/**
 * Validates `value` against `schema` (normalized first unless `normalize: false`).
 * @example
 * const r = validateAgainstSchema({ n: "x" }, { type: "object", properties: { n: { type: "number" } } });
 * // r.valid === false; r.errors[0].path === "n"
 */
export function validateAgainstSchema(
  value: unknown,
  schema: unknown,
  options: SchemaValidationOptions = {},
): SchemaValidationResult {
  return compileSchema(schema, options)(value);
}

/** One issue as text, gojsonschema style: `items.0.name: <message>`, `(root): <message>`. */
export function formatSchemaIssue(issue: SchemaValidationIssue): string {
  return `${issue.path === "" ? "(root)" : issue.path}: ${issue.message}`;
}

const DRAFT_04 = /^https?:\/\/json-schema\.org\/draft-04\/schema#?$/;

function draftOf(schema: JsonSchema): SchemaDraft {
  if (isJsonObject(schema) && typeof schema.$schema === "string" && DRAFT_04.test(schema.$schema.trim())) return "4";
  return DEFAULT_SCHEMA_DRAFT;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

// Keywords whose unit only says "a subschema failed"; the units after it carry the reason.
const WRAPPERS: ReadonlySet<string> = new Set([
  "properties",
  "patternProperties",
  "items",
  "additionalItems",
  "unevaluatedItems",
  "unevaluatedProperties",
  "$ref",
  "$recursiveRef",
  "allOf",
  "then",
  "else",
]);

// `dependencies` is a leaf in its array form and a wrapper in its schema form.
const DEPENDANT_SCHEMA_WRAPPER = /does not match dependant schema\.$/;

// Keywords whose own unit is the reason; the branch failures after it are noise.
const SUMMARIES: ReadonlySet<string> = new Set(["anyOf", "oneOf", "contains", "propertyNames"]);

const REQUIRED_MESSAGE = /^Instance does not have required property "([\s\S]*)"\.$/;

/** Turns cfworker's output units (with `shortCircuit: false`) into leaf issues. */
function issuesFrom(units: readonly OutputUnit[]): SchemaValidationIssue[] {
  const issues: SchemaValidationIssue[] = [];
  const seen = new Set<string>();
  const add = (segments: string[], keyword: string, message: string): void => {
    const pointer = segments.map((s) => `/${s.replaceAll("~", "~0").replaceAll("/", "~1")}`).join("");
    const key = `${pointer}\u0000${message}`;
    if (seen.has(key)) return;
    seen.add(key);
    issues.push({ path: segments.join("."), pointer, keyword, message });
  };
  let skip: { prefix: string; instance: string } | undefined;
  for (let i = 0; i < units.length; i++) {
    const unit = units[i];
    if (skip !== undefined) {
      // cfworker reports a `false` subschema with its instance location as keyword location.
      const child =
        unit.keywordLocation.startsWith(skip.prefix) ||
        (unit.keyword === "false" && unit.instanceLocation.startsWith(skip.instance));
      if (child) continue;
      skip = undefined;
    }
    const segments = segmentsOf(unit.instanceLocation);
    if (WRAPPERS.has(unit.keyword)) continue;
    if (
      (unit.keyword === "dependencies" || unit.keyword === "dependentSchemas") &&
      DEPENDANT_SCHEMA_WRAPPER.test(unit.error)
    ) {
      continue;
    }
    if (SUMMARIES.has(unit.keyword)) {
      add(segments, unit.keyword, unit.error);
      skip = { prefix: `${unit.keywordLocation}/`, instance: unit.instanceLocation };
      continue;
    }
    if (unit.keyword === "additionalProperties") {
      const next = units[i + 1];
      if (next !== undefined && next.keyword === "false") {
        const at = segmentsOf(next.instanceLocation);
        add(at, "additionalProperties", `Additional property ${JSON.stringify(at[at.length - 1])} is not allowed.`);
        i++;
      }
      continue;
    }
    if (unit.keyword === "required") {
      const missing = REQUIRED_MESSAGE.exec(unit.error);
      if (missing !== null) {
        add([...segments, missing[1]], "required", `Required property ${JSON.stringify(missing[1])} is missing.`);
        continue;
      }
    }
    add(segments, unit.keyword, unit.keyword === "false" ? "No value is allowed here (false schema)." : unit.error);
  }
  return issues;
}

// "#/a/b%20c/0" → ["a", "b c", "0"] (cfworker percent-encodes pointer segments).
function segmentsOf(location: string): string[] {
  const pointer = location.startsWith("#") ? location.slice(1) : location;
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => safeDecode(s).replaceAll("~1", "/").replaceAll("~0", "~"));
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
