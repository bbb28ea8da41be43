/**
 * Decoding config, inputs and output through the engram's valibot schemas.
 * @module
 */
import { getDotPath, safeParse, type GenericSchema } from "valibot";
import { BubuError } from "../errors/bubu-error.ts";

/** Which payload is being decoded; appears in error messages. */
export type PayloadKind = "config" | "inputs" | "output";

/** One schema violation. `path` is dotted (`items.0.name`), empty for the root. */
export interface SchemaIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * Parses `value` with `schema` (identity when there is none). Failures throw a
 * `validation_error` whose message and `details.path` name the first bad field.
 * With `strict` (`BUBU_RUNTIME_STRICT_UNMARSHAL`), unknown object keys are errors too,
 * as mapstructure's `ErrorUnused`.
 */
export function decodePayload(kind: PayloadKind, schema: GenericSchema | undefined, value: unknown, strict: boolean): unknown {
  if (!schema) return value;
  const issues: SchemaIssue[] = [];
  if (strict) collectUnknownKeys(schema, value, [], issues);
  const parsed = safeParse(schema, value);
  if (!parsed.success) {
    for (const issue of parsed.issues) issues.push({ path: getDotPath(issue) ?? "", message: issue.message });
  }
  if (issues.length === 0 && parsed.success) return parsed.output;
  const first = issues[0];
  const where = first.path === "" ? "" : ` at ${first.path}`;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
  return fail(kind, `${kind} validation failed${where}: ${first.message}${more}`, issues);
}

function fail(kind: PayloadKind, message: string, issues: SchemaIssue[]): never {
  throw new BubuError("validation_error", message, {
    retryable: false,
    details: { payload: kind, path: issues[0].path, issues: issues.slice(0, 20) },
  });
}

interface ObjectLike {
  readonly type: string;
  readonly entries?: Readonly<Record<string, GenericSchema>>;
  readonly wrapped?: GenericSchema;
  readonly item?: GenericSchema;
}

function collectUnknownKeys(schema: GenericSchema, value: unknown, path: string[], out: SchemaIssue[]): void {
  const s = schema as unknown as ObjectLike;
  if (s.wrapped && value !== undefined && value !== null) return collectUnknownKeys(s.wrapped, value, path, out);
  if (s.type === "array" && s.item && Array.isArray(value)) {
    value.forEach((v, i) => collectUnknownKeys(s.item as GenericSchema, v, [...path, String(i)], out));
    return;
  }
  // Only plain `object` schemas: `looseObject`/`objectWithRest` accept extra keys by design.
  if (s.type !== "object" || !s.entries || typeof value !== "object" || value === null || Array.isArray(value)) return;
  for (const key of Object.keys(value)) {
    const child = s.entries[key];
    if (!child) out.push({ path: [...path, key].join("."), message: `unknown key "${key}" (strict decoding is on)` });
    else collectUnknownKeys(child, (value as Record<string, unknown>)[key], [...path, key], out);
  }
}
