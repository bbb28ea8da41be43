// Errors a developer can fix: on a laptop stderr carries the structured error, then the stack and
// the cause chain (scrubbed of secrets); the StepRun status never carries a stack.

import assert from "node:assert/strict";
import { test } from "node:test";
import { startBatch } from "../../src/batch/start-batch.ts";
import { defineBatch } from "../../src/engram/batch-engram.ts";
import { BubuError } from "../../src/errors/bubu-error.ts";
import { errorDetail, isInputError } from "../../src/errors/error-detail.ts";
import { captureRuntime as capture } from "../support/capture-runtime.ts";

function failsWithCause() {
  return defineBatch({
    process(ctx) {
      const db = new Error(`connection refused for ${ctx.secrets.require("DB_PASSWORD")}`);
      throw new Error("report failed", { cause: db });
    },
  });
}

test("locally: the structured error line, then the stack and the cause chain, secrets scrubbed", async () => {
  const { runtime, stderr, stdout } = capture();
  const out = await startBatch(failsWithCause(), {
    runtime,
    exit: false,
    env: { BUBU_SECRET_DB_PASSWORD: "pw-d41d8cd98f" },
    args: [],
  });
  assert.equal(out.exitCode, 1);
  assert.equal(stdout(), "");
  const lines = stderr().split("\n");
  const structured = JSON.parse(lines[0]!) as { message: string };
  assert.equal(structured.message, "report failed");
  assert.match(stderr(), /Error: report failed\n\s+at /, "the stack follows");
  assert.match(stderr(), /caused by: Error: connection refused for \[REDACTED\]/);
  assert.ok(!stderr().includes("pw-d41d8cd98f"));
  assert.ok(!JSON.stringify(out.status).includes("    at "), "no stack in the status");
});

test("errorDetail: nothing for a plain string, a bounded walk for a cyclic chain", () => {
  assert.equal(errorDetail("just text"), "");
  const a = new Error("a");
  const b = new Error("b", { cause: a });
  (a as { cause?: unknown }).cause = b;
  const detail = errorDetail(b);
  assert.equal(detail.match(/caused by:/g)?.length, 1, "each error once");
  assert.match(errorDetail({ code: 7 }), /^$|code/);
});

test("isInputError: validation errors, malformed variables, missing secrets and bad JSON, also as causes; not a plain failure", () => {
  assert.equal(isInputError(new BubuError("validation_error", "bad")), true);
  assert.equal(isInputError(new Error("wrapped", { cause: new BubuError("validation_error", "bad") })), true);
  const env = new Error("x");
  env.name = "EnvError";
  assert.equal(isInputError(env), true);
  const timeout = new Error("batch execution timed out after 1s: context deadline exceeded");
  timeout.name = "BatchTimeoutError";
  assert.equal(isInputError(new Error("wrapped", { cause: timeout })), true);
  assert.equal(isInputError(new BubuError("execution_error", "boom")), false);
  assert.equal(isInputError(new Error("boom", { cause: new Error("refused") })), false);
  assert.equal(isInputError("text"), false);
});
