import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { BubuError } from "../../src/errors/bubu-error.ts";
import { buildStatusError, statusExitMetadata, toStructuredJson } from "../../src/errors/build-status-error.ts";

describe("statusExitMetadata", () => {
  test("success, failure, timeout", () => {
    assert.deepEqual(statusExitMetadata(undefined, false), { exitCode: 0, exitClass: "success" });
    assert.deepEqual(statusExitMetadata(new Error("boom"), false), { exitCode: 1, exitClass: "terminal" });
    assert.deepEqual(statusExitMetadata(new Error("boom"), true), { exitCode: 124, exitClass: "retry" });
    // Success after the deadline is still a timeout.
    assert.deepEqual(statusExitMetadata(undefined, true), { exitCode: 124, exitClass: "retry" });
  });

  test("provider exitClass (rateLimited works) and retryable", () => {
    const limited = new BubuError("execution_error", "429", { exitClass: "rateLimited" });
    assert.deepEqual(statusExitMetadata(limited, false), { exitCode: 1, exitClass: "rateLimited" });
    const retry = new BubuError("execution_error", "x", { retryable: true });
    assert.deepEqual(statusExitMetadata(retry, false), { exitCode: 1, exitClass: "retry" });
    // A timeout wins over any provider.
    assert.deepEqual(statusExitMetadata(limited, true), { exitCode: 124, exitClass: "retry" });
  });
});

describe("buildStatusError", () => {
  test("no error, no structured error", () => {
    assert.equal(buildStatusError(undefined, { timedOut: false, exitCode: 0, exitClass: "success" }), undefined);
  });

  test("plain failure: matches contract batch.md example byte for byte", () => {
    const err = new Error("boom");
    const json = buildStatusError(err, { timedOut: false, ...statusExitMetadata(err, false) });
    assert.equal(
      JSON.stringify(json),
      '{"version":"v1","type":"execution_error","message":"boom","retryable":false,"exitCode":1,"exitClass":"terminal"}',
    );
  });

  test("timeout: matches the contract example", () => {
    const err = new Error("batch execution timed out after 5m0s: context deadline exceeded");
    const json = buildStatusError(err, { timedOut: true, exitCode: 124, exitClass: "retry" });
    assert.equal(
      JSON.stringify(json),
      '{"version":"v1","type":"timeout","message":"batch execution timed out after 5m0s: context deadline exceeded","retryable":true,"exitCode":124,"exitClass":"retry"}',
    );
  });

  test("step 1: classified by text for foreign errors", () => {
    const err = new Error("failed to unmarshal inputs into the target type: x");
    assert.equal(
      buildStatusError(err, { timedOut: false, exitCode: 1, exitClass: "terminal" })?.type,
      "serialization_error",
    );
  });

  test("step 2: provider non-empty fields merge; empty ones keep the base", () => {
    const provider = new BubuError("validation_error", "", { code: "E_SCHEMA", details: { path: "a" } });
    const err = new Error("failed to hydrate inputs: wrapped", { cause: provider });
    const json = buildStatusError(err, { timedOut: false, exitCode: 1, exitClass: "terminal" });
    assert.deepEqual(json, {
      version: "v1",
      type: "validation_error",
      message: "failed to hydrate inputs: wrapped", // provider message empty: base kept
      retryable: false,
      exitCode: 1,
      exitClass: "terminal",
      code: "E_SCHEMA",
      details: { path: "a" },
    });
  });

  test("step 2: a provider message replaces the wrapped text", () => {
    const provider = new BubuError("execution_error", "inner message");
    const err = new Error("outer: inner message", { cause: provider });
    assert.equal(
      buildStatusError(err, { timedOut: false, exitCode: 1, exitClass: "terminal" })?.message,
      "inner message",
    );
  });

  test("step 3: timeout forces the type even over a provider", () => {
    const err = new BubuError("storage_error", "slow", { retryable: false });
    const json = buildStatusError(err, { timedOut: true, exitCode: 124, exitClass: "retry" });
    assert.equal(json?.type, "timeout");
    // step 7 only fills retryable when unset: the provider's false stays.
    assert.equal(json?.retryable, false);
  });

  test("steps 1 and 4: the base message is sanitized twice (Go), a provider message once", () => {
    const foreign = new Error("connect failed password=hunter2");
    assert.equal(
      buildStatusError(foreign, { timedOut: false, exitCode: 1, exitClass: "terminal" })?.message,
      "connect failed password=[REDACTED]]",
    );
    const provided = new BubuError("execution_error", "connect failed password=hunter2");
    assert.equal(
      buildStatusError(provided, { timedOut: false, exitCode: 1, exitClass: "terminal" })?.message,
      "connect failed password=[REDACTED]",
    );
  });

  test("no secret survives in any field of the JSON", () => {
    const err = new BubuError("execution_error", "Authorization: Bearer sk-live-123 token=tok-456");
    const text = JSON.stringify(buildStatusError(err, { timedOut: false, exitCode: 1, exitClass: "terminal" }));
    assert.ok(!text.includes("sk-live-123"));
    assert.ok(!text.includes("tok-456"));
  });

  test("message is truncated to 8192 bytes", () => {
    const err = new Error("x".repeat(20_000));
    const json = buildStatusError(err, { timedOut: false, exitCode: 1, exitClass: "terminal" });
    assert.equal(json?.message.length, 8192);
  });

  test("step 5: exitCode only when non-zero", () => {
    const json = buildStatusError(new Error("x"), { timedOut: false, exitCode: 0, exitClass: "terminal" });
    assert.equal(json?.exitCode, undefined);
    assert.ok(!("exitCode" in (json ?? {})));
  });

  test("step 6: exitClass is the status value, overwriting the provider's", () => {
    const err = new BubuError("execution_error", "x", { exitClass: "terminal", retryable: true });
    const json = buildStatusError(err, { timedOut: false, exitCode: 1, exitClass: "retry" });
    assert.equal(json?.exitClass, "retry");
    assert.equal(json?.retryable, true);
  });

  test("step 7: retryable derived from the exit class when unset", () => {
    const derive = (exitClass: "retry" | "rateLimited" | "terminal" | "unknown"): boolean | undefined =>
      buildStatusError(new Error("x"), { timedOut: false, exitCode: 1, exitClass })?.retryable;
    assert.equal(derive("retry"), true);
    assert.equal(derive("rateLimited"), true);
    assert.equal(derive("terminal"), false);
    assert.equal(derive("unknown"), false);
  });

  test("rateLimited end to end", () => {
    const err = new BubuError("execution_error", "too many requests", { exitClass: "rateLimited", code: "429" });
    const json = buildStatusError(err, { timedOut: false, ...statusExitMetadata(err, false) });
    assert.equal(
      JSON.stringify(json),
      '{"version":"v1","type":"execution_error","message":"too many requests","retryable":true,"exitCode":1,"exitClass":"rateLimited","code":"429"}',
    );
  });

  test("a foreign provider's invalid type and details are handled safely", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.me = cyclic;
    const foreign = {
      message: "x",
      structuredError: () => ({ version: "v9", type: "Storage", message: "", details: cyclic, retryable: "yes" }),
    };
    const json = buildStatusError(foreign, { timedOut: false, exitCode: 1, exitClass: "terminal" });
    assert.equal(json?.version, "v1");
    assert.equal(json?.type, "execution_error");
    assert.equal(json?.retryable, false);
    assert.equal(json?.details?.unserializable, true);
  });
});

describe("toStructuredJson", () => {
  test("local-mode printing of a failure", () => {
    assert.deepEqual(toStructuredJson(new Error("failed to create storage manager: x")), {
      version: "v1",
      type: "storage_error",
      message: "failed to create storage manager: x",
      retryable: false,
      exitCode: 1,
      exitClass: "terminal",
    });
  });
  test("timeout form", () => {
    const json = toStructuredJson(new Error("late"), { timedOut: true });
    assert.equal(json.type, "timeout");
    assert.equal(json.exitCode, 124);
    assert.equal(json.exitClass, "retry");
    assert.equal(json.retryable, true);
  });
  test("undefined still gives a valid failure object", () => {
    assert.equal(toStructuredJson(undefined).message, "engram failed");
  });
});
