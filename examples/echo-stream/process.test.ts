// The example as a process in local mode (NDJSON on stdin → NDJSON on stdout) under the runtime
// running this test.

import assert from "node:assert/strict";
import { test } from "node:test";
import { runScript } from "../../test/support/spawn.ts";

const SCRIPT = "examples/echo-stream/engram.ts";

test("local mode: echoes stdin messages with the field upper-cased, errors in-band", { timeout: 60_000 }, async () => {
  const stdin = [
    '{"kind":"data","payload":{"name":"ada","n":1},"metadata":{"k":"v"}}',
    "not json",
    '{"kind":"data","payload":"plain"}',
    "",
  ].join("\n");
  const r = await runScript(SCRIPT, {
    stdin,
    env: { BUBU_STEP_CONFIG: '{"field":"name","prefix":"!"}' },
    timeoutMs: 50_000,
  });
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(lines.length, 2, r.stdout);
  assert.deepEqual(lines[0], { kind: "data", metadata: { k: "v" }, payload: { name: "!ADA", n: 1 } });
  assert.equal(lines[1]?.kind, "error");
  assert.equal((lines[1]?.payload as { type: string }).type, "validation_error");
  assert.match(r.stderr, /invalid input message skipped.*"line":2/);
});

test("local mode: a config that fails the schema exits 1 before reading stdin", { timeout: 60_000 }, async () => {
  const r = await runScript(SCRIPT, {
    stdin: '{"payload":{"text":"x"}}\n',
    env: { BUBU_STEP_CONFIG: '{"field":""}' },
    timeoutMs: 50_000,
  });
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /field must not be empty/);
});
