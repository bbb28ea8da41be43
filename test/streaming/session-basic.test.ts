// The core session against the fake connector: handshake, headers, send/receive, receipts, drain.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { defineStreaming } from "../../src/engram/streaming-engram.ts";
import type { InboundMessage } from "../../src/engram/streaming-message.ts";
import { newStreamMessage } from "../../src/engram/streaming-message.ts";
import { ControlAction } from "../../src/gen/transport/v1/transport_pb.ts";
import { startStreaming } from "../../src/streaming/start-streaming.ts";
import { FakeConnector } from "../peers/connector/index.ts";
import { envelopePacket } from "../peers/connector/packets.ts";
import { json, memoryLogger, streamEnv } from "./helpers.ts";

describe("streaming session (fake connector)", () => {
  test("handshake, headers, echo both ways, receipts on done(), clean drain", async () => {
    const fake = await FakeConnector.start({ startup: "none" });
    const stop = new AbortController();
    const received: InboundMessage[] = [];
    try {
      const engram = defineStreaming({
        async stream(_signal, inbound, outbound) {
          for await (const msg of inbound) {
            received.push(msg);
            await outbound.send(
              newStreamMessage("data", { json: { echo: json(msg.payload) }, metadata: { from: "ts" } }),
            );
            msg.done();
          }
        },
      });
      const { logger } = memoryLogger();
      const run = startStreaming(engram, {
        env: streamEnv(fake.endpoint, {}, { name: "b1", namespace: "ns1" }),
        exit: false,
        logger,
        signal: stop.signal,
      });
      await fake.waitFor(
        () => fake.controlRequests.some((r) => r.action === ControlAction.ACK && r.metadata.type === "connector.ready"),
        10_000,
        "startup ACK",
      );
      const control = fake.opens("control")[0];
      assert.equal(control["bubu-transport-protocol"], "1.0.0");
      assert.equal(control["bubu.transport.binding"], "ns1/b1");
      assert.equal(fake.opens("data")[0]["bubu-transport-protocol"], "1.0.0");
      assert.equal(fake.opens("data")[0]["bubu.transport.binding"], undefined);

      await fake.sendData(envelopePacket({ payload: { n: 1 }, streamId: "s", sequence: 1n }));
      await fake.sendData(envelopePacket({ payload: { n: 2 }, messageId: "m-2" }));
      await fake.waitFor(() => fake.dataRequests.length === 2, 10_000, "two echoes");
      await fake.waitFor(() => fake.receipts.length === 1, 10_000, "one receipt");

      assert.deepEqual(
        received.map((m) => json(m.payload)),
        [{ n: 1 }, { n: 2 }],
      );
      assert.equal(received[1].messageId, "m-2");
      assert.equal(received[0].envelope?.sequence, 1n);
      const first = fake.dataRequests[0];
      assert.equal(first.frame.case, "binary");
      assert.equal(first.frame.case === "binary" && first.frame.value.mimeType, "application/vnd.bubu.packet+json");
      assert.deepEqual(first.payload, { echo: { n: 1 } });
      assert.equal(first.metadata["bubu.envelope.kind"], "data");
      assert.equal(first.metadata.from, "ts");
      const r = fake.receipts[0];
      assert.equal(r.streamId, "s");
      assert.equal(r.sequence, "1");
      assert.equal(r.partition, "");
      assert.ok(Number(r.sizeBytes) > 0);

      // ACKs for the startup directives, with Go's metadata.
      const acks = fake.controlRequests.filter((c) => c.action === ControlAction.ACK).map((c) => c.metadata);
      assert.deepEqual(
        acks.find((m) => m.type === "connector.ready"),
        { handled: "true", reason: "startup", type: "connector.ready" },
      );
      assert.deepEqual(
        acks.find((m) => m.type === "handoff.cutover"),
        { handled: "true", reason: "handoff", type: "handoff.cutover" },
      );

      stop.abort();
      const outcome = await run;
      assert.equal(outcome.exitCode, 0, String(outcome.error));
      await fake.waitFor(
        () => fake.events.some((e) => e.type === "data-end") && fake.events.some((e) => e.type === "control-end"),
        5_000,
        "both streams closed",
      );
    } finally {
      stop.abort();
      await fake.close();
    }
  });
});
