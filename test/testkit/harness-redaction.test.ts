// The harnesses scrub secret values from captured log lines as a real run scrubs its output, so a
// unit test can catch a leak; the values are forgotten when the run ends.

import assert from "node:assert/strict";
import { test } from "node:test";
import { newStreamMessage } from "../../src/engram/streaming-message.ts";
import { BubuError, defineBatch, defineImpulse, defineStreaming, MissingSecretError } from "../../src/mod.ts";
import { containsSecret } from "../../src/observability/redaction.ts";
import { BatchHarness, ImpulseHarness, StreamHarness } from "../../src/testkit/mod.ts";

const KEY = "sk-harness-9f3a71";

function assertScrubbed(lines: readonly Record<string, unknown>[]): void {
  const text = JSON.stringify(lines);
  assert.ok(lines.length > 0, "the handler logged");
  assert.ok(!text.includes(KEY), `a secret value reached the captured lines: ${text}`);
  assert.match(text, /\[REDACTED\]/);
  assert.equal(containsSecret(KEY), false, "the value is forgotten once the run ends");
}

test("BatchHarness: logLines carry [REDACTED], never the value", async () => {
  const engram = defineBatch({
    process(ctx) {
      const key = ctx.secrets.require("KEY");
      ctx.logger.info(`signing with ${key}`, { key, nested: { key } });
      return { ok: true };
    },
  });
  const run = await new BatchHarness({ engram, secrets: { KEY } }).run();
  assertScrubbed(run.logLines);
});

test("BatchHarness: a failing run forgets the values too", async () => {
  const engram = defineBatch({
    process(ctx) {
      ctx.logger.warn("about to fail", { key: ctx.secrets.require("KEY") });
      throw new Error("boom");
    },
  });
  const harness = new BatchHarness({ engram, secrets: { KEY } });
  await assert.rejects(harness.run(), /boom/);
  assertScrubbed(harness.captured?.logLines ?? []);
});

test("StreamHarness and ImpulseHarness scrub the same way", async () => {
  const streaming = defineStreaming({
    async stream(ctx, inbound) {
      for await (const m of inbound) {
        ctx.logger.info("got", { key: ctx.secrets.require("KEY") });
        m.done();
      }
    },
  });
  const s = await new StreamHarness({
    engram: streaming,
    secrets: { KEY },
    inputs: [newStreamMessage("data", { json: { a: 1 }, messageId: "m1" })],
  }).run();
  assert.equal(s.failed, false, String(s.error));
  assertScrubbed(s.logLines);

  const impulse = defineImpulse({
    run(ctx) {
      ctx.logger.info("listening", { key: ctx.secrets.require("KEY") });
    },
  });
  const i = await new ImpulseHarness({ impulse, secrets: { KEY } }).run();
  assert.equal(i.error, undefined);
  assertScrubbed(i.logLines);
});

test("a secret declared required but not given fails before init, in the harness as at a real start", async () => {
  let initialized = false;
  const engram = defineBatch({
    secrets: { SIGNING_KEY: { required: true }, OPTIONAL: {} },
    init() {
      initialized = true;
    },
    process: () => ({ ok: true }),
  });
  await assert.rejects(new BatchHarness({ engram }).run(), (err: unknown) => {
    assert.ok(err instanceof MissingSecretError);
    assert.equal(err.key, "SIGNING_KEY");
    assert.match(
      err.message,
      /^missing required secret "SIGNING_KEY" \(declared required, but BUBU_SECRET_SIGNING_KEY is not set/,
    );
    return true;
  });
  assert.equal(initialized, false);
  const run = await new BatchHarness({ engram, secrets: { SIGNING_KEY: "k-123456" } }).run();
  assert.deepEqual(run.output, { ok: true });
});

test("an error carrying a secret comes out of each harness with [REDACTED], same object, causes too", async () => {
  class SigningError extends Error {}
  const leak = (ctx: { secrets: { require(name: string): string } }): never => {
    const key = ctx.secrets.require("KEY");
    throw new SigningError(`bad key ${key}`, { cause: new Error(`upstream said token ${key}`) });
  };
  const assertClean = (err: unknown): void => {
    assert.ok(err instanceof SigningError, String(err));
    const texts = [err.message, err.stack ?? "", (err.cause as Error).message, (err.cause as Error).stack ?? ""];
    for (const t of texts) assert.ok(!t.includes(KEY), `a secret value reached the error: ${t}`);
    assert.equal(err.message, "bad key [REDACTED]");
    assert.equal((err.cause as Error).message, "upstream said token [REDACTED]");
  };

  await assert.rejects(new BatchHarness({ engram: defineBatch({ process: leak }), secrets: { KEY } }).run(), (err) => {
    assertClean(err);
    return true;
  });
  await assert.rejects(
    new BatchHarness({ engram: defineBatch({ init: leak, process: () => ({}) }), secrets: { KEY } }).run(),
    (err) => {
      assertClean(err);
      return true;
    },
  );
  const s = await new StreamHarness({ engram: defineStreaming({ stream: leak }), secrets: { KEY } }).run();
  assert.equal(s.failed, true);
  assertClean(s.error);
  const i = await new ImpulseHarness({ impulse: defineImpulse({ run: leak }), secrets: { KEY } }).run();
  assertClean(i.error);
  assert.equal(containsSecret(KEY), false, "the values are forgotten afterwards");
});

test("console.* from a handler under a harness is scrubbed, as in a real run; console is restored afterwards", async () => {
  const printed: unknown[][] = [];
  const saved = { log: console.log, error: console.error };
  const spy = (...args: unknown[]): void => void printed.push(args);
  console.log = spy;
  console.error = spy;
  try {
    const engram = defineBatch({
      process(ctx) {
        const key = ctx.secrets.require("KEY");
        console.log("debug token is", key, { nested: { key } });
        console.error(new Error(`failed with ${key}`));
        return {};
      },
    });
    // Two overlapping runs: the console stays guarded until the last one ends.
    await Promise.all([
      new BatchHarness({ engram, secrets: { KEY } }).run(),
      new BatchHarness({ engram, secrets: { KEY } }).run(),
    ]);
    assert.equal(printed.length, 4);
    const text = printed
      .flat()
      .map((a) => (a instanceof Error ? `${a.message} ${a.stack}` : JSON.stringify(a)))
      .join("\n");
    assert.ok(!text.includes(KEY), `a secret value reached the console: ${text}`);
    assert.match(text, /debug token is/);
    assert.match(text, /\[REDACTED\]/);
    assert.equal(console.log, spy, "the harness put console.log back");
    assert.equal(console.error, spy, "the harness put console.error back");
  } finally {
    console.log = saved.log;
    console.error = saved.error;
  }
});

test("a BubuError from a harness run: structuredMessage, code and details are scrubbed too (test runners print them)", async () => {
  const engram = defineBatch({
    process(ctx) {
      const key = ctx.secrets.require("KEY");
      throw new BubuError("execution_error", `bad key ${key}`, {
        code: `E_${key}`,
        details: { body: `Bearer ${key}`, status: 400, list: [key] },
      });
    },
  });
  await assert.rejects(new BatchHarness({ engram, secrets: { KEY } }).run(), (err) => {
    assert.ok(err instanceof BubuError);
    const fields = JSON.stringify({ ...err, message: err.message, stack: err.stack });
    assert.ok(!fields.includes(KEY), `a secret value reached the error's fields: ${fields}`);
    assert.equal(err.structuredMessage, "bad key [REDACTED]");
    assert.deepEqual(err.details, { body: "Bearer [REDACTED]", status: 400, list: ["[REDACTED]"] });
    assert.equal(err.code, "E_[REDACTED]");
    return true;
  });
});
