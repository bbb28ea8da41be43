// A secret the component declares required fails the run before init when nothing maps it, with
// the name and the variable in the message; a mapped one passes.

import assert from "node:assert/strict";
import { test } from "node:test";
import { startBatch } from "../../src/batch/start-batch.ts";
import { defineBatch, defineImpulse, MissingSecretError, start } from "../../src/mod.ts";
import { noopLogger } from "../../src/observability/logger.ts";
import { detectRuntime } from "../../src/runtime/detect.ts";

const runtime = { ...detectRuntime(), writeStdout: () => {}, writeStderr: () => {} };
const WHY = "declared required, but BUBU_SECRET_SIGNING_KEY is not set; in a cluster, the Engram maps no Secret to it";

test("batch: a missing required secret fails before init (exit 1, initialization_error)", async () => {
  let initialized = false;
  const engram = defineBatch({
    secrets: { SIGNING_KEY: { required: true } },
    init() {
      initialized = true;
    },
    process: (ctx) => ({ len: ctx.secrets.require("SIGNING_KEY").length }),
  });
  const missing = await start(engram, { env: {}, args: [], exit: false, logger: noopLogger, runtime });
  assert.equal(missing.exitCode, 1);
  assert.equal(initialized, false);
  assert.ok(missing.error instanceof Error);
  assert.equal(missing.error.message, `failed to expand secrets: missing required secret "SIGNING_KEY" (${WHY})`);
  assert.ok(missing.error.cause instanceof MissingSecretError);
  assert.equal(missing.error.cause.type, "initialization_error");

  const given = await start(engram, {
    env: { BUBU_SECRET_SIGNING_KEY: "k-0123456789" },
    args: [],
    exit: false,
    logger: noopLogger,
    runtime,
  });
  assert.equal(given.exitCode, 0);
});

test("impulse: a missing required secret fails before init", async () => {
  let initialized = false;
  const impulse = defineImpulse({
    secrets: { SIGNING_KEY: { required: true } },
    init() {
      initialized = true;
    },
    run() {},
  });
  const outcome = await start(impulse, { env: {}, args: [], exit: false, logger: noopLogger, runtime });
  assert.notEqual(outcome.exitCode, 0);
  assert.equal(initialized, false);
  assert.match(String((outcome.error as Error | undefined)?.message), /missing required secret "SIGNING_KEY"/);
});

test("a key the redaction rules know (API_KEY) keeps its explanation in the status message", async () => {
  const engram = defineBatch({ secrets: { API_KEY: { required: true } }, process: () => ({}) });
  const out = await startBatch(engram, { env: {}, args: [], exit: false, logger: noopLogger, runtime });
  assert.equal(out.exitCode, 1);
  const message = out.status.error?.message ?? "";
  assert.match(message, /missing required secret "API_KEY" \(declared required, but BUBU_SECRET_API_KEY is not set/);
  assert.doesNotMatch(message, /REDACTED/);
});
