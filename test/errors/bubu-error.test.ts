import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  BubuError,
  executionError,
  findStructuredErrorProvider,
  initializationError,
  isStructuredErrorProvider,
  rateLimitedError,
  retryableError,
  serializationError,
  storageError,
  terminalError,
  timeoutError,
  validationError,
} from "../../src/errors/bubu-error.ts";
import { errorMessage, findInErrorChain } from "../../src/errors/error-chain.ts";

describe("BubuError", () => {
  test("is an Error with name, message and cause", () => {
    const cause = new Error("root");
    const err = new BubuError("storage_error", "bucket missing", { cause });
    assert.ok(err instanceof Error);
    assert.ok(err instanceof BubuError);
    assert.equal(err.name, "BubuError");
    assert.equal(err.message, "bucket missing");
    assert.equal(err.cause, cause);
    assert.equal(err.type, "storage_error");
  });

  test("message falls back to the cause, then to 'engram failed' (Go Error())", () => {
    assert.equal(new BubuError("execution_error", "", { cause: new Error("from cause") }).message, "from cause");
    assert.equal(new BubuError("execution_error", "").message, "engram failed");
    assert.equal(new BubuError("execution_error", "").structuredError().message, "");
  });

  test("structuredError(): Go key order, only set fields", () => {
    const err = new BubuError("validation_error", "bad", {
      retryable: false,
      exitClass: "terminal",
      code: "E_BAD",
      details: { field: "name", n: 2 },
    });
    assert.equal(
      JSON.stringify(err.structuredError()),
      '{"version":"v1","type":"validation_error","message":"bad","retryable":false,"exitClass":"terminal","code":"E_BAD","details":{"field":"name","n":2}}',
    );
    assert.deepEqual(Object.keys(new BubuError("timeout", "t").structuredError()), ["version", "type", "message"]);
  });

  test("details are copied: later mutation of the input does not change the error", () => {
    const details: Record<string, unknown> = { a: { b: 1 } };
    const err = new BubuError("execution_error", "x", { details });
    (details.a as { b: number }).b = 2;
    assert.deepEqual(err.structuredError().details, { a: { b: 1 } });
    const first = err.structuredError();
    (first.details as { a: { b: number } }).a.b = 3;
    assert.deepEqual(err.structuredError().details, { a: { b: 1 } });
  });

  test("unserializable details become Go's fallback object (cycle)", () => {
    const cyclic: Record<string, unknown> = { x: 1 };
    cyclic.self = cyclic;
    const err = new BubuError("execution_error", "x", { details: cyclic });
    assert.equal(
      JSON.stringify(err.structuredError().details),
      '{"details":{"len":2},"marshalError":"json: unsupported value: encountered a cycle","type":"map","unserializable":true}',
    );
  });

  test("NaN, Infinity, functions and bigint are unserializable, as in Go", () => {
    const marshalError = (details: Record<string, unknown>): unknown =>
      new BubuError("execution_error", "x", { details }).structuredError().details?.marshalError;
    assert.equal(marshalError({ n: Number.NaN }), "json: unsupported value: NaN");
    assert.equal(marshalError({ n: [1, Number.POSITIVE_INFINITY] }), "json: unsupported value: +Inf");
    assert.equal(marshalError({ n: Number.NEGATIVE_INFINITY }), "json: unsupported value: -Inf");
    assert.equal(marshalError({ f: () => 1 }), "json: unsupported type: function");
    assert.equal(marshalError({ b: 10n }), "json: unsupported type: bigint");
  });

  test("shared (non-cyclic) references, Dates and undefined members serialize", () => {
    const shared = { k: 1 };
    const when = new Date("2026-01-02T03:04:05.000Z");
    const err = new BubuError("execution_error", "x", { details: { a: shared, b: shared, when, gone: undefined } });
    assert.deepEqual(err.structuredError().details, { a: { k: 1 }, b: { k: 1 }, when: "2026-01-02T03:04:05.000Z" });
  });

  test("toJSON() is the sanitized structured error", () => {
    const err = new BubuError("execution_error", "login failed password=hunter2", { code: "AUTH" });
    const text = JSON.stringify(err);
    assert.ok(!text.includes("hunter2"));
    assert.equal(
      text,
      '{"version":"v1","type":"execution_error","message":"login failed password=[REDACTED]","code":"AUTH"}',
    );
    // structuredError() keeps the raw message: the status builder sanitizes it (as in Go).
    assert.equal(err.structuredError().message, "login failed password=hunter2");
  });

  test("toJSON() uses the fallback message when the given one is empty", () => {
    const err = new BubuError("execution_error", "", { cause: new Error("token=abc") });
    assert.equal(err.toJSON().message, "token=[REDACTED]");
  });
});

describe("providers", () => {
  test("isStructuredErrorProvider checks the value itself", () => {
    assert.ok(isStructuredErrorProvider(new BubuError("timeout", "t")));
    assert.ok(isStructuredErrorProvider({ structuredError: () => ({}) }));
    assert.ok(!isStructuredErrorProvider(new Error("x", { cause: new BubuError("timeout", "t") })));
    assert.ok(!isStructuredErrorProvider(null));
    assert.ok(!isStructuredErrorProvider("structuredError"));
    assert.ok(!isStructuredErrorProvider({ structuredError: "nope" }));
  });

  test("findStructuredErrorProvider walks cause chains (errors.As)", () => {
    const inner = new BubuError("timeout", "t");
    const err = new Error("a", { cause: new Error("b", { cause: inner }) });
    assert.equal(findStructuredErrorProvider(err), inner);
    assert.equal(findStructuredErrorProvider(new Error("plain")), undefined);
    assert.equal(findStructuredErrorProvider(undefined), undefined);
  });

  test("the outermost provider wins", () => {
    const inner = new BubuError("timeout", "inner");
    const outer = new BubuError("storage_error", "outer", { cause: inner });
    assert.equal(findStructuredErrorProvider(outer), outer);
  });

  test("AggregateError members are searched in order, before its cause (errors.Join)", () => {
    const first = new BubuError("timeout", "first");
    const second = new BubuError("storage_error", "second");
    const viaCause = new BubuError("validation_error", "cause");
    const agg = new AggregateError([new Error("x", { cause: first }), second], "joined", { cause: viaCause });
    assert.equal(findStructuredErrorProvider(agg), first);
  });

  test("cycles in cause chains terminate", () => {
    const a = new Error("a");
    const b = new Error("b", { cause: a });
    (a as { cause?: unknown }).cause = b;
    assert.equal(findStructuredErrorProvider(a), undefined);
  });

  test("a throwing cause getter does not break the walk", () => {
    const err = new Error("x");
    Object.defineProperty(err, "cause", {
      get() {
        throw new Error("boom");
      },
    });
    assert.equal(
      findInErrorChain(err, () => undefined),
      undefined,
    );
  });
});

describe("errorMessage", () => {
  test("Error, string, AggregateError and odd values", () => {
    assert.equal(errorMessage(new Error("m")), "m");
    assert.equal(errorMessage("plain"), "plain");
    assert.equal(errorMessage(new AggregateError([new Error("a"), "b"], "")), "a\nb");
    assert.equal(errorMessage(new AggregateError([new Error("a")], "given")), "given");
    assert.equal(errorMessage(42), "42");
    assert.equal(errorMessage(null), "null");
    assert.equal(errorMessage({ message: "error-like" }), "error-like");
    const hostile = {
      toString() {
        throw new Error("no");
      },
    };
    assert.equal(errorMessage(hostile), "[object Object]");
  });
});

describe("convenience constructors", () => {
  test("types and default classifications", () => {
    const rows: Array<[BubuError, string, boolean | undefined, string | undefined]> = [
      [validationError("v"), "validation_error", false, undefined],
      [timeoutError("t"), "timeout", true, undefined],
      [storageError("s"), "storage_error", true, undefined],
      [serializationError("s"), "serialization_error", false, undefined],
      [initializationError("i"), "initialization_error", false, undefined],
      [executionError("e"), "execution_error", undefined, undefined],
      [rateLimitedError("r"), "execution_error", true, "rateLimited"],
      [terminalError("t"), "execution_error", false, "terminal"],
      [retryableError("r"), "execution_error", true, "retry"],
    ];
    for (const [err, type, retryable, exitClass] of rows) {
      assert.equal(err.type, type);
      assert.equal(err.retryable, retryable, `${type} retryable`);
      assert.equal(err.exitClass, exitClass, `${type} exitClass`);
    }
  });

  test("options override the defaults", () => {
    assert.equal(storageError("s", { retryable: false }).retryable, false);
    assert.equal(rateLimitedError("r", { code: "429" }).code, "429");
  });

  test("validationError puts path into details", () => {
    const err = validationError("name is required", { path: "inputs.name", details: { got: null } });
    assert.deepEqual(err.structuredError().details, { got: null, path: "inputs.name" });
    assert.equal(validationError("x").details, undefined);
  });
});
