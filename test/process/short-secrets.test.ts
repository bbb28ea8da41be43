// A secret value shorter than the redaction minimum is not scrubbed from output (it would mangle
// ordinary text); the run says so once per key at start, naming the key and never the value.

import assert from "node:assert/strict";
import { test } from "node:test";
import { startBatch } from "../../src/batch/start-batch.ts";
import { defineBatch } from "../../src/engram/batch-engram.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { MIN_REDACTED_LENGTH } from "../../src/observability/redaction.ts";
import { captureRuntime } from "../support/capture-runtime.ts";

test("one WARN per secret too short to scrub, naming the key, never the value", async () => {
  assert.equal(MIN_REDACTED_LENGTH, 4);
  const lines: string[] = [];
  const logger = createLogger({ sink: (l) => void lines.push(l) });
  const { runtime, stdout } = captureRuntime();
  const engram = defineBatch({ process: (ctx) => ({ token: ctx.secrets.get("PAYMENT_TOKEN") }) });
  const out = await startBatch(engram, {
    runtime,
    logger,
    exit: false,
    args: [],
    env: {
      BUBU_SECRET_PAYMENT_TOKEN: "x9z",
      BUBU_SECRET_PIN: "7",
      BUBU_SECRET_EMPTY: "",
      BUBU_SECRET_LONG_ENOUGH: "w8v6",
    },
  });
  assert.equal(out.exitCode, 0);
  // Not scrubbed (the reason for the warning).
  assert.deepEqual(JSON.parse(stdout()), { token: "x9z" });
  const warnings = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.level === "WARN");
  assert.deepEqual(
    warnings.map(({ msg, key }) => ({ msg, key })),
    ["PAYMENT_TOKEN", "PIN"].map((key) => ({
      msg: "secret value is too short to be scrubbed from output (fewer than 4 characters)",
      key,
    })),
  );
  for (const l of lines) {
    assert.ok(!l.includes("x9z"), l);
    assert.ok(!l.includes("w8v6"), l);
  }
});
