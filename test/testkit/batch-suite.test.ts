// The error-path checks BatchSuite shares with StreamSuite (src/conformance/expected-error.ts).

import assert from "node:assert/strict";
import { test } from "node:test";
import { validationError } from "../../src/errors/bubu-error.ts";
import type { BatchHarnessOptions } from "../../src/testkit/batch-harness.ts";
import { BatchSuite } from "../../src/testkit/mod.ts";

const failing = (err: unknown): BatchHarnessOptions<unknown, unknown, unknown>["engram"] => ({
  process: () => Promise.reject(err),
});

test("BatchSuite: structured error required, validateError wrapped", async () => {
  await new BatchSuite({ engram: failing(validationError("bad")), requireStructuredError: true }).run();
  await assert.rejects(new BatchSuite({ engram: failing(new Error("plain")), requireStructuredError: true }).run(), {
    message: "expected structured error, got plain",
  });
  await assert.rejects(
    new BatchSuite({
      engram: failing(new Error("x")),
      expectError: true,
      validateError: () => assert.fail("wrong"),
    }).run(),
    { message: "error validation failed: wrong" },
  );
  await assert.rejects(new BatchSuite({ engram: failing(new Error("x")) }).run(), {
    message: "engram run failed unexpectedly: x",
  });
});
