// Session behaviour over the network against the fake connector: volume and ordering,
// keepalives, replay and dedupe across restarts, reconnects and the budget, heartbeats, hang
// detection, backpressure, PAUSE, directives, chunks, invalid packets, handshake variants.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { type ControlDirective, defineStreaming, type StreamingEngram } from "../../src/engram/streaming-engram.ts";
import { type InboundMessage, newStreamMessage } from "../../src/engram/streaming-message.ts";
import { ControlAction, ControlResponseSchema, DataResponseSchema } from "../../src/gen/transport/v1/transport_pb.ts";
import { type StreamingOutcome, startStreaming } from "../../src/streaming/start-streaming.ts";
import { FakeConnector, type FakeConnectorOptions } from "../peers/connector/index.ts";
import {
  audioPacket,
  chunkPackets,
  envelopePacket,
  framelessPacket,
  hubHeartbeat,
} from "../peers/connector/packets.ts";
import { json, memoryLogger, sleep, streamEnv } from "./helpers.ts";

interface Harness {
  fake: FakeConnector;
  received: InboundMessage[];
  run: Promise<StreamingOutcome>;
  stop(): Promise<StreamingOutcome>;
  logs: () => Record<string, unknown>[];
}

/** An echo engram (or `engram`) against a fresh fake connector. */
async function harness(
  opts: FakeConnectorOptions = {},
  env: Record<string, string> = {},
  engram?: (received: InboundMessage[]) => StreamingEngram,
  where: { unix?: string } = {},
): Promise<Harness> {
  const fake = await FakeConnector.start(opts, where);
  const received: InboundMessage[] = [];
  const e =
    engram?.(received) ??
    defineStreaming({
      async stream(_s, inbound, outbound) {
        for await (const m of inbound) {
          received.push(m);
          await outbound.send({ kind: m.kind, messageId: m.messageId, metadata: m.metadata, payload: m.payload });
          m.done();
        }
      },
    });
  const ctl = new AbortController();
  const { logger, lines } = memoryLogger();
  const run = startStreaming(e, { env: streamEnv(fake.endpoint, env), exit: false, logger, signal: ctl.signal });
  return {
    fake,
    received,
    run,
    logs: lines,
    async stop() {
      ctl.abort();
      try {
        return await run;
      } finally {
        await fake.close();
      }
    },
  };
}

const established = (fake: FakeConnector, n = 1) =>
  fake.waitFor(
    () => fake.controlRequests.filter((r) => r.metadata.type === "connector.ready").length >= n,
    10_000,
    `session ${n} established`,
  );

describe("streaming flow", () => {
  test("1,000 interleaved messages each way, in order", async () => {
    const h = await harness();
    try {
      await established(h.fake);
      const N = 1000;
      const sending = (async () => {
        for (let i = 0; i < N; i++)
          await h.fake.sendData(envelopePacket({ payload: { i }, streamId: "s", sequence: BigInt(i + 1) }));
      })();
      await sending;
      await h.fake.waitFor(() => h.fake.dataRequests.length === N, 30_000, "1000 echoes");
      await h.fake.waitFor(() => h.fake.receipts.length === N, 10_000, "1000 receipts");
      assert.deepEqual(
        h.received.map((m) => (json(m.payload) as { i: number }).i),
        [...Array(N).keys()],
      );
      assert.deepEqual(
        h.fake.dataRequests.map((r) => r.payload?.i),
        [...Array(N).keys()],
      );
      assert.deepEqual(
        h.fake.receipts.map((r) => Number(r.sequence)),
        [...Array(N).keys()].map((i) => i + 1),
      );
      assert.equal((await h.stop()).exitCode, 0);
    } finally {
      await h.fake.close();
    }
  });

  test("keepalives and hub heartbeats are not delivered but sequenced ones are receipted", async () => {
    const h = await harness();
    try {
      await established(h.fake);
      await h.fake.sendData(framelessPacket("k", 1n));
      await h.fake.sendData(hubHeartbeat());
      await h.fake.sendData(envelopePacket({ payload: { real: true } }));
      await h.fake.waitFor(() => h.received.length === 1 && h.fake.receipts.length === 1, 10_000, "delivery");
      assert.deepEqual(json(h.received[0].payload), { real: true });
      assert.deepEqual(h.fake.receipts[0], { streamId: "k", sequence: "1", partition: "", sizeBytes: "7" });
    } finally {
      await h.stop();
    }
  });

  test("replay after a connector restart: no duplicate delivered, receipts re-sent, within the budget", async () => {
    const h = await harness({}, { BUBU_GRPC_RECONNECT_MAX_RETRIES: "3" });
    try {
      await established(h.fake);
      for (let i = 1; i <= 3; i++)
        await h.fake.sendData(envelopePacket({ payload: { i }, streamId: "s", sequence: BigInt(i) }));
      await h.fake.sendData(envelopePacket({ payload: { id: "m" }, messageId: "hook-1" }));
      await h.fake.waitFor(() => h.fake.receipts.length === 3 && h.received.length === 4, 10_000, "first delivery");
      await h.fake.restart(100);
      await established(h.fake, 2);
      // The hub replays what it had not seen acknowledged, plus the same hook id again.
      for (let i = 1; i <= 4; i++)
        await h.fake.sendData(envelopePacket({ payload: { i }, streamId: "s", sequence: BigInt(i) }));
      await h.fake.sendData(envelopePacket({ payload: { id: "m" }, messageId: "hook-1" }));
      await h.fake.waitFor(() => h.received.length === 5 && h.fake.receipts.length === 7, 10_000, "replay handled");
      assert.deepEqual(
        h.received.map((m) => json(m.payload)),
        [{ i: 1 }, { i: 2 }, { i: 3 }, { id: "m" }, { i: 4 }],
      );
      assert.deepEqual(
        h.fake.receipts.map((r) => r.sequence),
        ["1", "2", "3", "1", "2", "3", "4"],
      );
      assert.equal(h.fake.opens("control").length, 2);
      assert.equal((await h.stop()).exitCode, 0);
    } finally {
      await h.fake.close();
    }
  });

  test("connector killed mid-stream: outbound messages queued meanwhile are delivered after the reconnect", async () => {
    let send!: (n: number) => Promise<void>;
    const h = await harness({}, {}, () =>
      defineStreaming({
        async stream(_s, inbound, outbound) {
          send = (n) => outbound.send(newStreamMessage("data", { json: { n } }));
          for await (const m of inbound) m.done();
        },
      }),
    );
    try {
      await established(h.fake);
      await send(1);
      await h.fake.waitFor(() => h.fake.dataRequests.length === 1, 10_000, "first");
      const restarted = h.fake.restart(1_000); // killed, back after 1 s
      // Send only once the SDK saw the session end: a packet written into a connection the kernel
      // has not yet reported dead is lost with it (no acks for unsequenced data, as in Go).
      await h.fake.waitFor(
        () => h.logs().some((l) => l.msg === "transport connector session ended; reconnecting"),
        10_000,
        "the SDK saw the session end",
      );
      for (let n = 2; n <= 5; n++) await send(n); // buffered while the connector is down
      await restarted;
      const distinct = () => [...new Set(h.fake.dataRequests.map((r) => r.payload?.n))];
      await h.fake.waitFor(() => distinct().length === 5, 10_000, "all five");
      // 1 arrives a second time when the kill came before the connector confirmed it.
      assert.deepEqual(distinct(), [1, 2, 3, 4, 5]);
      assert.ok(h.fake.dataRequests.length <= 6);
    } finally {
      await h.stop();
    }
  });

  test("retry budget exhausted: a clear error and exit code 1", async () => {
    const h = await harness({ startup: null }, { BUBU_GRPC_RECONNECT_MAX_RETRIES: "2" });
    const outcome = await h.run;
    await h.fake.close();
    assert.equal(outcome.exitCode, 1);
    assert.match(
      String(outcome.error),
      /transport connector retries exhausted: invalid connector.ready startup metadata: missing startup.capabilities metadata/,
    );
    assert.equal(h.fake.opens("control").length, 3, "one try plus two retries");
  });

  test("handshake: required capabilities gate the data plane; malformed value; timeout is fatal", async () => {
    const h = await harness({ startup: "required", capabilitiesDelayMs: 400 });
    try {
      await h.fake.waitFor(() => h.fake.opens("control").length === 1, 10_000, "control open");
      await h.fake.sendData(envelopePacket({ payload: { early: true } }));
      await sleep(200);
      assert.equal(h.received.length, 0, "nothing is read before capabilities arrive");
      await h.fake.waitFor(() => h.received.length === 1, 10_000, "delivered after the gate");
      await h.fake.waitFor(
        () => h.fake.controlRequests.some((r) => r.metadata.type === "connector.capabilities"),
        5_000,
        "caps ack",
      );
      const capsAck = h.fake.controlRequests.find((r) => r.metadata.type === "connector.capabilities");
      assert.deepEqual(capsAck?.metadata, { handled: "true", reason: "capabilities", type: "connector.capabilities" });
    } finally {
      await h.stop();
    }

    const bad = await harness({ startup: "sometimes" }, { BUBU_GRPC_RECONNECT_MAX_RETRIES: "0" });
    const badOutcome = await bad.run;
    await bad.fake.close();
    assert.match(
      String(badOutcome.error),
      /invalid startup.capabilities metadata "sometimes" \(expected required or none\)/,
    );

    const silent = await harness(
      { startup: "omit-ready" },
      { BUBU_GRPC_MESSAGE_TIMEOUT: "300ms", BUBU_GRPC_RECONNECT_MAX_RETRIES: "5" },
    );
    const t0 = Date.now();
    const out = await silent.run;
    await silent.fake.close();
    assert.equal(out.exitCode, 1);
    assert.match(String(out.error), /control startup handshake timed out: timeout=300ms/);
    assert.equal(silent.fake.opens("control").length, 1, "the handshake timeout is not retried");
    assert.ok(Date.now() - t0 < 5_000);
  });

  test("a later malformed connector.ready tears the session down; the next session recovers", async () => {
    const h = await harness();
    try {
      await established(h.fake);
      await h.fake.sendControl(create(ControlResponseSchema, { action: ControlAction.CONNECTOR_READY, metadata: {} }));
      await established(h.fake, 2);
      assert.equal(h.fake.opens("control").length, 2);
    } finally {
      await h.stop();
    }
  });

  test("data and control heartbeats while idle; the connector's ACK gets no reply", async () => {
    const h = await harness({}, { BUBU_GRPC_HEARTBEAT_INTERVAL: "100ms", BUBU_TRANSPORT_HEARTBEAT_INTERVAL: "150ms" });
    try {
      await established(h.fake);
      await h.fake.waitFor(() => h.fake.heartbeats >= 3, 5_000, "data heartbeats");
      await h.fake.waitFor(
        () => h.fake.controlRequests.filter((r) => r.action === ControlAction.HEARTBEAT).length >= 2,
        5_000,
        "control heartbeats",
      );
      const hb = h.fake.controlRequests.find((r) => r.action === ControlAction.HEARTBEAT)!;
      assert.match(hb.metadata.ts, /^\d{13}$/);
      const acks = h.fake.controlRequests.filter((r) => r.action === ControlAction.ACK);
      assert.equal(
        acks.some((a) => a.metadata.type === "ack"),
        false,
      );
      const hbReq = h.fake.events.find(
        (e) => e.type === "data-request" && e.request.metadata["bubu-heartbeat"] === "true",
      );
      assert.ok(
        hbReq &&
          hbReq.type === "data-request" &&
          hbReq.request.frame.case === undefined &&
          hbReq.request.payload === undefined,
      );
    } finally {
      await h.stop();
    }
  });

  test("hang detection cancels an idle session and reconnects", async () => {
    const h = await harness(
      {},
      { BUBU_GRPC_HANG_TIMEOUT: "300ms", BUBU_GRPC_HEARTBEAT_INTERVAL: "20s", BUBU_GRPC_MESSAGE_TIMEOUT: "30s" },
    );
    try {
      await established(h.fake);
      await established(h.fake, 2);
      assert.ok(h.logs().some((l) => String(l.error).includes("transport session hang detected")));
    } finally {
      await h.stop();
    }
  });

  test("backpressure: send() waits while the connector is not reading; nothing is lost", async () => {
    const sent: number[] = [];
    let pending = 0;
    const h = await harness({}, { BUBU_GRPC_CHANNEL_BUFFER_SIZE: "2" }, () =>
      defineStreaming({
        async stream(ctx, inbound, outbound) {
          const reading = (async () => {
            for await (const m of inbound) m.done();
          })();
          const big = "x".repeat(200_000);
          for (let n = 0; n < 40 && !ctx.signal.aborted; n++) {
            pending++;
            await outbound.send(newStreamMessage("data", { json: { n, big } }));
            pending--;
            sent.push(n);
          }
          await reading; // ends when the SDK drains
        },
      }),
    );
    try {
      await h.fake.setReading(false);
      await established(h.fake);
      await sleep(500);
      assert.ok(sent.length < 40, `sends are held back (accepted ${sent.length})`);
      assert.equal(pending, 1);
      await h.fake.setReading(true);
      await h.fake.waitFor(() => h.fake.dataRequests.length === 40, 20_000, "all 40 after resuming");
      assert.deepEqual(
        h.fake.dataRequests.map((r) => r.payload?.n),
        [...Array(40).keys()],
      );
    } finally {
      await h.stop();
    }
  });

  test("PAUSE: the connector drops upstream data silently and the session stays up", async () => {
    let send!: (n: number) => Promise<void>;
    const h = await harness({}, {}, () =>
      defineStreaming({
        async stream(_s, inbound, outbound) {
          send = (n) => outbound.send(newStreamMessage("data", { json: { n } }));
          for await (const m of inbound) m.done();
        },
      }),
    );
    try {
      await established(h.fake);
      await h.fake.setPaused(true);
      await send(1);
      await sleep(200);
      await h.fake.setPaused(false);
      await send(2);
      await h.fake.waitFor(() => h.fake.dataRequests.length === 1, 10_000, "resumed");
      assert.deepEqual(
        h.fake.dataRequests.map((r) => r.payload?.n),
        [2],
      );
      assert.equal(h.fake.opens("control").length, 1);
    } finally {
      await h.stop();
    }
  });

  test("directives: default ACKs for handoff; a custom handler sees everything and its replies are sent", async () => {
    const seen: ControlDirective[] = [];
    const h = await harness({}, {}, () =>
      defineStreaming({
        async stream(_s, inbound) {
          for await (const m of inbound) m.done();
        },
        control(d): ControlDirective | undefined {
          seen.push(d);
          if (d.type === "codec-select") throw new Error("no such codec");
          if (d.type === "connector.ready") return { type: "ack", metadata: { handled: "true", mine: "yes" } };
          if (d.type === "handoff.draining") return { type: "stop-upstream", metadata: {} };
          return undefined;
        },
      }),
    );
    try {
      await h.fake.waitFor(() => seen.some((d) => d.type === "connector.ready"), 10_000, "ready");
      await h.fake.sendControl(
        create(ControlResponseSchema, {
          action: ControlAction.HANDOFF_DRAINING,
          metadata: { phase: "draining", reason: "hub_disconnected" },
        }),
      );
      await h.fake.sendControl(create(ControlResponseSchema, { action: ControlAction.CODEC_SELECT, metadata: {} }));
      await h.fake.sendControl(create(ControlResponseSchema, { customAction: "x.custom", metadata: { a: "b" } }));
      await h.fake.waitFor(() => seen.filter((d) => d.type !== "ack").length >= 5, 10_000, "directives");
      // The connector's own ACKs (to our stop-upstream reply) reach the handler too.
      const types = seen.map((d) => d.type).filter((t) => t !== "ack");
      // The startup pair may come in either order (contract §6); injected ones keep theirs.
      assert.deepEqual(types.slice(0, 2).sort(), ["connector.ready", "handoff.cutover"]);
      assert.deepEqual(types.slice(2), ["handoff.draining", "codec-select", "x.custom"]);
      await h.fake.waitFor(
        () => h.fake.controlRequests.some((r) => r.action === ControlAction.ERROR),
        10_000,
        "error reply",
      );
      const reqs = h.fake.controlRequests;
      assert.deepEqual(reqs.find((r) => r.action === ControlAction.ACK)?.metadata, { handled: "true", mine: "yes" });
      assert.ok(reqs.some((r) => r.action === ControlAction.STOP_UPSTREAM));
      assert.deepEqual(reqs.find((r) => r.action === ControlAction.ERROR)?.metadata, { message: "no such codec" });
      assert.equal(
        reqs.filter((r) => r.metadata.reason === "handoff").length,
        0,
        "no default acks with a custom handler",
      );
    } finally {
      await h.stop();
    }
  });

  test("chunked inbound over the wire, audio frames, and an invalid frame tearing the session down", async () => {
    const h = await harness({}, {}, (received) =>
      defineStreaming({
        async stream(_s, inbound) {
          for await (const m of inbound) {
            received.push(m);
            m.done();
          }
        },
      }),
    );
    try {
      await established(h.fake);
      const body = Uint8Array.from({ length: 50_000 }, (_, i) => i % 256);
      const parts = chunkPackets(body, 16_000, { streamId: "s", chunkId: "c", sequence: 1n, mimeType: "image/raw" });
      for (const p of [parts[3], parts[1], parts[0], parts[1], parts[2]]) await h.fake.sendData(p);
      await h.fake.sendData(audioPacket(new Uint8Array([1, 2, 3, 4]), { lang: "en" }));
      await h.fake.waitFor(() => h.received.length === 2, 10_000, "assembled + audio");
      assert.deepEqual([...h.received[0].payload!], [...body]);
      assert.equal(h.received[0].binary?.mimeType, "image/raw");
      assert.equal(h.received[1].audio?.sampleRateHz, 16000);
      assert.deepEqual(h.received[1].metadata, { lang: "en" });
      await h.fake.waitFor(() => h.fake.receipts.length === 1, 10_000, "receipt of the assembled packet");
      await h.fake.sendData(
        create(DataResponseSchema, {
          frame: { case: "audio", value: { pcm: new Uint8Array(2), sampleRateHz: 0, channels: 1 } },
        }),
      );
      await established(h.fake, 2);
      assert.ok(h.logs().some((l) => String(l.error).includes("invalid inbound packet")));
    } finally {
      await h.stop();
    }
  });

  test("unix socket endpoint", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bubu-conn-"));
    const h = await harness({}, {}, undefined, { unix: join(dir, "c.sock") });
    try {
      assert.match(h.fake.endpoint, /^unix:\/\//);
      await established(h.fake);
      await h.fake.sendData(envelopePacket({ payload: { via: "unix" } }));
      await h.fake.waitFor(() => h.fake.dataRequests.length === 1, 10_000, "echo over unix socket");
    } finally {
      await h.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
