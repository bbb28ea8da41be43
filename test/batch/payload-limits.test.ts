// Local runs apply the payload bounds a pod applies (hydration depth, config guard, decode
// limits), and decoding keeps reserved keys as data and payload strings out of messages.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as v from "valibot";
import { startBatch } from "../../src/batch/start-batch.ts";
import { createMergePatch } from "../../src/k8s/merge-patch.ts";
import { noopLogger } from "../../src/observability/logger.ts";
import { decodePayload } from "../../src/process/decode.ts";
import { detectRuntime } from "../../src/runtime/detect.ts";

const rt = { ...detectRuntime(), writeStdout: () => {}, writeStderr: () => {} };

async function local(env: Record<string, string>, engram: Record<string, unknown> = {}) {
  let inputs: unknown;
  let config: unknown;
  const outcome = await startBatch(
    {
      ...engram,
      init(ctx: { config: unknown }) {
        config = ctx.config;
      },
      process(_ctx: unknown, i: unknown) {
        inputs = i;
        return { ok: true };
      },
    } as never,
    { env, args: [], exit: false, logger: noopLogger, runtime: rt },
  );
  return { outcome, inputs, config };
}

const nest = (n: number): string => `${"[".repeat(n)}${"]".repeat(n)}`;

describe("local mode applies the cluster's payload bounds", () => {
  test("inputs deeper than BUBU_MAX_RECURSION_DEPTH fail as in a pod (default 10)", async () => {
    const ok = await local({ BUBU_TRIGGER_DATA: `{"a":${nest(10)}}` });
    assert.equal(ok.outcome.status.phase, "Succeeded");
    const { outcome } = await local({ BUBU_TRIGGER_DATA: `{"a":${nest(11)}}` });
    assert.equal(outcome.status.phase, "Failed");
    assert.equal(
      outcome.status.lastFailureMsg,
      "failed to hydrate inputs: maximum recursion depth (10) exceeded during hydration",
    );
    assert.equal(outcome.status.error?.type, "validation_error");
    const raised = await local({ BUBU_TRIGGER_DATA: `{"a":${nest(11)}}`, BUBU_MAX_RECURSION_DEPTH: "32" });
    assert.equal(raised.outcome.status.phase, "Succeeded");
  });

  test("config: the traversal guard and the hydration depth, with the cluster's texts", async () => {
    const deep = await local({ BUBU_STEP_CONFIG: `{"a":${nest(11)}}` });
    assert.equal(
      deep.outcome.status.lastFailureMsg,
      "failed to hydrate config: maximum recursion depth (10) exceeded during hydration",
    );
    const wide = await local({
      BUBU_STEP_CONFIG: JSON.stringify({ a: Array.from({ length: 20 }, (_, i) => i) }),
      BUBU_CONFIG_HYDRATION_MAX_NODES: "10",
    });
    assert.equal(
      wide.outcome.status.lastFailureMsg,
      "failed to hydrate config: config rejected before hydration: config exceeds max nodes 10",
    );
  });

  test("100k levels and 1e999: clear validation errors, no stack overflow, no silent null", async () => {
    for (const [text, reason] of [
      [`{"a":${nest(100_000)}}`, "JSON nested deeper than 1000 levels"],
      ['{"a":1e999}', 'JSON number at "a" is not a finite 64-bit float'],
    ] as const) {
      const { outcome, inputs } = await local({ BUBU_TRIGGER_DATA: text });
      assert.equal(inputs, undefined);
      assert.equal(outcome.status.phase, "Failed");
      assert.equal(outcome.status.lastFailureMsg, `failed to load execution context: BUBU_TRIGGER_DATA: ${reason}`);
      assert.equal(outcome.status.error?.type, "validation_error");
    }
  });

  test("__proto__ in inputs and in BUBU_CONFIG_* reaches the engram as data", async () => {
    const { outcome, inputs, config } = await local({
      BUBU_TRIGGER_DATA: '{"__proto__":{"polluted":1},"keep":2}',
      BUBU_CONFIG___proto__: "x",
    });
    assert.equal(outcome.status.phase, "Succeeded");
    assert.deepEqual(Object.keys(inputs as object), ["__proto__", "keep"]);
    assert.equal(Object.getPrototypeOf(inputs), Object.prototype);
    assert.deepEqual(Object.keys(config as object), ["__proto__"]);
    assert.equal(({} as { polluted?: unknown }).polluted, undefined);
  });
});

describe("decodePayload", () => {
  const input = (): Record<string, unknown> =>
    JSON.parse('{"__proto__":{"x":1},"constructor":"c","prototype":3,"a":"s"}');

  test("record, looseObject and objectWithRest keep reserved keys as own members", () => {
    for (const schema of [
      v.record(v.string(), v.unknown()),
      v.looseObject({ a: v.string() }),
      v.objectWithRest({ a: v.string() }, v.unknown()),
    ]) {
      const out = decodePayload("inputs", schema, input(), false) as object;
      assert.deepEqual(Object.keys(out).sort(), ["__proto__", "a", "constructor", "prototype"], schema.type);
      assert.equal(Object.getPrototypeOf(out), Object.prototype);
      assert.deepEqual((out as Record<string, unknown>)["__proto__"], { x: 1 });
    }
  });

  test("a restored key is still validated by the record's value schema", () => {
    assert.throws(
      () => decodePayload("inputs", v.record(v.string(), v.string()), JSON.parse('{"__proto__":1}'), false),
      {
        message: "inputs validation failed at __proto__: Invalid type: Expected string but received 1",
      },
    );
  });

  test("v.object drops unknown keys (reserved or not); strict decoding reports them", () => {
    const out = decodePayload("inputs", v.object({ a: v.string() }), input(), false);
    assert.deepEqual(out, { a: "s" });
    assert.throws(
      () => decodePayload("inputs", v.object({ a: v.string() }), input(), true),
      /unknown key "__proto__" \(strict decoding is on\) \(and 2 more\)/,
    );
  });

  test("messages never quote the payload's strings", () => {
    assert.throws(
      () =>
        decodePayload(
          "inputs",
          v.object({ n: v.number(), p: v.picklist(["a", "b"]) }),
          { n: "hunter2", p: "sekret" },
          false,
        ),
      (err: Error & { details?: unknown }) => {
        assert.equal(
          err.message,
          "inputs validation failed at n: Invalid type: Expected number but received a string (and 1 more)",
        );
        assert.doesNotMatch(JSON.stringify({ m: err.message, d: err.details }), /hunter2|sekret/);
        return true;
      },
    );
  });
});

test("merge patch: a __proto__ member of the status output is sent as a member", () => {
  const patch = createMergePatch({ output: { k: 1 } }, JSON.parse('{"output":{"__proto__":{"x":1},"k":2}}')) as {
    output: object;
  };
  assert.equal(JSON.stringify(patch), '{"output":{"__proto__":{"x":1},"k":2}}');
  assert.equal(Object.getPrototypeOf(patch.output), Object.prototype);
});
