/**
 * valibot → JSON Schema (draft-07) for EngramTemplate/ImpulseTemplate schemas, on top of
 * `@valibot/to-json-schema`, with errors that name the field that cannot be converted.
 * @module
 */
import {
  type ConversionConfig,
  toJsonSchema as convertValibot,
  type JsonSchema,
  type OverrideActionContext,
} from "@valibot/to-json-schema";
import type { GenericSchema } from "valibot";
import { isJsonObject, type JsonSchemaObject } from "./json-schema.ts";

/** The `$schema` URI of the emitted schemas. */
export const DRAFT_07_URI = "http://json-schema.org/draft-07/schema#";

/** Options of {@link toJsonSchema}. */
export interface ToJsonSchemaOptions {
  /** Names the root in error messages (`inputs.user.born`); default `schema`. */
  readonly label?: string;
  /**
   * Which side of transformations to describe: `input` (default; what the engram accepts:
   * conversion stops before the first transformation) or `output` (what the schema produces:
   * conversion starts at the last schema of a pipeline; use it for output schemas).
   */
  readonly typeMode?: "input" | "output";
  /** Keep `"$schema": "http://json-schema.org/draft-07/schema#"` at the root (default `true`). */
  readonly schemaUri?: boolean;
}

/** A valibot schema (or one of its parts) that JSON Schema cannot express. */
export class SchemaConversionError extends Error {
  /** Where in the valibot schema: `inputs.user.tags[*]`, `config (option 2)`, … (the first failure). */
  readonly path: string;
  /** The converter's reason (the first failure). */
  readonly reason: string;
  /** Every part that cannot be converted, in schema order, so one run names them all. */
  readonly failures: readonly { readonly path: string; readonly reason: string }[];
  constructor(path: string, reason: string, more: readonly { path: string; reason: string }[] = []) {
    const all = [{ path, reason }, ...more];
    super(
      all.length === 1
        ? `cannot convert ${path} to JSON Schema: ${reason}`
        : `cannot convert ${all.length} parts to JSON Schema: ${all.map((f) => `${f.path}: ${f.reason}`).join("; ")}`,
    );
    this.name = "SchemaConversionError";
    this.path = path;
    this.reason = reason;
    this.failures = all;
  }
}

/**
 * Converts a valibot schema to a draft-07 JSON Schema object for `inputSchema`, `outputSchema`,
 * `configSchema` or `contextSchema`. Definitions of recursive (`lazy`) schemas go to
 * `definitions` (draft-07's place, which gojsonschema resolves), empty `required` arrays are
 * dropped, and the result is plain JSON.
 *
 * Differences to keep in mind: JSON Schema counts string lengths in code points, valibot in
 * UTF-16 units; `email`/`url` become `format`s whose exact grammar differs per validator;
 * valibot's `object`/`record` accept arrays, JSON Schema's `type: object` does not.
 *
 * Throws {@link SchemaConversionError} naming the first field that cannot be converted
 * (`Date`, `bigint`, `Map`, transformations in `input` mode's path, RegExp flags, …).
 * @example
 * toJsonSchema(v.object({ name: v.string() }), { label: "inputs" })
 * // { $schema: "http://json-schema.org/draft-07/schema#", type: "object", properties: { name: { type: "string" } }, required: ["name"] }
 */
export function toJsonSchema(schema: GenericSchema, options: ToJsonSchemaOptions = {}): JsonSchemaObject {
  const label = options.label ?? "schema";
  const typeMode = options.typeMode ?? "input";
  let converted: JsonSchemaObject;
  try {
    converted = convertValibot(schema, converterOptions(typeMode)) as JsonSchemaObject;
  } catch (err) {
    const found = locateFailures(schema, label, typeMode, new Set());
    const [first, ...more] = found;
    throw new SchemaConversionError(first?.path ?? label, first?.reason ?? messageOf(err), more);
  }
  const out = toPlainJson(converted, label, "#") as JsonSchemaObject;
  if (isJsonObject(out.$defs)) {
    out.definitions = out.$defs;
    delete out.$defs;
  }
  if (options.schemaUri === false) delete out.$schema;
  else out.$schema = DRAFT_07_URI;
  return reorder(out);
}

/** The converter's settings, the same for a whole schema and for the parts a failure is looked for in. */
function converterOptions(typeMode: "input" | "output"): ConversionConfig {
  return { target: "draft-07", typeMode, errorMode: "throw", overrideAction: exactTimeFormats };
}

/**
 * valibot's `isoDateTime` (`YYYY-MM-DDTHH:mm`) and `isoTime` (`HH:mm`) take no seconds or offset,
 * while JSON Schema's `date-time` and `time` require both: the converter's formats would describe
 * values the engram refuses, and refuse the ones it takes. Their own regex says what they accept.
 * (`isoTimestamp` is RFC 3339, and stays `date-time`.)
 */
function exactTimeFormats(context: OverrideActionContext): JsonSchema | undefined {
  const action = context.valibotAction as { type: string; requirement?: unknown };
  if (action.type !== "iso_date_time" && action.type !== "iso_time") return undefined;
  if (!(action.requirement instanceof RegExp)) return undefined;
  const { format: _format, ...rest } = context.jsonSchema as JsonSchemaObject;
  if (typeof rest.pattern === "string") return undefined; // one pattern only: keep the converter's result
  return { ...rest, pattern: action.requirement.source } as JsonSchema;
}

// `$schema` first reads best in YAML; the converter appends it last.
function reorder(schema: JsonSchemaObject): JsonSchemaObject {
  if (!("$schema" in schema)) return schema;
  const { $schema, ...rest } = schema;
  return { $schema, ...rest };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function conversionFailure(schema: GenericSchema, typeMode: "input" | "output"): string | undefined {
  try {
    convertValibot(schema, converterOptions(typeMode));
    return undefined;
  } catch (err) {
    return messageOf(err);
  }
}

/**
 * Finds the deepest parts of `schema` that fail to convert on their own: descends into failing
 * children; a node whose children all convert is a culprit. A child that fails only because it
 * refers back to an ancestor (recursion) does not make its parent one.
 */
function locateFailures(
  schema: GenericSchema,
  path: string,
  typeMode: "input" | "output",
  visited: Set<unknown>,
): { path: string; reason: string }[] {
  visited.add(schema);
  let childFailed = false;
  const found: { path: string; reason: string }[] = [];
  for (const [child, childPath] of childrenOf(schema, path)) {
    if (conversionFailure(child, typeMode) === undefined) continue;
    childFailed = true;
    if (visited.has(child)) continue;
    found.push(...locateFailures(child, childPath, typeMode, visited));
  }
  if (childFailed) return found;
  const reason = conversionFailure(schema, typeMode);
  return reason === undefined ? [] : [{ path, reason }];
}

interface SchemaParts {
  readonly type?: string;
  readonly pipe?: readonly unknown[];
  readonly entries?: Readonly<Record<string, unknown>>;
  readonly rest?: unknown;
  readonly item?: unknown;
  readonly items?: readonly unknown[];
  readonly key?: unknown;
  readonly value?: unknown;
  readonly wrapped?: unknown;
  readonly options?: readonly unknown[];
  readonly getter?: (input: unknown) => unknown;
}

function isValibotSchema(value: unknown): value is GenericSchema {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "schema";
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function childrenOf(schema: GenericSchema, path: string): Array<[GenericSchema, string]> {
  const parts = schema as unknown as SchemaParts;
  const out: Array<[unknown, string]> = [];
  if (Array.isArray(parts.pipe)) for (const item of parts.pipe) if (item !== schema) out.push([item, path]);
  if (parts.entries !== undefined) {
    for (const [key, entry] of Object.entries(parts.entries)) {
      out.push([entry, IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`]);
    }
  }
  if (parts.item !== undefined) out.push([parts.item, `${path}[*]`]);
  if (Array.isArray(parts.items)) parts.items.forEach((item, i) => out.push([item, `${path}[${i}]`]));
  if (parts.rest !== undefined) out.push([parts.rest, Array.isArray(parts.items) ? `${path}[*]` : `${path}.*`]);
  if (parts.type === "record") {
    out.push([parts.key, `${path} (record key)`]);
    out.push([parts.value, `${path}.*`]);
  }
  if (parts.wrapped !== undefined) out.push([parts.wrapped, path]);
  if (Array.isArray(parts.options))
    parts.options.forEach((option, i) => out.push([option, `${path} (option ${i + 1})`]));
  if (parts.type === "lazy" && typeof parts.getter === "function") {
    try {
      out.push([parts.getter(undefined), path]);
    } catch {
      // A getter that needs a real input cannot be inspected; the node itself is reported.
    }
  }
  return out.filter((entry): entry is [GenericSchema, string] => isValibotSchema(entry[0]));
}

/**
 * A deep copy that is plain JSON, with empty `required` arrays removed (draft-04 readers
 * reject them) and `#/$defs/` references moved to `#/definitions/`. Non-JSON values (a
 * function or BigInt `default`, NaN, a Date) are errors naming the JSON Schema location.
 */
function toPlainJson(value: unknown, label: string, at: string): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      if (Number.isFinite(value)) return value;
      break;
    case "object":
      if (value === null) return null;
      if (Array.isArray(value)) return value.map((item, i) => toPlainJson(item, label, `${at}/${i}`));
      if (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null) {
        const out: JsonSchemaObject = {};
        for (const [key, member] of Object.entries(value)) {
          if (member === undefined) continue;
          if (key === "required" && Array.isArray(member) && member.length === 0) continue;
          let copy = toPlainJson(member, label, `${at}/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`);
          if (key === "$ref" && typeof copy === "string" && copy.startsWith("#/$defs/")) {
            copy = `#/definitions/${copy.slice("#/$defs/".length)}`;
          }
          Object.defineProperty(out, key, { value: copy, enumerable: true, writable: true, configurable: true });
        }
        return out;
      }
      break;
    default:
      break;
  }
  const what = value instanceof Date ? "a Date" : typeof value === "number" ? String(value) : `a ${typeof value}`;
  throw new SchemaConversionError(label, `the JSON Schema value at ${at} is ${what}, which is not JSON`);
}
