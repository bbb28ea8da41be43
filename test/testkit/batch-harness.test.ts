// BatchHarness: secrets really expanded, init then process, errors unwrapped, decoding through the
// engram's valibot schemas as a real run does, and what the handler emitted captured.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as v from "valibot";
import { defineBatch } from "../../src/engram/batch-engram.ts";
import type { Secrets } from "../../src/engram/secrets.ts";
import { BubuError } from "../../src/errors/bubu-error.ts";
import { BatchHarness, BatchSuite, memoryEffectStore } from "../../src/testkit/mod.ts";

// The README's engram.
const greeter = defineBatch({
  config: v.object({ greeting: v.optional(v.string(), "Hello") }),
  inputs: v.object({ name: v.pipe(v.string(), v.minLength(1)) }),
  output: v.object({ message: v.string() }),
  init(ctx) {
    seen.config = ctx.config;
  },
  process(ctx, { name }) {
    return { message: `${ctx.config.greeting}, ${name}` };
  },
});
const seen: { config?: { greeting: string } } = {};

test("config and inputs go through the schemas: defaults reach init, typed values reach process", async () => {
  const result = await new BatchHarness({ engram: greeter, inputs: { name: "Ada" } }).run();
  assert.deepEqual(seen.config, { greeting: "Hello" }, "an omitted config decodes to its defaults");
  assert.deepEqual(result.output, { message: "Hello, Ada" });
  const custom = await new BatchHarness({ engram: greeter, config: { greeting: "Hi" }, inputs: { name: "Bo" } }).run();
  assert.deepEqual(custom.output, { message: "Hi, Bo" });
});

test("a schema violation is a real run's validation_error, naming the path", async () => {
  const err = await new BatchHarness({ engram: greeter, inputs: { name: "" } }).run().then(
    () => assert.fail("expected a validation error"),
    (e: unknown) => e,
  );
  assert.ok(err instanceof BubuError);
  assert.equal(err.type, "validation_error");
  assert.match(err.message, /^inputs validation failed at name: /);
  await new BatchSuite({ engram: greeter, inputs: {}, requireStructuredError: true }).run();
  await assert.rejects(
    new BatchHarness({ engram: greeter, inputs: { name: "x" }, config: { greeting: 3 } }).run(),
    /config validation failed at greeting/,
  );
});

test("strict decoding rejects unknown keys; decode: false passes values as given", async () => {
  await assert.rejects(
    new BatchHarness({ engram: greeter, inputs: { name: "x", extra: 1 }, strict: true }).run(),
    /unknown key "extra"/,
  );
  const loose = await new BatchHarness({ engram: greeter, inputs: { name: "x", extra: 1 } }).run();
  assert.deepEqual(loose.output, { message: "Hello, x" });
  const raw = await new BatchHarness({
    engram: greeter,
    decode: false,
    config: { greeting: "Yo" },
    inputs: { name: "" },
  }).run();
  assert.deepEqual(raw.output, { message: "Yo, " }, "no schema ran: the empty name was accepted");
});

test("the output is validated; nothing returned is {} and is not validated", async () => {
  const bad = defineBatch({
    output: v.object({ n: v.number() }),
    process: () => ({ n: "one" }) as unknown as { n: number },
  });
  await assert.rejects(
    new BatchHarness({ engram: bad }).run(),
    (e: unknown) => e instanceof BubuError && /^output validation failed at n/.test(e.message),
  );
  const none = defineBatch({ output: v.object({ n: v.number() }), process: () => undefined });
  assert.deepEqual((await new BatchHarness({ engram: none }).run()).output, {});
});

test("secrets are really expanded; init and process errors are rethrown unwrapped", async () => {
  let got: Secrets | undefined;
  const engram = defineBatch({
    init(ctx) {
      got = ctx.secrets;
    },
    process: () => ({}),
  });
  await new BatchHarness({
    engram,
    secrets: { token: "literal-value", api: "env:APP_" },
    env: { APP_KEY: "k1" },
  }).run();
  assert.equal(got?.get("token"), "literal-value");
  assert.equal(got?.get("KEY"), "k1", "env:APP_ collects APP_KEY as KEY");
  assert.deepEqual(got?.names(), ["KEY", "token"]);
  const boom = new Error("init failed");
  await assert.rejects(
    new BatchHarness({ engram: defineBatch({ init: () => Promise.reject(boom), process: () => ({}) }) }).run(),
    (e) => e === boom,
  );
  await assert.rejects(new BatchHarness({ engram: undefined as never }).run(), /engram is required/);
});

test("signals, effects, published logs and log lines are captured, also when process throws", async () => {
  const engram = defineBatch({
    async process(ctx) {
      ctx.logger.info("working", { step: 1 });
      await ctx.signals.emit("progress", { done: 1 });
      await ctx.signals.emitText("summary", "all good", { sampleBytes: 4 });
      assert.deepEqual(await ctx.effects.record("charge:1", { status: "succeeded", details: { id: "ch_1" } }), {
        recorded: true,
        seq: 1,
      });
      assert.deepEqual(await ctx.effects.record("charge:1"), { recorded: false, seq: 1 }, "one record per key");
      assert.equal(await ctx.effects.has("charge:1"), true);
      const ref = await ctx.logs.publish("line 1\n");
      assert.ok(ref);
      if (ctx.config.fail) throw new Error("late failure");
      return {};
    },
  });
  const run = await new BatchHarness({ engram, config: {} }).run();
  assert.deepEqual(
    run.signals.map((s) => [s.key, s.event.seq, s.stored]),
    [
      ["progress", 1, "summary"],
      ["summary", 2, "value"],
    ],
  );
  assert.deepEqual(run.signals[0]!.value, { done: 1 });
  assert.deepEqual((run.signals[1]!.latest as { sample: unknown }).sample, { text: "all ", truncated: true });
  assert.deepEqual(
    run.effects.map((e) => [e.key, e.seq, e.status, e.details]),
    [["charge:1", 1, "succeeded", { id: "ch_1" }]],
  );
  assert.deepEqual(
    run.logs.map((l) => l.text),
    ["line 1\n"],
  );
  assert.deepEqual(
    run.logLines.map((l) => [l.msg, l.step]),
    [["working", 1]],
  );

  const failing = new BatchHarness({ engram, config: { fail: true } });
  await assert.rejects(failing.run(), /late failure/);
  assert.equal(failing.captured?.signals.length, 2, "what ran before the throw is still there");
});

test("effects.once runs once across runs that share an effect store (a retried step)", async () => {
  let ran = 0;
  const engram = defineBatch({
    async process(ctx) {
      const sent = await ctx.effects.once("email:welcome", () => ++ran);
      return { already: sent.already };
    },
  });
  const store = memoryEffectStore();
  const first = await new BatchHarness({ engram, effectStore: store }).run();
  const retry = await new BatchHarness({ engram, effectStore: store }).run();
  assert.equal(ran, 1);
  assert.deepEqual([first.output, retry.output], [{ already: false }, { already: true }]);
  assert.deepEqual(
    first.effects.map((e) => [e.key, e.status, e.details]),
    [["email:welcome", "succeeded", { value: 1 }]],
  );
});
