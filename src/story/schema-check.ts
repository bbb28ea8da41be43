/**
 * JSON Schema checks the operator makes on StoryRun inputs, step inputs and the Story output,
 * with its message shape (`object is invalid against <label> schema: [<issue> <issue>]`).
 *
 * @remarks bobrapet v0.1.13 `internal/webhook/v1alpha1/validate_helpers.go`
 * `validateJSONAgainstSchema` (gojsonschema; ours is the SDK's validator, so the issue texts
 * differ while the labels, the paths and the outcome match).
 * @module
 */
import { compileSchema, formatSchemaIssue } from "../schema/validate.ts";

/** The operator's error text for `value` against `schema`, or undefined when it is valid. */
export function schemaError(value: unknown, schema: unknown, label: string): string | undefined {
  if (schema === undefined || schema === null) return undefined;
  let result;
  try {
    result = compileSchema(schema, { label })(value);
  } catch (err) {
    return (err as Error).message;
  }
  if (result.valid) return undefined;
  return `object is invalid against ${label} schema: [${result.errors.map(formatSchemaIssue).join(" ")}]`;
}
