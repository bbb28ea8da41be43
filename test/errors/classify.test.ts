import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { BubuError } from "../../src/errors/bubu-error.ts";
import { classifyError, classifyErrorText } from "../../src/errors/classify.ts";

describe("classifyErrorText (Go substring rules, in order)", () => {
  // The worked examples of contract errors.md.
  const examples: Array<[string, string]> = [
    ["failed to create storage manager: dial tcp: refused", "storage_error"],
    ["failed to dehydrate output after 3 retries (storage backend unavailable): boom", "storage_error"],
    ["failed to unmarshal config: bad json", "serialization_error"],
    ["engram initialization failed: bad schema", "validation_error"],
    ["engram initialization failed: timeout", "initialization_error"],
    ["failed to hydrate config: not found", "execution_error"],
    ["boom", "execution_error"],
  ];
  for (const [text, type] of examples) {
    test(text, () => assert.equal(classifyErrorText(text), type));
  }

  test("rule order: storage beats marshal, marshal beats schema, schema beats Init", () => {
    assert.equal(classifyErrorText("failed to marshal storage ref"), "storage_error");
    assert.equal(classifyErrorText("json marshal failed: schema"), "serialization_error");
    assert.equal(classifyErrorText("Init failed: validation"), "validation_error");
  });

  test("case-sensitive: Storage, MARSHAL, init do not match", () => {
    assert.equal(classifyErrorText("Storage is down"), "execution_error");
    assert.equal(classifyErrorText("MARSHAL"), "execution_error");
    assert.equal(classifyErrorText("init failed"), "execution_error");
    assert.equal(classifyErrorText("Init failed"), "initialization_error");
  });
});

describe("classifyError", () => {
  test("null and undefined are unknown", () => {
    assert.equal(classifyError(null), "unknown");
    assert.equal(classifyError(undefined), "unknown");
  });

  test("foreign errors and thrown strings use the substring fallback", () => {
    assert.equal(classifyError(new Error("failed to unmarshal inputs into the target type: x")), "serialization_error");
    assert.equal(classifyError("storage gone"), "storage_error");
  });

  test("a provider's type wins over the text", () => {
    const err = new BubuError("timeout", "storage call took too long");
    assert.equal(classifyError(err), "timeout");
  });

  test("a provider deep in the cause chain wins", () => {
    const inner = new BubuError("validation_error", "bad input");
    const outer = new Error("failed to dehydrate output: wrapped", { cause: new Error("mid", { cause: inner }) });
    assert.equal(classifyError(outer), "validation_error");
  });

  test("a provider inside an AggregateError (errors.Join) is found", () => {
    const agg = new AggregateError([new Error("a"), new BubuError("storage_error", "b")], "");
    assert.equal(classifyError(agg), "storage_error");
  });

  test("a foreign provider with an invalid type falls back to the text", () => {
    const foreign = Object.assign(new Error("failed to unmarshal x"), {
      structuredError: () => ({ type: "Storage" }),
    });
    assert.equal(classifyError(foreign), "serialization_error");
  });
});
