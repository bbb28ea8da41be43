// BatchHarness: Go's harness steps (secrets really expanded, init then process, errors unwrapped)
// plus decoding through the engram's valibot schemas, as startBatch does.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as v from "valibot";
import { defineBatch } from "../../src/engram/batch-engram.ts";
import { Result } from "../../src/engram/result.ts";
import type { Secrets } from "../../src/engram/secrets.ts";
import { BubuError } from "../../src/errors/bubu-error.ts";
import { BatchHarness } from "../../src/testkit/mod.ts";
import { BatchSuite } from "../../src/conformance/mod.ts";

// The README's engram.
const greeter = defineBatch({
  config: v.object({ greeting: v.optional(v.string(), "Hello") }),
  inputs: v.object({ name: v.pipe(v.string(), v.minLength(1)) }),
  output: v.object({ message: v.string() }),
  init(config) {
    seen.config = config;
  },
  process(_ctx, { name }) {
    return { message: `${seen.config?.greeting}, ${name}` };
  },
});
const seen: { config?: { greeting: string } } = {};

test("config and inputs go through the schemas: defaults reach init, typed values reach process", async () => {
  const result = await new BatchHarness({ engram: greeter, inputs: { name: "Ada" } }).run();
  assert.deepEqual(seen.config, { greeting: "Hello" }, "an omitted config decodes to its defaults");
  assert.ok(result instanceof Result);
  assert.deepEqual(result.data, { message: "Hello, Ada" });
  const custom = await new BatchHarness({ engram: greeter, config: { greeting: "Hi" }, inputs: { name: "Bo" } }).run();
  assert.deepEqual(custom.data, { message: "Hi, Bo" });
});

test("a schema violation is startBatch's validation_error, naming the path", async () => {
  const err = await new BatchHarness({ engram: greeter, inputs: { name: "" } }).run().then(
    () => assert.fail("expected a validation error"),
    (e: unknown) => e,
  );
  assert.ok(err instanceof BubuError);
  assert.equal(err.type, "validation_error");
  assert.match(err.message, /^inputs validation failed at name: /);
  await new BatchSuite({ engram: greeter, inputs: {}, requireStructuredError: true }).run();
  await assert.rejects(new BatchHarness({ engram: greeter, inputs: { name: "x" }, config: { greeting: 3 } }).run(), /config validation failed at greeting/);
});

test("strict decoding rejects unknown keys; decode: false passes values as given (Go)", async () => {
  await assert.rejects(new BatchHarness({ engram: greeter, inputs: { name: "x", extra: 1 }, strict: true }).run(), /unknown key "extra"/);
  const loose = await new BatchHarness({ engram: greeter, inputs: { name: "x", extra: 1 } }).run();
  assert.deepEqual(loose.data, { message: "Hello, x" });
  seen.config = undefined;
  const raw = await new BatchHarness({ engram: greeter, decode: false, config: { greeting: "Yo" }, inputs: { name: "" } }).run();
  assert.deepEqual(raw.data, { message: "Yo, " }, "no schema ran: the empty name was accepted");
});

test("the output is validated, and nothing returned stays undecoded", async () => {
  const bad = defineBatch({ output: v.object({ n: v.number() }), process: () => ({ n: "one" }) as unknown as { n: number } });
  await assert.rejects(new BatchHarness({ engram: bad }).run(), (e: unknown) => e instanceof BubuError && /^output validation failed at n/.test(e.message));
  const none = defineBatch({ output: v.object({ n: v.number() }), process: () => undefined });
  assert.equal((await new BatchHarness({ engram: none }).run()).data, undefined);
});

test("secrets are really expanded; init and process errors are rethrown unwrapped", async () => {
  let got: Secrets | undefined;
  const engram = defineBatch({
    init(_c, secrets) {
      got = secrets;
    },
    process: () => ({}),
  });
  await new BatchHarness({ engram, secrets: { token: "literal-value", api: "env:APP_" }, env: { APP_KEY: "k1" } }).run();
  assert.equal(got?.get("token"), "literal-value");
  assert.equal(got?.get("KEY"), "k1", "env:APP_ collects APP_KEY as KEY");
  assert.deepEqual(got?.names(), ["KEY", "token"]);
  const boom = new Error("init failed");
  await assert.rejects(new BatchHarness({ engram: defineBatch({ init: () => Promise.reject(boom), process: () => ({}) }) }).run(), (e) => e === boom);
  await assert.rejects(new BatchHarness({ engram: undefined as never }).run(), /engram is nil/);
});
