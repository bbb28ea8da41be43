// The hybrid bridge (batch → stream) in process, against the fake connector: the exact packet,
// the protocol header, the connector's answer (OK, an error code, none), and every skip and
// failure path. Process-level runs are in hybrid-process.test.ts.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Code } from "@connectrpc/connect";
import {
  HYBRID_BRIDGE_DELIVERED_MESSAGE,
  HYBRID_BRIDGE_FAILED_MESSAGE,
  type HybridBridgeInput,
  hybridStreamMessage,
  runHybridBridge,
} from "../../src/batch/hybrid-bridge.ts";
import { emptyStoryInfo } from "../../src/env/story-info.ts";
import { detectRuntime } from "../../src/runtime/detect.ts";
import { FakeConnector } from "../peers/connector/index.ts";
import { bindingJson, dec, memoryLogger } from "../streaming/helpers.ts";

const ENVELOPE_MIME = "application/vnd.bubu.packet+json";
const STORY = {
  storyName: "story-a",
  storyRunID: "run-1",
  stepName: " step-b ",
  stepRunID: "run-1-step-b",
  stepRunNamespace: "team",
};
const INPUT: HybridBridgeInput = {
  output: { answer: 42, nested: { z: 1, a: [true, null] } },
  inputs: { question: "why", n: 2 },
  storyInfo: STORY,
  transports: [{ name: "voice", kind: "livekit", mode: "hot", typedConfig: { transportRef: "lk-main" } }],
};

const withFake = FakeConnector.using;

function bridge(
  env: Record<string, string>,
  input: HybridBridgeInput = INPUT,
  timeoutNs = 5_000_000_000n,
  answerGraceMs?: number,
) {
  const mem = memoryLogger();
  const run = runHybridBridge(input, {
    runtime: detectRuntime(),
    env: (n) => env[n],
    logger: mem.logger,
    timeoutNs,
    ...(answerGraceMs !== undefined ? { answerGraceMs } : {}),
  });
  return { run, lines: mem.lines };
}

describe("hybrid bridge: delivery", () => {
  test("one Data stream with the protocol header, one envelope packet, closed by us, OK from the connector", async () => {
    await withFake({}, async (fake) => {
      const { run, lines } = bridge({ BUBU_TRANSPORT_BINDING: bindingJson(fake.endpoint) });
      const t0 = Date.now();
      const result = await run;
      assert.deepEqual(result, { kind: "delivered", endpoint: fake.endpoint, answer: "delivered" });
      assert.ok(Date.now() - t0 < 3_000);

      const opens = fake.opens("data");
      assert.equal(opens.length, 1);
      assert.equal(opens[0]["bubu-transport-protocol"], "1.0.0");
      assert.equal(fake.opens("control").length, 0, "no Control stream");
      assert.ok(
        fake.events.some((e) => e.type === "data-end"),
        "the bridge half-closed Data",
      );
      assert.equal(fake.events.filter((e) => e.type === "data-request").length, 1, "exactly one packet, no heartbeat");

      const [req] = fake.dataRequests;
      assert.equal(req.frame.case, "binary");
      const frame = req.frame.value as { payload: Uint8Array; mimeType: string; timestampMs: bigint };
      assert.equal(frame.mimeType, ENVELOPE_MIME);
      const envelope = JSON.parse(dec.decode(frame.payload));
      const meta = {
        storyName: "story-a",
        storyRunID: "run-1",
        stepName: "step-b",
        stepRunID: "run-1-step-b",
        stepRunNamespace: "team",
      };
      assert.deepEqual(envelope, {
        version: "v1",
        kind: "data",
        timestampMs: Number(frame.timestampMs),
        metadata: meta,
        payload: INPUT.output,
        inputs: INPUT.inputs,
        transports: [{ name: "voice", kind: "livekit", mode: "hot", typedConfig: { transportRef: "lk-main" } }],
      });
      assert.ok(Math.abs(Number(frame.timestampMs) - Date.now()) < 10_000, "timestamp is now");
      // The same packet as Structs and metadata, as streaming outbound sends it.
      assert.deepEqual(req.payload, INPUT.output);
      assert.deepEqual(req.inputs, INPUT.inputs);
      assert.deepEqual(req.metadata, {
        ...meta,
        "bubu.envelope.kind": "data",
        "bubu.envelope.timestamp_ms": String(frame.timestampMs),
      });
      assert.equal(req.transports.length, 1);
      assert.equal(req.transports[0].name, "voice");
      assert.equal(req.transports[0].typedConfig?.transportRef, "lk-main");

      const info = lines().filter((l) => l.msg === HYBRID_BRIDGE_DELIVERED_MESSAGE);
      assert.equal(info.length, 1);
      assert.equal(info[0].level, "INFO");
    });
  });

  test("packets the connector sends on the stream are ignored; only its final status counts", async () => {
    await withFake({ echo: true }, async (fake) => {
      const { run } = bridge({ BUBU_TRANSPORT_BINDING: bindingJson(fake.endpoint) });
      assert.equal((await run).kind, "delivered");
      assert.equal(fake.dataRequests.length, 1);
    });
  });

  test("dial and size settings come through the binding's env overrides", async () => {
    await withFake({}, async (fake) => {
      // A send limit below the packet size, set only in the binding payload, must be honoured.
      const binding = bindingJson(fake.endpoint, { env: { BUBU_GRPC_CLIENT_MAX_SEND_BYTES: "64" } });
      const { run, lines } = bridge({ BUBU_TRANSPORT_BINDING: binding });
      const result = await run;
      assert.equal(result.kind, "failed");
      assert.equal(fake.dataRequests.length, 0);
      const warn = lines().filter((l) => l.msg === HYBRID_BRIDGE_FAILED_MESSAGE);
      assert.equal(warn.length, 1);
      assert.match(String(warn[0].error), /ResourceExhausted: .*writeMaxBytes 64/);
    });
  });
});

describe("hybrid bridge: failures are logged, never thrown", () => {
  test("connector answers FAILED_PRECONDITION: a warning with the contract text and the cause", async () => {
    await withFake({ dataEndCode: Code.FailedPrecondition }, async (fake) => {
      const { run, lines } = bridge({ BUBU_TRANSPORT_BINDING: bindingJson(fake.endpoint) });
      const result = await run;
      assert.equal(result.kind, "failed");
      assert.equal(fake.dataRequests.length, 1, "the packet was sent; the connector refused it");
      const warn = lines().filter((l) => l.msg === HYBRID_BRIDGE_FAILED_MESSAGE);
      assert.equal(warn.length, 1);
      assert.equal(warn[0].level, "WARN");
      assert.match(
        String(warn[0].error),
        /^sending the hybrid payload to transport connector 127\.0\.0\.1:\d+ failed: FailedPrecondition: fake connector refused the data stream$/,
      );
      assert.ok(!lines().some((l) => l.msg === HYBRID_BRIDGE_DELIVERED_MESSAGE));
    });
  });

  test("connector never answers: a timeout after BUBU_HYBRID_BRIDGE_TIMEOUT, bounded", async () => {
    await withFake({ holdDataAfterClientEnd: true }, async (fake) => {
      const t0 = Date.now();
      const { run, lines } = bridge({ BUBU_TRANSPORT_BINDING: bindingJson(fake.endpoint) }, INPUT, 400_000_000n);
      const result = await run;
      const ms = Date.now() - t0;
      assert.equal(result.kind, "failed");
      assert.ok(ms >= 350 && ms < 3_000, `took ${ms}ms`);
      assert.equal(fake.dataRequests.length, 1);
      const warn = lines().find((l) => l.msg === HYBRID_BRIDGE_FAILED_MESSAGE);
      assert.match(
        String(warn?.error),
        /^hybrid bridge timed out after 400ms \(BUBU_HYBRID_BRIDGE_TIMEOUT\) while waiting for the connector's answer at 127\.0\.0\.1:\d+$/,
      );
    });
  });

  test("a connector that keeps Data open without rejecting: delivered ('unrejected') after the grace, long before the deadline", async () => {
    await withFake({ holdDataAfterClientEnd: true }, async (fake) => {
      const t0 = Date.now();
      const { run, lines } = bridge(
        { BUBU_TRANSPORT_BINDING: bindingJson(fake.endpoint) },
        INPUT,
        15_000_000_000n,
        300,
      );
      const result = await run;
      const ms = Date.now() - t0;
      assert.deepEqual(result, { kind: "delivered", endpoint: fake.endpoint, answer: "unrejected" });
      assert.ok(ms >= 250 && ms < 5_000, `took ${ms}ms`);
      assert.equal(fake.dataRequests.length, 1);
      assert.ok(lines().some((l) => l.msg === HYBRID_BRIDGE_DELIVERED_MESSAGE && l.answer === "unrejected"));
    });
  });

  test("nobody listening: a dial failure naming the endpoint, within the bridge deadline", async () => {
    const port = await withFake({}, (fake) => Promise.resolve(fake.endpoint)); // closed again: nothing listens there
    const t0 = Date.now();
    const { run, lines } = bridge(
      { BUBU_TRANSPORT_BINDING: bindingJson(port), BUBU_GRPC_DIAL_TIMEOUT: "10s" },
      INPUT,
      600_000_000n,
    );
    const result = await run;
    assert.equal(result.kind, "failed");
    assert.ok(Date.now() - t0 < 3_000, "bounded by the bridge timeout, not the 10s dial timeout");
    const warn = lines().find((l) => l.msg === HYBRID_BRIDGE_FAILED_MESSAGE);
    assert.match(
      String(warn?.error),
      new RegExp(
        `(failed to dial transport connector|timed out after 600ms .* while dialling the connector at) ${port.replaceAll(".", "\\.")}`,
      ),
    );
  });

  test("output that is not a JSON object: an error log, nothing dialled", async () => {
    await withFake({}, async (fake) => {
      for (const [output, what] of [
        [[1, 2], "an array"],
        ["text", "a string"],
        [7, "a number"],
      ] as const) {
        const { run, lines } = bridge({ BUBU_TRANSPORT_BINDING: bindingJson(fake.endpoint) }, { ...INPUT, output });
        const result = await run;
        assert.equal(result.kind, "failed");
        const log = lines().find((l) => l.msg === HYBRID_BRIDGE_FAILED_MESSAGE);
        assert.equal(log?.level, "ERROR");
        assert.equal(log?.error, `hybrid bridge output must be a JSON object, got ${what}`);
      }
      assert.equal(fake.opens("data").length, 0);
    });
  });

  test("bad binding or endpoint: logged with the reason, nothing dialled", async () => {
    const cases: [string, RegExp][] = [
      ["{not json", /invalid BUBU_TRANSPORT_BINDING/],
      [bindingJson("127.0.0.1:1", { protocolVersion: "2.0.0" }), /invalid transport protocol version in binding/],
      [bindingJson("no-port-here"), /invalid transport connector endpoint "no-port-here"/],
    ];
    for (const [binding, want] of cases) {
      const { run, lines } = bridge({ BUBU_TRANSPORT_BINDING: binding });
      assert.equal((await run).kind, "failed");
      assert.match(String(lines().find((l) => l.msg === HYBRID_BRIDGE_FAILED_MESSAGE)?.error), want);
    }
  });

  test("logs carry neither the output, the inputs nor the binding payload", async () => {
    await withFake({ dataEndCode: Code.FailedPrecondition }, async (fake) => {
      const binding = bindingJson(fake.endpoint, { env: { PROVIDER_TOKEN: "tok-ZZ-binding-secret" } });
      const input = { ...INPUT, output: { apiKey: "sk-output-secret" }, inputs: { password: "pw-input-secret" } };
      const mem = memoryLogger();
      await runHybridBridge(input, {
        runtime: detectRuntime(),
        env: (n) => ({ BUBU_TRANSPORT_BINDING: binding, BUBU_DEBUG: "1" })[n],
        logger: mem.logger,
        timeoutNs: 5_000_000_000n,
      });
      const text = JSON.stringify(mem.lines());
      assert.match(text, /Delivering hybrid payload via connector/, "debug lines were on");
      for (const secret of ["tok-ZZ-binding-secret", "sk-output-secret", "pw-input-secret"])
        assert.ok(!text.includes(secret), secret);
    });
  });
});

describe("hybrid bridge: skips", () => {
  test("no binding, or no output: debug log, no connection", async () => {
    await withFake({}, async (fake) => {
      for (const [env, input, reason] of [
        [{}, INPUT, "no-binding"],
        [{ BUBU_TRANSPORT_BINDING: "  " }, INPUT, "no-binding"],
        [{ BUBU_TRANSPORT_BINDING: bindingJson(fake.endpoint) }, { ...INPUT, output: undefined }, "no-output"],
        [{ BUBU_TRANSPORT_BINDING: bindingJson(fake.endpoint) }, { ...INPUT, output: null }, "no-output"],
      ] as const) {
        const { run, lines } = bridge(env, input);
        assert.deepEqual(await run, { kind: "skipped", reason });
        assert.ok(lines().every((l) => l.level === "DEBUG"));
      }
      assert.equal(fake.opens("data").length, 0);
    });
  });
});

describe("hybridStreamMessage", () => {
  test("metadata trimmed, empty fields, inputs and transports left out", () => {
    const now = new Date("2026-01-02T03:04:05.678Z");
    const msg = hybridStreamMessage(
      { output: {}, inputs: {}, storyInfo: { ...emptyStoryInfo, stepName: "  s  " }, transports: [] },
      now,
    );
    assert.deepEqual(Object.keys(msg).sort(), ["kind", "metadata", "payload", "timestamp"]);
    assert.equal(msg.kind, "data");
    assert.equal(msg.timestamp, now);
    assert.deepEqual(msg.metadata, { stepName: "s" });
    assert.equal(dec.decode(msg.payload), "{}");
    const bare = hybridStreamMessage(
      { output: { b: 1, a: "<x>" }, inputs: {}, storyInfo: emptyStoryInfo, transports: [] },
      now,
    );
    assert.equal(bare.metadata, undefined);
    assert.equal(dec.decode(bare.payload), '{"a":"\\u003cx\\u003e","b":1}', "Go json.Marshal bytes");
  });
});
