import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { newStreamMessage, parseStreamErrorMessage, streamMessageJson } from "../../src/streaming/mod.ts";
import { StreamHarness, StreamSuite, validateStreamErrorMessage } from "../../src/testkit/mod.ts";
import { echoStream } from "./engram.ts";

const inputs = [
  newStreamMessage("data", { json: { text: "hello", n: 1 }, metadata: { k: "v" }, messageId: "m1" }),
  newStreamMessage("data", { json: { name: "ada", text: "x" } }),
];

describe("echo-stream", () => {
  test("upper-cases the configured field and keeps the rest", async () => {
    const { outputs, failed, error } = await new StreamHarness({
      engram: echoStream,
      config: { field: "name", prefix: "> " },
      inputs,
    }).run();
    assert.equal(failed, false, String(error));
    assert.deepEqual(
      outputs.map((m) => streamMessageJson(m)),
      [
        { text: "hello", n: 1 },
        { name: "> ADA", text: "x" },
      ],
    );
    assert.deepEqual(outputs[0]?.metadata, { k: "v" });
    assert.equal(outputs[0]?.messageId, "m1");
  });

  test("answers a non-object payload with a validation_error stream error", async () => {
    const { outputs, failed } = await new StreamHarness({
      engram: echoStream,
      config: { field: "text", prefix: "" },
      inputs: [newStreamMessage("data", { json: [1, 2] })],
    }).run();
    assert.equal(failed, false);
    assert.equal(outputs.length, 1);
    assert.equal(validateStreamErrorMessage(outputs[0]!), undefined);
    const parsed = parseStreamErrorMessage(outputs[0]!);
    assert.ok(parsed.isError);
    assert.equal(parsed.error.type, "validation_error");
  });

  test("conformance: valid outputs, one per input, every input done", async () => {
    await new StreamSuite({
      engram: echoStream,
      config: { field: "text", prefix: "" },
      inputs: [...inputs, newStreamMessage("data", { json: "not an object" })],
      requireValidMessages: true,
      requireNonEmptyOutput: true,
      minOutputCount: 3,
      requireAllInputsDone: true,
      validateOutputMessage: (m) => assert.ok(m.kind === "data" || m.kind === "error"),
    }).run();
  });

  test("conformance catches a wrong expectation", async () => {
    await assert.rejects(
      new StreamSuite({ engram: echoStream, config: { field: "text", prefix: "" }, inputs, minOutputCount: 3 }).run(),
      /^Error: stream output contract failed: expected at least 3 stream output message\(s\), got 2$/,
    );
  });
});
