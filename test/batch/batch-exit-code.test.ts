// Go's BatchExitCode / ErrBatchTimeout: 0, 124 through any cause chain or AggregateError, else 1.

import assert from "node:assert/strict";
import { test } from "node:test";
import { BatchTimeoutError, batchExitCode, isBatchTimeout, REASON_TIMEOUT } from "../../src/batch/errors.ts";

test("batchExitCode and isBatchTimeout follow the cause chain like errors.Is", () => {
  const timeout = new BatchTimeoutError(30_000_000_000n, new Error("deadline exceeded"));
  assert.equal(timeout.message, "batch execution timed out after 30s: deadline exceeded");
  assert.equal(batchExitCode(undefined), 0);
  assert.equal(batchExitCode(null), 0);
  assert.equal(batchExitCode(timeout), 124);
  assert.equal(batchExitCode(new Error("wrapped", { cause: timeout })), 124);
  assert.equal(batchExitCode(new AggregateError([new Error("patch failed"), timeout])), 124);
  assert.equal(batchExitCode(new Error("boom")), 1);
  assert.equal(batchExitCode("a string"), 1);
  assert.equal(isBatchTimeout(new Error("x", { cause: new Error("y") })), false);
  assert.equal(REASON_TIMEOUT, "Timeout");
});
