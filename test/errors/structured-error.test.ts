import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  ErrorType,
  ExitClass,
  isErrorType,
  isExitClass,
  normalizeStructuredError,
} from "../../src/errors/structured-error.ts";

describe("enums", () => {
  test("ErrorType wire values", () => {
    assert.deepEqual(Object.values(ErrorType), [
      "timeout",
      "storage_error",
      "serialization_error",
      "validation_error",
      "initialization_error",
      "execution_error",
      "unknown",
    ]);
    assert.ok(Object.isFrozen(ErrorType));
  });

  test("ExitClass wire values (rateLimited camel case, unknown allowed)", () => {
    assert.deepEqual(Object.values(ExitClass), ["success", "retry", "terminal", "rateLimited", "unknown"]);
    assert.ok(Object.isFrozen(ExitClass));
  });

  test("guards accept only exact wire values", () => {
    assert.ok(isErrorType("storage_error"));
    assert.ok(!isErrorType("storage"));
    assert.ok(!isErrorType("Timeout"));
    assert.ok(!isErrorType(undefined));
    assert.ok(isExitClass("rateLimited"));
    assert.ok(!isExitClass("ratelimited"));
    assert.ok(!isExitClass("rate-limited"));
    assert.ok(!isExitClass(3));
  });
});

describe("normalizeStructuredError", () => {
  test("key order is Go's field order whatever the input order", () => {
    const json = normalizeStructuredError({
      details: { a: 1 },
      code: "E1",
      exitClass: "retry",
      exitCode: 124,
      retryable: true,
      message: "m",
      type: "timeout",
      version: "v1",
    });
    assert.equal(
      JSON.stringify(json),
      '{"version":"v1","type":"timeout","message":"m","retryable":true,"exitCode":124,"exitClass":"retry","code":"E1","details":{"a":1}}',
    );
  });

  test("omitempty: unset fields and empty strings are left out; false and 0 are kept", () => {
    const json = normalizeStructuredError({
      version: "v1",
      type: "execution_error",
      message: "boom",
      retryable: false,
      exitCode: 0,
      code: "",
    });
    assert.equal(
      JSON.stringify(json),
      '{"version":"v1","type":"execution_error","message":"boom","retryable":false,"exitCode":0}',
    );
    assert.deepEqual(Object.keys(normalizeStructuredError({ version: "v1", type: "unknown", message: "" })), [
      "version",
      "type",
      "message",
    ]);
  });
});
