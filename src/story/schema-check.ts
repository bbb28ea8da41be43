/**
 * JSON Schema checks the operator makes on StoryRun inputs, step inputs and the Story output,
 * with its message shape (`object is invalid against <label> schema: [<issue> <issue>]`).
 *
 * @remarks bobrapet v0.1.13 `internal/webhook/v1alpha1/validate_helpers.go`
 * `validateJSONAgainstSchema` with the operator's normalization ({@link operatorNormalizeSchema});
 * gojsonschema there, the SDK's validator here, so the issue texts differ while the labels and
 * the outcome match.
 * @module
 */
import { compileSchema, formatSchemaIssue } from "../schema/validate.ts";
import { operatorNormalizeSchema } from "./operator-schema.ts";

/** The operator's error text for `value` against `schema`, or undefined when it is valid. */
export function schemaError(value: unknown, schema: unknown, label: string): string | undefined {
  if (schema === undefined || schema === null) return undefined;
  let result;
  try {
    result = compileSchema(operatorNormalizeSchema(schema), { label, normalize: false })(value);
  } catch (err) {
    return (err as Error).message;
  }
  if (result.valid) return undefined;
  // The wrapped schema only says "no alternative matched"; the plain schema says where.
  let issues = result.errors;
  try {
    const plain = compileSchema(schema, { label })(value);
    if (!plain.valid) issues = plain.errors;
  } catch {
    // Keep the wrapped schema's issues.
  }
  return `object is invalid against ${label} schema: [${issues.map(formatSchemaIssue).join(" ")}]`;
}
