/**
 * The structured errors of EngramTemplate schema checks, worded as the Go SDK words them.
 * @module
 */
import { BubuError } from "../errors/bubu-error.ts";
import type { SchemaPayloadKind } from "./resolution-error.ts";
import {
  compileSchema,
  formatSchemaIssue,
  SchemaCompileError,
  type SchemaValidationIssue,
  type SchemaValidatorFn,
} from "./validate.ts";

export { type SchemaPayloadKind, schemaResolutionError } from "./resolution-error.ts";

/** How many issues are copied into `details.errors` (the message lists them all). */
export const MAX_DETAIL_ISSUES = 50;

/** The schema's name in messages: `EngramTemplate <name> inputs` or `EngramTemplate <name> output`. */
export function templateSchemaLabel(kind: SchemaPayloadKind, templateName: string): string {
  return `EngramTemplate ${templateName} ${kind === "input" ? "inputs" : "output"}`;
}

/**
 * The `validation_error` (exit class `terminal`, `retryable` left unset so it derives `false`)
 * for a value that failed its template schema. Message:
 * `input schema validation failed: object is invalid against EngramTemplate <name> inputs schema: [<issues>]`
 * (output: `output schema validation failed: … EngramTemplate <name> output schema: […]`), the
 * issues space-separated (as Go prints a list). `details.path` is the first failing path,
 * `details.errors` the issues (at most {@link MAX_DETAIL_ISSUES}).
 */
export function schemaValidationError(
  kind: SchemaPayloadKind,
  templateName: string,
  errors: readonly SchemaValidationIssue[],
): BubuError {
  const label = templateSchemaLabel(kind, templateName);
  const list = errors.map(formatSchemaIssue).join(" ");
  const first = errors[0];
  return new BubuError(
    "validation_error",
    `${kind} schema validation failed: object is invalid against ${label} schema: [${list}]`,
    {
      exitClass: "terminal",
      details: {
        path: first?.path ?? "",
        pointer: first?.pointer ?? "",
        errors: errors.slice(0, MAX_DETAIL_ISSUES).map(({ path, message }) => ({ path, message })),
        errorCount: errors.length,
      },
    },
  );
}

/**
 * Checks a batch payload against its EngramTemplate schema, throwing a `validation_error` on
 * failure; returns quietly when `schema` is absent.
 * - inputs: `undefined` is checked as `{}`;
 * - output: `undefined` fails with `<label> output is empty but a schema is defined`;
 * - an unusable schema (external `$ref`, …) fails with
 *   `<kind> schema validation failed: error validating against <label> schema: …`.
 *
 * A value JSON cannot hold throws a plain `Error` `failed to marshal <kind>s for schema validation: …`.
 *
 * @remarks The same checks and messages as the Go SDK's batch runner.
 */
export function assertTemplatePayload(
  kind: SchemaPayloadKind,
  templateName: string,
  value: unknown,
  schema: unknown,
): void {
  if (schema === undefined || schema === null) return;
  const label = templateSchemaLabel(kind, templateName);
  const fail = (reason: string, cause?: unknown): never => {
    throw new BubuError("validation_error", `${kind} schema validation failed: ${reason}`, {
      exitClass: "terminal",
      cause,
    });
  };
  if (value === undefined) {
    if (kind === "output") fail(`${label} output is empty but a schema is defined`);
    value = {};
  }
  let validate: SchemaValidatorFn;
  try {
    validate = compileSchema(schema, { label });
  } catch (err) {
    if (err instanceof SchemaCompileError) fail(err.message, err);
    throw err;
  }
  let result: ReturnType<SchemaValidatorFn>;
  try {
    result = validate(value);
  } catch (err) {
    if (err instanceof SchemaCompileError) fail(err.message, err);
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`failed to marshal ${kind}s for schema validation: ${reason}`, { cause: err });
  }
  if (!result.valid) throw schemaValidationError(kind, templateName, result.errors);
}
