// The hybrid bridge in real batch processes (local mode, no cluster): a successful run forwards
// its output to the connector once; connector errors, silence and the off switch never change
// the exit code or the printed output.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Code } from "@connectrpc/connect";
import { FakeConnector } from "../peers/connector/index.ts";
import { bindingJson, dec } from "../streaming/helpers.ts";
import { type RunResult, runScript } from "../support/spawn.ts";

const FIXTURE = "test/batch/fixtures/fixture-engram.ts";
const FAILED = "Hybrid bridge (batch→stream) send failed; continuing without downstream delivery";
const DELIVERED = "Hybrid bridge (batch→stream) delivered output to Hub";
const TRANSPORTS = [
  {
    name: "voice",
    kind: "livekit",
    mode: "fallback",
    typed_config: { transport_ref: "lk", mode_reason: "cold start" },
  },
];

function logs(r: RunResult): Record<string, unknown>[] {
  return r.stderr
    .split("\n")
    .filter((l) => l.startsWith('{"time"'))
    .map((l) => JSON.parse(l));
}

const withFake = FakeConnector.using;

function run(inputs: unknown, env: Record<string, string>): Promise<RunResult> {
  return runScript(FIXTURE, {
    env: {
      BUBU_TRIGGER_DATA: JSON.stringify(inputs),
      BUBU_STORY_NAME: "story-a",
      BUBU_STORYRUN_ID: "run-1",
      BUBU_STEP_NAME: "step-b",
      BUBU_TRANSPORTS: JSON.stringify(TRANSPORTS),
      ...env,
    },
    timeoutMs: 60_000,
  });
}

describe("hybrid bridge in a batch process", () => {
  test("success: exactly one envelope with metadata, inputs, transports and the protocol header; exit 0", async () => {
    await withFake({}, async (fake) => {
      const r = await run({ mode: "ok", value: "v" }, { BUBU_TRANSPORT_BINDING: bindingJson(fake.endpoint) });
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), { ok: true, value: "v" }, "the output is still printed");
      assert.equal(fake.opens("data").length, 1);
      assert.equal(fake.opens("data")[0]["bubu-transport-protocol"], "1.0.0");
      assert.equal(fake.opens("control").length, 0);
      assert.equal(fake.events.filter((e) => e.type === "data-request").length, 1);
      const [req] = fake.dataRequests;
      const frame = req.frame.value as { payload: Uint8Array; mimeType: string };
      assert.equal(frame.mimeType, "application/vnd.bubu.packet+json");
      const envelope = JSON.parse(dec.decode(frame.payload));
      assert.equal(envelope.kind, "data");
      assert.deepEqual(envelope.payload, { ok: true, value: "v" });
      assert.deepEqual(envelope.inputs, { mode: "ok", value: "v" });
      assert.deepEqual(envelope.metadata, { storyName: "story-a", storyRunID: "run-1", stepName: "step-b" });
      assert.deepEqual(envelope.transports, [
        {
          name: "voice",
          kind: "livekit",
          mode: "fallback",
          typedConfig: { transportRef: "lk", modeReason: "cold start" },
        },
      ]);
      assert.deepEqual(req.payload, { ok: true, value: "v" });
      assert.deepEqual(req.inputs, { mode: "ok", value: "v" });
      assert.equal(req.metadata["bubu.envelope.kind"], "data");
      assert.equal(req.transports[0].mode, "fallback");
      assert.equal(logs(r).filter((l) => l.msg === DELIVERED).length, 1);
    });
  });

  test("connector answers FAILED_PRECONDITION: a warning with the cause, exit 0, output unchanged", async () => {
    await withFake({ dataEndCode: Code.FailedPrecondition }, async (fake) => {
      const r = await run({ mode: "ok" }, { BUBU_TRANSPORT_BINDING: bindingJson(fake.endpoint) });
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), { ok: true });
      assert.equal(fake.dataRequests.length, 1);
      const warn = logs(r).filter((l) => l.msg === FAILED);
      assert.equal(warn.length, 1);
      assert.equal(warn[0].level, "WARN");
      assert.match(String(warn[0].error), /FailedPrecondition: fake connector refused the data stream/);
      assert.ok(!logs(r).some((l) => l.msg === DELIVERED));
    });
  });

  test("connector never answers: a timeout after BUBU_HYBRID_BRIDGE_TIMEOUT, exit 0, bounded", async () => {
    await withFake({ holdDataAfterClientEnd: true }, async (fake) => {
      const r = await run(
        { mode: "ok" },
        { BUBU_TRANSPORT_BINDING: bindingJson(fake.endpoint), BUBU_HYBRID_BRIDGE_TIMEOUT: "700ms" },
      );
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), { ok: true });
      assert.equal(fake.dataRequests.length, 1);
      const warn = logs(r).find((l) => l.msg === FAILED);
      assert.match(
        String(warn?.error),
        /^hybrid bridge timed out after 700ms \(BUBU_HYBRID_BRIDGE_TIMEOUT\) while waiting for the connector's answer/,
      );
      // Start-up of a child runtime plus 700ms; far below the 15s default.
      assert.ok(r.ms < 10_000, `took ${r.ms}ms`);
    });
  });

  test("SIGTERM while waiting for the connector: the bridge gives up at once, exit 0 (the step already succeeded)", async () => {
    await withFake({ holdDataAfterClientEnd: true }, async (fake) => {
      let sent = false;
      const r = await runScript(FIXTURE, {
        env: {
          BUBU_TRIGGER_DATA: '{"mode":"ok"}',
          BUBU_TRANSPORT_BINDING: bindingJson(fake.endpoint),
          BUBU_DEBUG: "1",
        },
        timeoutMs: 60_000,
        onOutput: (text, child) => {
          if (!sent && text.includes("Delivering hybrid payload via connector")) {
            sent = true;
            // Let the packet reach the fake first.
            void fake
              .waitFor(() => fake.dataRequests.length === 1, 10_000, "the packet")
              .then(() => child.kill("SIGTERM"));
          }
        },
      });
      assert.ok(sent, r.stderr);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), { ok: true });
      const warn = logs(r).find((l) => l.msg === FAILED);
      assert.match(String(warn?.error), /^hybrid bridge aborted while waiting for the connector's answer: SIGTERM$/);
      assert.ok(r.ms < 10_000, `took ${r.ms}ms (the default bridge timeout is 15s)`);
    });
  });

  test("BUBU_HYBRID_BRIDGE=off (and 0/false/no): no Data stream; any other value keeps it on", async () => {
    await withFake({}, async (fake) => {
      for (const off of ["off", "0", "FALSE", " no "]) {
        const r = await run(
          { mode: "ok" },
          { BUBU_TRANSPORT_BINDING: bindingJson(fake.endpoint), BUBU_HYBRID_BRIDGE: off },
        );
        assert.equal(r.code, 0, r.stderr);
        assert.ok(!r.stderr.includes("Hybrid bridge"), off);
      }
      assert.equal(fake.opens("data").length, 0);
      const on = await run(
        { mode: "ok" },
        { BUBU_TRANSPORT_BINDING: bindingJson(fake.endpoint), BUBU_HYBRID_BRIDGE: "yes please" },
      );
      assert.equal(on.code, 0, on.stderr);
      assert.equal(fake.opens("data").length, 1);
    });
  });

  test("no binding: no Data stream, a debug line only", async () => {
    const r = await run({ mode: "ok" }, { BUBU_DEBUG: "1" });
    assert.equal(r.code, 0, r.stderr);
    const skip = logs(r).filter((l) => String(l.msg).includes("skipping hybrid bridge"));
    assert.equal(skip.length, 1);
    assert.equal(skip[0].level, "DEBUG");
    assert.ok(!r.stderr.includes("Hybrid bridge (batch"));
  });

  test("failed or non-object results: the run fails and nothing is forwarded", async () => {
    await withFake({}, async (fake) => {
      const binding = { BUBU_TRANSPORT_BINDING: bindingJson(fake.endpoint) };
      const failed = await run({ mode: "throw" }, binding);
      assert.equal(failed.code, 1);
      // status.output must be an object (quirks B6): the run fails before the bridge.
      const scalar = await run({ mode: "scalar", value: [1, 2] }, binding);
      assert.equal(scalar.code, 1);
      assert.match(scalar.stderr, /engram output must be a JSON object/);
      assert.equal(fake.opens("data").length, 0);
    });
  });
});
