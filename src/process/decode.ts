/**
 * Decoding config, inputs and output through the engram's valibot schemas.
 * @module
 */
import { type BaseIssue, type GenericSchema, getDotPath, getGlobalMessage, safeParse } from "valibot";
import { BubuError } from "../errors/bubu-error.ts";
import { setEntry } from "../json/own-entry.ts";

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
 *
 * Messages never quote a string from the payload (valibot's default messages do: `received
 * "…"`); they say `received a string` instead. Keys valibot drops from maps it keeps
 * (`__proto__`, `constructor`, `prototype` in `looseObject`, `objectWithRest` and `record`) are
 * put back as ordinary members.
 *
 * @remarks Go decodes such keys into its maps like any other key.
 */
export function decodePayload(
  kind: PayloadKind,
  schema: GenericSchema | undefined,
  value: unknown,
  strict: boolean,
): unknown {
  if (!schema) return value;
  const issues: SchemaIssue[] = [];
  if (strict) collectUnknownKeys(schema, value, [], issues);
  const parsed = safeParse(schema, value, parseConfig());
  if (!parsed.success) {
    for (const issue of parsed.issues) issues.push({ path: getDotPath(issue) ?? "", message: issue.message });
  } else {
    restoreReservedKeys(schema, value, parsed.output, [], issues);
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
    const child = Object.hasOwn(s.entries, key) ? s.entries[key] : undefined;
    if (!child) out.push({ path: [...path, key].join("."), message: `unknown key "${key}" (strict decoding is on)` });
    else collectUnknownKeys(child, (value as Record<string, unknown>)[key], [...path, key], out);
  }
}

/** Our default message, unless the author installed a global one (theirs is their choice). */
function parseConfig(): { message?: (issue: BaseIssue<unknown>) => string } {
  return getGlobalMessage() === undefined ? { message: redactedMessage } : {};
}

/** valibot's default text with a quoted input string replaced by `a string`. */
function redactedMessage(issue: BaseIssue<unknown>): string {
  const quoted = typeof issue.input === "string" && issue.received === `"${issue.input}"`;
  if (!quoted || !issue.message.endsWith(issue.received)) return issue.message;
  return `${issue.message.slice(0, issue.message.length - issue.received.length)}a string`;
}

const RESERVED_KEYS = ["__proto__", "constructor", "prototype"] as const;

interface SchemaLike extends ObjectLike {
  readonly rest?: GenericSchema;
  readonly key?: GenericSchema;
  readonly value?: GenericSchema;
  readonly getter?: (input: unknown) => GenericSchema;
  readonly pipe?: readonly { readonly kind: string }[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Walks `schema` over the input and valibot's output together and restores reserved keys that
 * valibot skipped in maps that keep unknown keys. Unions, variants, intersections and transformed
 * shapes are not followed (their output need not mirror the input).
 */
function restoreReservedKeys(
  schema: GenericSchema,
  input: unknown,
  output: unknown,
  path: string[],
  out: SchemaIssue[],
): void {
  const s = schema as unknown as SchemaLike;
  if (s.pipe?.some((item) => item.kind === "transformation")) return;
  if (s.getter) return restoreReservedKeys(s.getter(input), input, output, path, out);
  if (s.wrapped) {
    if (input !== undefined && input !== null) restoreReservedKeys(s.wrapped, input, output, path, out);
    return;
  }
  if (s.type === "array" && s.item && Array.isArray(input) && Array.isArray(output) && input.length === output.length) {
    for (let i = 0; i < input.length; i++) restoreReservedKeys(s.item, input[i], output[i], [...path, String(i)], out);
    return;
  }
  if (!isRecord(input) || !isRecord(output) || !Object.isExtensible(output)) return;
  const mapLike = s.type === "loose_object" || s.type === "object_with_rest" || s.type === "record";
  if (s.entries) {
    for (const key of Object.keys(s.entries)) {
      if (Object.hasOwn(input, key) && Object.hasOwn(output, key)) {
        restoreReservedKeys(s.entries[key]!, input[key], output[key], [...path, key], out);
      }
    }
  }
  if (!mapLike) return;
  for (const key of RESERVED_KEYS) {
    if (!Object.hasOwn(input, key) || Object.hasOwn(output, key) || (s.entries && Object.hasOwn(s.entries, key)))
      continue;
    const at = [...path, key];
    const valueSchema = s.type === "loose_object" ? undefined : s.type === "record" ? s.value : s.rest;
    if (s.type === "record" && s.key && !checkPart(s.key, key, at, out)) continue;
    if (!valueSchema) {
      setEntry(output, key, input[key]);
      continue;
    }
    const parsed = safeParse(valueSchema, input[key], parseConfig());
    if (!parsed.success) {
      for (const issue of parsed.issues) out.push({ path: joinPath(at, getDotPath(issue)), message: issue.message });
      continue;
    }
    restoreReservedKeys(valueSchema, input[key], parsed.output, at, out);
    setEntry(output, key, parsed.output);
  }
}

/** Validates a record key; false (with issues) when the key schema refuses it. */
function checkPart(schema: GenericSchema, key: string, at: string[], out: SchemaIssue[]): boolean {
  const parsed = safeParse(schema, key, parseConfig());
  if (parsed.success) return true;
  for (const issue of parsed.issues) out.push({ path: at.join("."), message: issue.message });
  return false;
}

function joinPath(at: string[], inner: string | null): string {
  return inner ? [...at, inner].join(".") : at.join(".");
}
