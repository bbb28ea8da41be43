// A secret canary through every entry point: a secret value that the engram or impulse throws or
// logs never reaches stdout, stderr or a downstream message. Before the fix, streaming engrams and
// impulses never registered their secrets for redaction and leaked the value on every channel.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { defineBatch } from "../../src/engram/batch-engram.ts";
import { startBatch } from "../../src/batch/start-batch.ts";
import { defineStreaming } from "../../src/engram/streaming-engram.ts";
import { startStreaming } from "../../src/streaming/start-streaming.ts";
import { defineImpulse } from "../../src/engram/impulse.ts";
import { runImpulse } from "../../src/impulse/run-impulse.ts";
import { localStories } from "../../src/impulse/local-stories.ts";
import { detectRuntime } from "../../src/runtime/detect.ts";
import type { Runtime } from "../../src/runtime/types.ts";

const SECRET = "canary-7f3a9c2e41d8";

/** The real runtime with stdout/stderr captured and signal listeners that do nothing. */
function capturing(stdin: string[] = []): { runtime: Runtime; out: () => string } {
  const chunks: string[] = [];
  const enc = new TextEncoder();
  const runtime: Runtime = {
    ...detectRuntime(),
    onSignal: () => () => {},
    args: () => [],
    writeStdout: (t) => void chunks.push(t),
    writeStderr: (t) => void chunks.push(t),
    readStdin: async function* () {
      for (const line of stdin) yield enc.encode(line + "\n");
    },
  };
  return { runtime, out: () => chunks.join("") };
}

describe("secret canary through every entry point (local mode)", () => {
  test("batch: a thrown error and a log line", async () => {
    const { runtime, out } = capturing();
    const engram = defineBatch({
      process(ctx) {
        ctx.logger.info(`calling upstream with ${SECRET}`);
        throw new Error(`upstream rejected ${SECRET}`);
      },
    });
    const outcome = await startBatch(engram, { runtime, exit: false, env: { BUBU_SECRET_API_KEY: SECRET }, args: [] });
    assert.equal(outcome.exitCode, 1);
    const text = out();
    assert.match(text, /upstream rejected \[REDACTED\]/);
    assert.ok(!text.includes(SECRET), text);
  });

  test("streaming: a thrown error reaches stdout as an error message, and stderr as a log line", async () => {
    const { runtime, out } = capturing([JSON.stringify({ kind: "data", payload: { n: 1 } })]);
    const engram = defineStreaming({
      async stream(_signal, inbound) {
        for await (const msg of inbound) {
          msg.done();
          throw new Error(`model refused key ${SECRET}`);
        }
      },
    });
    const outcome = await startStreaming(engram, { runtime, exit: false, env: { BUBU_SECRET_API_KEY: SECRET } });
    assert.equal(outcome.exitCode, 1);
    const text = out();
    assert.match(text, /"kind":"error"/, "the error message went downstream");
    assert.match(text, /\[REDACTED\]/);
    assert.ok(!text.includes(SECRET), text);
  });

  test("impulse: a log line and a thrown error", async () => {
    const { runtime, out } = capturing();
    const impulse = defineImpulse({
      run(ctx) {
        ctx.logger.info(`listening with ${SECRET}`);
        throw new Error(`webhook secret ${SECRET} rejected`);
      },
    });
        const outcome = await runImpulse(impulse, { runtime, exit: false, env: { BUBU_SECRET_HOOK: SECRET } });
    assert.equal(outcome.exitCode, 1);
    const text = out();
    assert.match(text, /listening with \[REDACTED\]/);
    assert.match(text, /webhook secret \[REDACTED\] rejected/);
    assert.ok(!text.includes(SECRET), text);
  });
});
