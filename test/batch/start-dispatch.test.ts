// `start(dualEngram)`: the BUBU_EXECUTION_MODE routing table (quirks A6, option b: `hybrid` is
// batch) and, as child processes, that each mode really runs that lifecycle.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { executionMode } from "../../src/env/namespace.ts";
import { executionTarget, isKnownExecutionMode } from "../../src/start.ts";
import { runScript } from "../support/spawn.ts";

const FIXTURE = "test/batch/fixtures/start-dispatch-engram.ts";

describe("execution mode routing", () => {
  test("the table: batch aliases and hybrid run batch; realtime and anything else stream", () => {
    const table: [string | undefined, "batch" | "streaming", boolean][] = [
      [undefined, "batch", true],
      ["", "batch", true],
      ["   ", "batch", true],
      ["batch", "batch", true],
      [" Batch\n", "batch", true],
      ["job", "batch", true],
      ["JOB", "batch", true],
      ["hybrid", "batch", true],
      ["  HyBrid ", "batch", true],
      ["realtime", "streaming", true],
      ["REALTIME", "streaming", true],
      ["streaming", "streaming", false],
      ["turbo", "streaming", false],
      ["batch-ish", "streaming", false],
    ];
    for (const [raw, target, known] of table) {
      const mode = executionMode(raw === undefined ? {} : { BUBU_EXECUTION_MODE: raw });
      assert.equal(executionTarget(mode), target, JSON.stringify(raw));
      assert.equal(isKnownExecutionMode(mode), known, JSON.stringify(raw));
    }
  });
});

describe("start() as a process", () => {
  const line = JSON.stringify({ kind: "data", payload: { n: 1 } }) + "\n";

  async function runMode(mode: string | undefined) {
    const env: Record<string, string> = { BUBU_TRIGGER_DATA: '{"x":1}' };
    if (mode !== undefined) env.BUBU_EXECUTION_MODE = mode;
    return await runScript(FIXTURE, { env, stdin: line, timeoutMs: 60_000 });
  }

  function batchOutput(stdout: string): unknown {
    return JSON.parse(stdout);
  }

  function streamOutput(stdout: string): unknown[] {
    return stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).payload);
  }

  test("unset, batch, job and hybrid run the batch lifecycle (local mode prints the output)", async () => {
    const modes = [undefined, "batch", "job", "hybrid", " HYBRID "];
    const results = await Promise.all(modes.map(runMode));
    results.forEach((r, i) => {
      assert.equal(r.code, 0, `${modes[i]}: ${r.stderr}`);
      assert.deepEqual(batchOutput(r.stdout), { via: "batch", inputs: { x: 1 } }, String(modes[i]));
      assert.doesNotMatch(r.stderr, /unknown BUBU_EXECUTION_MODE/);
    });
  });

  test("realtime runs the streaming lifecycle (local mode: NDJSON in, NDJSON out)", async () => {
    const r = await runMode("realtime");
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(streamOutput(r.stdout), [{ via: "stream", got: { n: 1 } }]);
    assert.doesNotMatch(r.stderr, /unknown BUBU_EXECUTION_MODE/);
  });

  test("an unknown mode streams, with a warning naming the mode", async () => {
    const r = await runMode("Turbo");
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(streamOutput(r.stdout), [{ via: "stream", got: { n: 1 } }]);
    const warn = r.stderr
      .split("\n")
      .filter((l) => l.includes("unknown BUBU_EXECUTION_MODE"))
      .map((l) => JSON.parse(l));
    assert.equal(warn.length, 1);
    assert.equal(warn[0].level, "WARN");
    assert.equal(warn[0].mode, "turbo");
  });
});
