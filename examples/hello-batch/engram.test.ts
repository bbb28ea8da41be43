import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { BatchHarness, BatchSuite } from "../../src/testkit/mod.ts";
import { helloBatch } from "./engram.ts";

describe("hello-batch", () => {
  test("greets with the configured greeting", async () => {
    const result = await new BatchHarness({
      engram: helloBatch,
      config: { greeting: "Hi", excited: true },
      inputs: { name: "Ada", times: 2 },
    }).run();
    assert.deepEqual(result.output, { message: "Hi, Ada! Hi, Ada!", length: 17 });
    assert.deepEqual(
      result.signals.map((s) => s.key),
      ["greeted"],
    );
  });

  test("conformance: succeeds and returns an object", async () => {
    await new BatchSuite({
      engram: helloBatch,
      config: { greeting: "Hello", excited: false },
      inputs: { name: "Grace", times: 1 },
      validateResult: (r) => assert.equal((r.output as { message: string }).message, "Hello, Grace."),
    }).run();
  });

  test("conformance catches a wrong expectation", async () => {
    await assert.rejects(
      new BatchSuite({
        engram: helloBatch,
        config: { greeting: "Hello", excited: false },
        inputs: { name: "x", times: 1 },
        expectError: true,
      }).run(),
      /expected error, but engram completed successfully/,
    );
  });
});
