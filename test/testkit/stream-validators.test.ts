import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { newStreamErrorMessage } from "../../src/engram/streaming-error.ts";
import { newStreamMessage, type StreamMessage } from "../../src/engram/streaming-message.ts";
import { validationError } from "../../src/errors/bubu-error.ts";
import {
  requireStreamErrorMessage,
  requireStreamMessage,
  validateStreamErrorMessage,
  validateStreamMessage,
} from "../../src/testkit/mod.ts";

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const MISSING = "stream message missing payload, inputs, transports, or media";

describe("validateStreamMessage (testkit)", () => {
  test("accepts a payload, inputs, transports or a media frame alone", () => {
    const ok: StreamMessage[] = [
      newStreamMessage("data", { json: { a: 1 } }),
      newStreamMessage("data", { inputs: { a: 1 } }),
      { kind: "data", transports: [{ name: "t", kind: "livekit" }] },
      { binary: { payload: bytes("x"), mimeType: "text/plain" } },
      { audio: { pcm: bytes("x"), sampleRateHz: 16000, channels: 1 } },
      { video: { payload: bytes("x"), codec: "h264" } },
      newStreamErrorMessage(validationError("bad")),
    ];
    for (const msg of ok) assert.equal(validateStreamMessage(msg), undefined, JSON.stringify(msg));
  });

  test("rejects empty messages, heartbeat and noop included", () => {
    for (const msg of [
      {},
      { kind: "heartbeat" },
      { kind: "noop" },
      { kind: "data", payload: new Uint8Array(), metadata: { k: "v" } },
    ]) {
      assert.equal(validateStreamMessage(msg)?.message, MISSING, JSON.stringify(msg));
    }
  });

  test("runs the stream contract check first", () => {
    const err = validateStreamMessage({ kind: "bad kind", payload: bytes("{}") });
    assert.match(err?.message ?? "", /^invalid stream message: kind "bad kind"/);
    assert.match(
      validateStreamMessage({ kind: "heartbeat", messageId: "x" })?.message ?? "",
      /^invalid stream message: heartbeat/,
    );
  });

  test("an error kind (even with spaces) must carry a valid StructuredError", () => {
    assert.equal(
      validateStreamMessage({ kind: "error", payload: bytes('{"type":"x"}') })?.message,
      "stream error payload invalid: structured error version is required",
    );
    // " error " is an error message for the testkit; the contract check then rejects the spaces.
    assert.equal(
      validateStreamMessage({ kind: " error ", payload: bytes("{}") })?.message,
      "stream error payload invalid: structured error version is required",
    );
    assert.match(
      validateStreamMessage({ kind: " error ", payload: bytes('{"version":"v1","type":"unknown","message":"m"}') })
        ?.message ?? "",
      /surrounding whitespace/,
    );
  });
});

describe("validateStreamErrorMessage", () => {
  test("accepts newStreamErrorMessage output", () => {
    assert.equal(validateStreamErrorMessage(newStreamErrorMessage(new Error("boom"))), undefined);
    assert.equal(
      validateStreamErrorMessage(
        newStreamErrorMessage({ version: "v1", type: "timeout", message: "slow", exitClass: "retry" }),
      ),
      undefined,
    );
  });

  test("each failure has its message", () => {
    const cases: Array<[StreamMessage, string | RegExp]> = [
      [newStreamMessage("data", { json: {} }), 'stream message kind "data" is not error'],
      [{}, 'stream message kind "" is not error'],
      [{ kind: "error" }, "stream error message missing payload"],
      [{ kind: "error", payload: bytes("{oops") }, /^stream error payload invalid: /],
      [{ kind: "error", payload: bytes("[1]") }, "stream error payload invalid: not a JSON object"],
      [{ kind: "error", payload: bytes('"s"') }, "stream error payload invalid: not a JSON object"],
      [{ kind: "error", payload: bytes("null") }, "stream error payload invalid: structured error version is required"],
      [
        { kind: "error", payload: bytes('{"version":"v2","type":"unknown","message":"m"}') },
        'stream error payload invalid: unsupported structured error version "v2"',
      ],
      [
        { kind: "error", payload: bytes('{"version":"v1","type":"storage","message":"m"}') },
        'stream error payload invalid: unsupported structured error type "storage"',
      ],
      [
        { kind: "error", payload: bytes('{"version":"v1","type":"unknown","message":" "}') },
        "stream error payload invalid: structured error message is required",
      ],
      [
        { kind: "error", payload: bytes('{"version":"v1","type":"unknown","message":"m","exitClass":"nope"}') },
        'stream error payload invalid: unsupported structured error exitClass "nope"',
      ],
    ];
    for (const [msg, want] of cases) {
      const got = validateStreamErrorMessage(msg)?.message ?? "";
      if (typeof want === "string") assert.equal(got, want);
      else assert.match(got, want);
    }
  });

  test("require* wrappers throw with the Go prefixes", () => {
    assert.throws(() => requireStreamMessage({ kind: "noop" }), { message: `invalid stream message: ${MISSING}` });
    assert.throws(() => requireStreamErrorMessage({ kind: "data" }), {
      message: 'invalid stream error message: stream message kind "data" is not error',
    });
    requireStreamMessage(newStreamMessage("data", { json: 1 }));
    requireStreamErrorMessage(newStreamErrorMessage(new Error("x")));
  });
});
