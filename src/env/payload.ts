/**
 * The payload variables: `BUBU_TRIGGER_DATA`, `BUBU_STEP_CONFIG`, `BUBU_TEMPLATE_CONTEXT`,
 * `BUBU_TRANSPORTS`, the `BUBU_CONFIG_<KEY>` overrides and the `BUBU_SECRET_<NAME>` descriptors
 * (read as the Go SDK reads them).
 * @module
 */

import { JsonPayloadError, parseJsonPayload } from "../json/json-payload.ts";
import { setEntry } from "../json/own-entry.ts";
import { EnvError } from "./errors.ts";
import { trimSpace } from "./go-text.ts";
import { ENV } from "./names.ts";
import { SecretDescriptors } from "./redacted.ts";
import type { EnvReader } from "./source.ts";

/** A JSON object as decoded from env. */
export type JsonObject = Record<string, unknown>;

/** Typed transport metadata (`TransportConfig`). Empty fields are omitted. */
export interface TransportConfig {
  readonly transportRef?: string;
  readonly modeReason?: string;
}

/** One story transport (`TransportDescriptor`). `mode` is always set (default `hot`). */
export interface TransportDescriptor {
  readonly name: string;
  readonly kind: string;
  readonly mode: "hot" | "fallback";
  readonly typedConfig?: TransportConfig;
}

/**
 * Parses a JSON env value. Whitespace-only (or unset) is absent. Invalid JSON, a value nested
 * deeper than `MAX_JSON_DEPTH` (1000) and a number outside float64 (`1e999`) are an
 * {@link EnvError} naming the variable and the position or path, never the value's text.
 *
 * @remarks The Go SDK also refuses `1e999`; it accepts nesting up to 10 000 levels.
 */
export function parseJsonEnv(variable: string, raw: string | undefined): unknown {
  if (raw === undefined || trimSpace(raw) === "") return undefined;
  try {
    return parseJsonPayload(raw);
  } catch (cause) {
    if (cause instanceof JsonPayloadError) throw EnvError.of(variable, cause.message);
    throw cause;
  }
}

/**
 * A JSON-object variable (`BUBU_TRIGGER_DATA`, `BUBU_STEP_CONFIG`, `BUBU_TEMPLATE_CONTEXT`).
 * Absent, blank and JSON `null` give `undefined` (the Go SDK's nil map); any other
 * non-object is an {@link EnvError}.
 */
export function parseJsonObjectEnv(variable: string, raw: string | undefined): JsonObject | undefined {
  const value = parseJsonEnv(variable, raw);
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) {
    throw EnvError.of(variable, `expected a JSON object, got ${jsonKind(value)}`);
  }
  return value;
}

/**
 * `BUBU_TRANSPORTS`: a JSON array of descriptors. Absent, blank, `null` and `[]` give `[]`.
 * `name` and `kind` (trimmed) are required and names must be unique; `mode` (trimmed) defaults to
 * `hot` and must be `hot` or `fallback`; `typedConfig` (else `typed_config`) is read with the
 * aliases `transport_ref` and `mode_reason`, and dropped when both fields are empty. Fields of the
 * wrong JSON type count as missing (as in the Go SDK).
 */
export function parseTransports(raw: string | undefined): TransportDescriptor[] {
  const variable = ENV.TRANSPORTS;
  const value = parseJsonEnv(variable, raw);
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw EnvError.of(variable, `expected a JSON array, got ${jsonKind(value)}`);
  const out: TransportDescriptor[] = [];
  const seen = new Set<string>();
  value.forEach((entry: unknown, i) => {
    const at = `${variable}[${i}]`;
    if (entry !== null && !isPlainObject(entry)) {
      throw new EnvError([{ variable, message: `${at}: expected a JSON object, got ${jsonKind(entry)}` }]);
    }
    const fields: JsonObject = entry ?? {};
    const name = stringField(fields, "name");
    const kind = stringField(fields, "kind");
    const mode = stringField(fields, "mode");
    if (name === "") throw new EnvError([{ variable, message: `${at}: name is required` }]);
    if (kind === "") throw new EnvError([{ variable, message: `${at}: kind is required` }]);
    if (seen.has(name)) {
      throw new EnvError([{ variable, message: `${at}: duplicate transport name ${JSON.stringify(name)}` }]);
    }
    seen.add(name);
    if (mode !== "" && mode !== "hot" && mode !== "fallback") {
      throw new EnvError([{ variable, message: `${at}: mode ${JSON.stringify(mode)} must be hot or fallback` }]);
    }
    const typedConfig = parseTypedConfig(fields);
    out.push({ name, kind, mode: mode === "" ? "hot" : mode, ...(typedConfig ? { typedConfig } : {}) });
  });
  return out;
}

function parseTypedConfig(entry: JsonObject): TransportConfig | undefined {
  // `typed_config` counts only when `typedConfig` is absent, not when it is malformed (as in Go).
  const raw = Object.hasOwn(entry, "typedConfig") ? entry.typedConfig : entry.typed_config;
  if (!isPlainObject(raw)) return undefined;
  const transportRef = aliasedString(raw, "transportRef", "transport_ref");
  const modeReason = aliasedString(raw, "modeReason", "mode_reason");
  if (transportRef === "" && modeReason === "") return undefined;
  return { ...(transportRef ? { transportRef } : {}), ...(modeReason ? { modeReason } : {}) };
}

/** The first of `primary`/`alias` that holds a string (trimmed); non-strings are skipped. */
function aliasedString(fields: JsonObject, primary: string, alias: string): string {
  const a = fields[primary];
  if (typeof a === "string") return trimSpace(a);
  const b = fields[alias];
  return typeof b === "string" ? trimSpace(b) : "";
}

function stringField(fields: JsonObject, key: string): string {
  const v = Object.hasOwn(fields, key) ? fields[key] : undefined;
  return typeof v === "string" ? trimSpace(v) : "";
}

/**
 * Config variables that share the `BUBU_CONFIG_` prefix but are SDK tunables. The Go SDK copies
 * them into the engram config too (a bug: with strict decoding they break config types that lack
 * those fields). We keep them out of the config map (docs/go-differences.md).
 */
const CONFIG_PREFIX_TUNABLES: ReadonlySet<string> = new Set([
  ENV.CONFIG_HYDRATION_MAX_DEPTH,
  ENV.CONFIG_HYDRATION_MAX_NODES,
]);

/**
 * The `BUBU_CONFIG_<KEY>` overrides as `{ "<KEY>": value }`: the key keeps its case, the value is
 * the raw string, an empty `<KEY>` is ignored, and `BUBU_CONFIG_HYDRATION_MAX_DEPTH`/`_MAX_NODES`
 * are excluded (see above). Needs a map source to enumerate names.
 */
export function collectConfigOverrides(reader: EnvReader): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of [...reader.names()].sort()) {
    if (!name.startsWith(ENV.CONFIG_PREFIX) || CONFIG_PREFIX_TUNABLES.has(name)) continue;
    const key = name.slice(ENV.CONFIG_PREFIX.length);
    const value = reader.get(name);
    if (key === "" || value === undefined) continue;
    setEntry(out, key, value);
  }
  return out;
}

/**
 * The effective config: `BUBU_STEP_CONFIG` (or `{}`) with the overrides applied on top, as
 * `LoadExecutionContextData` does. Returns a new object.
 */
export function mergeConfig(base: JsonObject | undefined, overrides: Readonly<Record<string, string>>): JsonObject {
  const out: JsonObject = {};
  if (base) for (const [k, v] of Object.entries(base)) setEntry(out, k, v);
  for (const [k, v] of Object.entries(overrides)) setEntry(out, k, v);
  return out;
}

/**
 * The `BUBU_SECRET_<NAME>` descriptors as a plain `{ "<NAME>": descriptor }` map, for code that
 * expands them; never log the result (use {@link collectSecrets} for a redacting holder).
 * Skipped as the Go SDK skips them: empty `<NAME>`, names ending in `_NAME` (the operator's
 * `BUBU_SECRET_<L>_NAME` Secret names) and names containing `__`. Kept for wire compatibility:
 * a logical secret really called `DB_NAME` is therefore invisible.
 */
export function collectSecretDescriptors(reader: EnvReader): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of [...reader.names()].sort()) {
    if (!name.startsWith(ENV.SECRET_PREFIX)) continue;
    const key = name.slice(ENV.SECRET_PREFIX.length);
    if (key === "" || key.endsWith("_NAME") || key.includes("__")) continue;
    const value = reader.get(name);
    if (value !== undefined) setEntry(out, key, value);
  }
  return out;
}

/** {@link collectSecretDescriptors} in a {@link SecretDescriptors} holder that never prints values. */
export function collectSecrets(reader: EnvReader): SecretDescriptors {
  return new SecretDescriptors(Object.entries(collectSecretDescriptors(reader)));
}

function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function jsonKind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  switch (typeof value) {
    case "string":
      return "a string";
    case "number":
      return "a number";
    case "boolean":
      return "a boolean";
    default:
      return "an object";
  }
}
