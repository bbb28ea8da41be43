// console output from a handler is scrubbed of secret values while a run lasts, on a laptop (where
// console.log goes to stderr) and in a pod (stdout), and console is restored afterwards.

import assert from "node:assert/strict";
import { test } from "node:test";
import { startBatch } from "../../src/batch/start-batch.ts";
import { defineBatch } from "../../src/engram/batch-engram.ts";
import { redactConsole } from "../../src/observability/console-redaction.ts";
import { clearSecretValues, registerSecretValues } from "../../src/observability/redaction.ts";
import { detectRuntime } from "../../src/runtime/detect.ts";

const SECRET = "tok-5f0c9a8e71";

function recordingConsole(): { console: Console; lines: () => string[] } {
  const lines: string[] = [];
  const rec = (...args: unknown[]) =>
    void lines.push(
      args
        .map((a) => (typeof a === "string" ? a : a instanceof Error ? `${a.message}|${a.stack}` : JSON.stringify(a)))
        .join(" "),
    );
  const target = { log: rec, info: rec, debug: rec, warn: rec, error: rec, trace: rec, dir: rec } as unknown as Console;
  return { console: target, lines: () => lines };
}

test("strings, errors (message and stack), objects and numbers are scrubbed; restore puts the originals back", () => {
  const { console: c, lines } = recordingConsole();
  const original = c.log;
  const forget = registerSecretValues([SECRET, "424242"]);
  const restore = redactConsole(c);
  try {
    c.log(`token=${SECRET}`);
    c.error(new Error(`refused ${SECRET}`));
    c.warn({ nested: { auth: `Bearer ${SECRET}` } });
    c.info(424242);
  } finally {
    restore();
    forget();
  }
  assert.equal(c.log, original);
  const all = lines().join("\n");
  assert.ok(!all.includes(SECRET), all);
  assert.ok(!all.includes("424242"), all);
  assert.match(all, /token=\[REDACTED\]/);
  assert.match(all, /refused \[REDACTED\]\|Error: refused \[REDACTED\]/);
});

test("a batch run locally: console.log of a secret in process() is scrubbed and goes to stderr", async () => {
  clearSecretValues();
  const err: string[] = [];
  const out: string[] = [];
  const runtime = {
    ...detectRuntime(),
    onSignal: () => () => {},
    writeStdout: (t: string) => void out.push(t),
    writeStderr: (t: string) => void err.push(t),
  };
  const printed: string[] = [];
  const savedError = console.error;
  console.error = (...args: unknown[]) => void printed.push(args.map(String).join(" "));
  try {
    const outcome = await startBatch(
      defineBatch({
        process(ctx) {
          console.log(`using ${ctx.secrets.require("API_TOKEN")}`);
          return { ok: true };
        },
      }),
      { runtime, exit: false, args: [], env: { BUBU_SECRET_API_TOKEN: SECRET } },
    );
    assert.equal(outcome.exitCode, 0);
  } finally {
    console.error = savedError;
  }
  assert.deepEqual(printed, ["using [REDACTED]"]);
  assert.deepEqual(out, ['{"ok":true}\n']);
});
