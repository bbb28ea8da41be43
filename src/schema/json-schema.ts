/**
 * The JSON Schema value types shared by the schema module.
 * @module
 */

/** A JSON Schema object: keyword → value. Values are plain JSON. */
export interface JsonSchemaObject {
  [keyword: string]: unknown;
}

/** A JSON Schema: an object, or `true`/`false` (draft-06+ boolean schemas). */
export type JsonSchema = JsonSchemaObject | boolean;

/** True for a plain JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is JsonSchemaObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A deep copy through JSON text, as the Go SDK sees the value after a JSON round trip
 * (`undefined` members dropped, `toJSON` applied). Throws `TypeError` for values JSON cannot
 * hold (BigInt, cycles) and returns `undefined` for a top-level `undefined` or function.
 */
export function jsonClone(value: unknown): unknown {
  const text = JSON.stringify(value);
  return text === undefined ? undefined : JSON.parse(text);
}
