import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { BubuError } from "../../src/errors/bubu-error.ts";
import { toStructuredJson } from "../../src/errors/build-status-error.ts";
import { validateAgainstSchema } from "../../src/schema/validate.ts";
import {
  assertTemplatePayload,
  schemaResolutionError,
  schemaValidationError,
  templateSchemaLabel,
} from "../../src/schema/validation-error.ts";

const schema = {
  type: "object",
  required: ["url"],
  properties: { url: { type: "string" }, retries: { type: "integer", maximum: 5 } },
};

function caught(fn: () => void): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  assert.fail("expected a throw");
}

describe("schemaValidationError", () => {
  test("input: Go's message, validation_error, terminal, retryable unset, first path in details", () => {
    const result = validateAgainstSchema({ retries: 9 }, schema);
    assert.equal(result.valid, false);
    const err = schemaValidationError("input", "http-client", result.valid ? [] : result.errors);
    assert.ok(err instanceof BubuError);
    assert.equal(
      err.message,
      "input schema validation failed: object is invalid against EngramTemplate http-client inputs schema: " +
        '[url: Required property "url" is missing. retries: 9 is greater than 5.]',
    );
    assert.equal(err.type, "validation_error");
    assert.equal(err.exitClass, "terminal");
    assert.equal(err.retryable, undefined);
    assert.deepEqual(err.details, {
      path: "url",
      pointer: "/url",
      errors: [
        { path: "url", message: 'Required property "url" is missing.' },
        { path: "retries", message: "9 is greater than 5." },
      ],
      errorCount: 2,
    });
  });

  test("output wording and the persisted status error", () => {
    const err = schemaValidationError("output", "t", [{ path: "", pointer: "", keyword: "type", message: "bad" }]);
    assert.equal(
      err.message,
      "output schema validation failed: object is invalid against EngramTemplate t output schema: [(root): bad]",
    );
    const json = toStructuredJson(err);
    assert.equal(json.type, "validation_error");
    assert.equal(json.exitClass, "terminal");
    assert.equal(json.exitCode, 1);
    assert.equal(json.retryable, false);
    assert.equal((json.details as Record<string, unknown>).path, "");
  });

  test("details keep at most 50 issues; the message keeps them all", () => {
    const many = Array.from({ length: 60 }, (_, i) => ({
      path: `a.${i}`,
      pointer: `/a/${i}`,
      keyword: "type",
      message: "m",
    }));
    const err = schemaValidationError("input", "t", many);
    assert.equal((err.details?.errors as unknown[]).length, 50);
    assert.equal(err.details?.errorCount, 60);
    assert.ok(err.message.includes("a.59: m]"));
  });

  test("labels follow Go's schema names", () => {
    assert.equal(templateSchemaLabel("input", "x"), "EngramTemplate x inputs");
    assert.equal(templateSchemaLabel("output", "x"), "EngramTemplate x output");
  });
});

describe("schemaResolutionError", () => {
  test("execution_error, retryable, exit class retry, cause kept", () => {
    const cause = new Error("fetch engram template: 500 Internal Server Error");
    const err = schemaResolutionError("output", cause);
    assert.equal(err.message, "output schema resolution failed: fetch engram template: 500 Internal Server Error");
    assert.equal(err.type, "execution_error");
    assert.equal(err.retryable, true);
    assert.equal(err.exitClass, "retry");
    assert.equal(err.cause, cause);
    assert.equal(toStructuredJson(err).exitClass, "retry");
  });
});

describe("assertTemplatePayload", () => {
  test("a valid payload passes; no schema means no check", () => {
    assertTemplatePayload("input", "t", { url: "https://x" }, schema);
    assertTemplatePayload("input", "t", 42, undefined);
    assertTemplatePayload("output", "t", undefined, null);
  });

  test("an invalid input throws the structured error with the first failing path", () => {
    const err = caught(() => assertTemplatePayload("input", "t", { url: 1 }, schema));
    assert.ok(err instanceof BubuError);
    assert.match(
      err.message,
      /^input schema validation failed: object is invalid against EngramTemplate t inputs schema: \[url: /,
    );
    assert.equal(err.details?.path, "url");
  });

  test("undefined inputs are checked as {}", () => {
    const err = caught(() => assertTemplatePayload("input", "t", undefined, schema));
    assert.ok(err instanceof BubuError && err.details?.path === "url");
    assertTemplatePayload("input", "t", undefined, { type: "object" });
  });

  test("an empty output with a schema fails with Go's text", () => {
    const err = caught(() => assertTemplatePayload("output", "t", undefined, { type: "object" }));
    assert.ok(err instanceof BubuError);
    assert.equal(
      err.message,
      "output schema validation failed: EngramTemplate t output output is empty but a schema is defined",
    );
    assert.equal(err.type, "validation_error");
    assert.equal(err.exitClass, "terminal");
  });

  test("an external $ref fails as a validation error, worded as Go", () => {
    const err = caught(() => assertTemplatePayload("input", "t", {}, { $ref: "https://x/s.json" }));
    assert.ok(err instanceof BubuError);
    assert.equal(
      err.message,
      "input schema validation failed: error validating against EngramTemplate t inputs schema: " +
        'failed to normalize schema: external schema reference "https://x/s.json" is not allowed',
    );
  });

  test("a value JSON cannot hold is a marshal error (classified serialization_error)", () => {
    const err = caught(() => assertTemplatePayload("input", "t", { n: 1n }, schema));
    assert.ok(err instanceof Error && !(err instanceof BubuError));
    assert.match(err.message, /^failed to marshal inputs for schema validation: /);
    assert.equal(toStructuredJson(err).type, "serialization_error");
  });

  test("runtime refs in outputs are accepted when the schema allows them", () => {
    const out = { type: "object", properties: { body: { type: "string", "x-bubu-allow-runtime-refs": true } } };
    assertTemplatePayload("output", "t", { body: { $bubuStorageRef: "outputs/abc.json" } }, out);
    assert.throws(() => assertTemplatePayload("output", "t", { body: { $bubuStorageRef: 1 } }, out), BubuError);
  });
});
