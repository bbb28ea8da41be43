// A streaming engram or an impulse run directly on a laptop takes `--config <json|file>` (as
// `bubu run` does) and `--help`; any other argument is a usage error: exit 2, the usage on stderr.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as v from "valibot";
import { defineImpulse } from "../../src/engram/impulse.ts";
import { defineStreaming } from "../../src/engram/streaming-engram.ts";
import { runImpulse } from "../../src/impulse/run-impulse.ts";
import { startStreaming } from "../../src/streaming/start-streaming.ts";
import { captureRuntime as capture } from "../support/capture-runtime.ts";

const Config = v.object({ greeting: v.string() });

function greeter() {
  return defineStreaming({
    config: Config,
    async stream(ctx, inbound, outbound) {
      for await (const msg of inbound) {
        await outbound.send(
          { kind: "data", payload: new TextEncoder().encode(JSON.stringify({ said: ctx.config.greeting })) },
          ctx.signal,
        );
        msg.done();
      }
    },
  });
}

test("streaming: --config JSON reaches ctx.config", async () => {
  const { runtime, stdout } = capture('{"kind":"data","payload":{"x":1}}\n');
  const out = await startStreaming(greeter(), {
    runtime,
    exit: false,
    env: {},
    args: ["--config", '{"greeting":"hi"}'],
  });
  assert.equal(out.exitCode, 0, String(out.error));
  assert.deepEqual(JSON.parse(stdout().trim()).payload, { said: "hi" });
});

test("streaming: an unknown argument exits 2 with a hint and the usage, no stack", async () => {
  const { runtime, stderr } = capture();
  const out = await startStreaming(greeter(), { runtime, exit: false, env: {}, args: ["--confg", "{}"] });
  assert.equal(out.exitCode, 2);
  assert.match(stderr(), /unknown argument \\"--confg\\" \(did you mean --config\?\)/);
  assert.match(stderr(), /Usage: <engram> \[--config <json\|file>\]/);
  assert.doesNotMatch(stderr(), /\n\s+at /);
});

test("impulse: --config from a file reaches ctx.config; --inputs is refused (exit 2)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "bubu-local-config-"));
  try {
    const file = join(dir, "config.json");
    writeFileSync(file, '{"greeting":"from a file"}');
    let seen: unknown;
    const impulse = defineImpulse({ config: Config, run: (ctx) => void (seen = ctx.config) });
    const ok = await runImpulse(impulse, {
      runtime: capture().runtime,
      exit: false,
      env: {},
      args: ["--config", file],
    });
    assert.equal(ok.exitCode, 0, String(ok.error));
    assert.deepEqual(seen, { greeting: "from a file" });
    const { runtime, stderr } = capture();
    const bad = await runImpulse(impulse, { runtime, exit: false, env: {}, args: ["--inputs", "{}"] });
    assert.equal(bad.exitCode, 2);
    assert.match(stderr(), /--inputs is for batch runs/);
    assert.match(stderr(), /Usage: <impulse> \[--config <json\|file>\]/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("impulse: --story names the Story its starts go to (BUBU_TARGET_STORY_NAME)", async () => {
  const impulse = defineImpulse({ run: async (ctx) => void (await ctx.stories.start({ inputs: { n: 1 } })) });
  const out = await runImpulse(impulse, {
    runtime: capture().runtime,
    exit: false,
    env: {},
    args: ["--story", "nightly-report"],
  });
  assert.equal(out.exitCode, 0, String(out.error));
  assert.equal(out.triggered?.length, 1);
  assert.equal(out.triggered?.[0]?.story, "nightly-report");
  const { runtime, stderr } = capture();
  const bad = await runImpulse(impulse, { runtime, exit: false, env: {}, args: ["--story"] });
  assert.equal(bad.exitCode, 2);
  assert.match(stderr(), /--story needs a value \(a Story name\)/);
});

test("streaming: a --config that is not a JSON object is a usage error naming the flag (exit 2), as for batch", async () => {
  const { runtime, stderr } = capture();
  const out = await startStreaming(greeter(), { runtime, exit: false, env: {}, args: ["--config", "[1]"] });
  assert.equal(out.exitCode, 2);
  assert.match(stderr(), /--config: expected a JSON object, got an array/);
});

test("impulse: --help prints the usage alone and exits 0 before anything runs", async () => {
  const { runtime, stdout, stderr } = capture();
  let ran = false;
  let atExit: { code: number; stdout: string; stderr: string } | undefined;
  const impulse = defineImpulse({ run: () => void (ran = true) });
  // A real exit never returns; the captured one records the output at that moment and throws.
  await runImpulse(impulse, {
    runtime: {
      ...runtime,
      exit: (code) => {
        atExit ??= { code: code ?? 0, stdout: stdout(), stderr: stderr() };
        throw new Error("exited");
      },
    },
    env: {},
    args: ["--help"],
  }).catch(() => {});
  assert.equal(atExit?.code, 0);
  assert.equal(ran, false);
  assert.match(atExit.stdout, /^Usage: <impulse> \[--config <json\|file>\] \[--story <name>\]/);
  assert.equal(atExit.stderr, "", "no log line before the usage");
});
