import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { newStreamErrorMessage } from "../../src/engram/streaming-error.ts";
import { newStreamMessage, type StreamMessage } from "../../src/engram/streaming-message.ts";
import { validationError } from "../../src/errors/bubu-error.ts";
import { StreamSuite, type StreamSuiteOptions } from "../../src/testkit/mod.ts";
import type { StreamHarnessOptions } from "../../src/testkit/stream-harness.ts";

const inputs: StreamMessage[] = [1, 2].map((n) => newStreamMessage("data", { json: { n } }));
const MISSING = "stream message missing payload, inputs, transports, or media";

/** Sends `out(msg)` per input, calls done() unless `skipDone`, then throws `fail` if given. */
function engram(
  opts: { out?: (m: StreamMessage) => StreamMessage | undefined; skipDone?: boolean; fail?: unknown } = {},
): StreamHarnessOptions<Record<string, unknown>>["engram"] {
  return {
    async stream(_s, inbound, outbound) {
      for await (const msg of inbound) {
        const out = (opts.out ?? ((m) => ({ kind: "data", payload: m.payload })))(msg);
        if (out) await outbound.send(out);
        if (!opts.skipDone) msg.done();
      }
      if (opts.fail !== undefined) throw opts.fail;
    },
  };
}

function run(options: StreamSuiteOptions<Record<string, unknown>>): Promise<void> {
  return new StreamSuite(options).run();
}

async function fails(options: StreamSuiteOptions<Record<string, unknown>>, message: string): Promise<void> {
  await assert.rejects(run(options), (err: Error) => {
    assert.equal(err.message, message);
    return true;
  });
}

describe("StreamSuite: success path", () => {
  test("all checks pass for a well-behaved engram", async () => {
    const seen: StreamMessage[] = [];
    await run({
      engram: engram(),
      inputs,
      requireValidMessages: true,
      requireNonEmptyOutput: true,
      minOutputCount: 2,
      requireAllInputsDone: true,
      validateOutputMessage: (m) => void seen.push(m),
    });
    assert.equal(seen.length, 2);
  });

  test("an unexpected failure", async () => {
    await fails({ engram: engram({ fail: new Error("boom") }), inputs }, "stream run failed unexpectedly: boom");
    await fails(
      { engram: { init: () => Promise.reject(new Error("no init")), stream: () => {} } },
      "stream run failed unexpectedly: no init",
    );
    await fails(
      { engram: engram({ fail: "str" }) },
      "stream run failed unexpectedly: engram stream threw a non-Error value: str",
    );
  });

  test("an expected error that did not happen", async () => {
    await fails({ engram: engram(), inputs, expectError: true }, "expected error, but stream completed successfully");
    await fails(
      { engram: engram(), inputs, requireStructuredError: true },
      "expected structured error, but stream completed successfully",
    );
  });

  test("output count: minOutputCount, raised to 1 by requireNonEmptyOutput", async () => {
    await fails(
      { engram: engram({ out: () => undefined }), inputs, requireNonEmptyOutput: true },
      "stream output contract failed: expected at least 1 stream output message(s), got 0",
    );
    await fails(
      { engram: engram(), inputs, requireNonEmptyOutput: true, minOutputCount: 3 },
      "stream output contract failed: expected at least 3 stream output message(s), got 2",
    );
    await run({ engram: engram({ out: () => undefined }), inputs, minOutputCount: 0 });
  });

  test("requireAllInputsDone counts done() calls", async () => {
    await fails(
      { engram: engram({ skipDone: true }), inputs, requireAllInputsDone: true },
      "stream input completion contract failed: expected 2 input Done() call(s), got 0",
    );
    await run({ engram: engram({ skipDone: true }), inputs });
  });

  test("requireValidMessages runs the testkit validator on every output", async () => {
    await fails(
      { engram: engram({ out: () => ({ kind: "heartbeat" }) }), inputs, requireValidMessages: true },
      `invalid stream message: ${MISSING}`,
    );
    await fails(
      {
        engram: engram({ out: (m) => ({ kind: "bad kind", payload: m.payload }) }),
        inputs,
        requireValidMessages: true,
      },
      'invalid stream message: invalid stream message: kind "bad kind" has characters outside [A-Za-z0-9._-]',
    );
    await run({ engram: engram({ out: () => ({ kind: "heartbeat" }) }), inputs });
  });

  test("validateOutputMessage failures are wrapped", async () => {
    await fails(
      { engram: engram(), inputs, validateOutputMessage: () => Promise.reject(new Error("nope")) },
      "stream output validation failed: nope",
    );
  });

  test("the output count is checked before the done count, and both before the messages", async () => {
    await fails(
      {
        engram: engram({ out: () => ({ kind: "noop" }), skipDone: true }),
        inputs,
        minOutputCount: 3,
        requireAllInputsDone: true,
        requireValidMessages: true,
      },
      "stream output contract failed: expected at least 3 stream output message(s), got 2",
    );
    await fails(
      {
        engram: engram({ out: () => ({ kind: "noop" }), skipDone: true }),
        inputs,
        requireAllInputsDone: true,
        requireValidMessages: true,
      },
      "stream input completion contract failed: expected 2 input Done() call(s), got 0",
    );
  });
});

describe("StreamSuite: expected error path", () => {
  const PREFIX = "output validation failed (expected error path): ";

  test("an expected error passes, and the done count is not checked", async () => {
    await run({
      engram: engram({ fail: new Error("boom"), skipDone: true }),
      inputs,
      expectError: true,
      requireAllInputsDone: true,
    });
  });

  test("requireStructuredError needs a valid structured error provider", async () => {
    await run({ engram: engram({ fail: validationError("bad input") }), inputs, requireStructuredError: true });
    await fails(
      { engram: engram({ fail: new Error("plain") }), inputs, requireStructuredError: true },
      "expected structured error, got plain",
    );
    const invalid = Object.assign(new Error("odd"), {
      structuredError: () => ({ version: "v1", type: "weird", message: "m" }),
    });
    await fails(
      { engram: engram({ fail: invalid }), inputs, requireStructuredError: true },
      'invalid structured error: unsupported structured error type "weird"',
    );
  });

  test("validateError receives the error; its failure is wrapped", async () => {
    const boom = new Error("boom");
    let got: unknown;
    await run({ engram: engram({ fail: boom }), inputs, expectError: true, validateError: (e) => void (got = e) });
    assert.equal(got, boom);
    await fails(
      { engram: engram({ fail: boom }), inputs, expectError: true, validateError: () => assert.fail("wrong error") },
      "error validation failed: wrong error",
    );
  });

  test("outputs are still checked, with the error-path prefix", async () => {
    await fails(
      {
        engram: { init: () => Promise.reject(new Error("x")), stream: () => {} },
        inputs,
        expectError: true,
        requireNonEmptyOutput: true,
      },
      `${PREFIX}expected at least 1 stream output message(s), got 0`,
    );
    await fails(
      {
        engram: engram({ out: () => ({ kind: "noop" }), fail: new Error("x") }),
        inputs,
        expectError: true,
        requireValidMessages: true,
      },
      `${PREFIX}invalid stream message: ${MISSING}`,
    );
    await fails(
      {
        engram: engram({ fail: new Error("x") }),
        inputs,
        expectError: true,
        validateOutputMessage: () => assert.fail("no"),
      },
      `${PREFIX}stream output validation failed: no`,
    );
  });

  test("in-band error messages are valid outputs", async () => {
    await run({
      engram: engram({ out: () => newStreamErrorMessage(validationError("bad")), fail: validationError("gave up") }),
      inputs,
      requireStructuredError: true,
      requireValidMessages: true,
      minOutputCount: 2,
    });
  });
});
