// Go reference engram vs ours, same fake connector, same assertions: the data plane (contract
// streaming.md §7, §9–§11): message mapping both ways, receipts, replay, chunks, dedupe, pause.
import assert from "node:assert/strict";
import { create, toBinary } from "@bufbuild/protobuf";
import {
  type DataRequest,
  type DataResponse,
  DataResponseSchema,
  StreamEnvelopeSchema,
} from "../../../src/gen/transport/v1/transport_pb.ts";
import { audioPacket, chunkPackets, ENVELOPE_MIME, envelopePacket, rawBinary } from "../../peers/connector/packets.ts";
import { count, established, runScenarios, type Scenario, sleep } from "./scenario.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

function body(r: DataRequest): Record<string, unknown> {
  assert.equal(r.frame.case, "binary");
  assert.equal(r.frame.value.mimeType, ENVELOPE_MIME);
  return JSON.parse(dec.decode(r.frame.value.payload)) as Record<string, unknown>;
}

/** `size_bytes` of a receipt: the encoded size of the (assembled) packet. */
const sizeOf = (r: DataResponse): string => String(toBinary(DataResponseSchema, r).length);

const echoes = (fake: { dataRequests: DataRequest[] }): DataRequest[] => fake.dataRequests;

const scenarios: Scenario[] = [
  {
    name: "echo of interleaved envelope, raw-binary and audio messages: in order, payload, metadata and frames kept",
    fake: { startup: "none" },
    async run({ fake, start }) {
      await start();
      await established(fake);
      const N = 30;
      const ts = (i: number): number | undefined => (i % 2 === 0 ? 1714557600000 + i : undefined);
      for (let i = 0; i < N; i++) {
        if (i % 3 === 0)
          await fake.sendData(
            envelopePacket({
              payload: { i, s: `x${i}` },
              metadata: { k: `v${i}` },
              messageId: `m-${i}`,
              timestampMs: ts(i),
            }),
          );
        else if (i % 3 === 1) await fake.sendData(rawBinary(enc.encode(`raw ${i}`), "text/plain", { r: String(i) }));
        else await fake.sendData(audioPacket(new Uint8Array(320).fill(i), { a: String(i) }));
      }
      await fake.waitFor(() => echoes(fake).length >= N, 15_000, `${N} echoes`);
      await sleep(200);
      const out = echoes(fake);
      assert.equal(out.length, N);
      out.forEach((r, i) => {
        const meta = { ...r.metadata };
        if (i % 3 === 0) {
          const t = ts(i);
          assert.deepEqual(
            body(r),
            {
              version: "v1",
              kind: "data",
              messageId: `m-${i}`,
              ...(t ? { timestampMs: t } : {}),
              metadata: { k: `v${i}` },
              payload: { i, s: `x${i}` },
            },
            `envelope body #${i}`,
          );
          assert.deepEqual(r.payload, { i, s: `x${i}` });
          assert.equal(r.inputs, undefined);
          assert.deepEqual(
            meta,
            {
              k: `v${i}`,
              "bubu.envelope.kind": "data",
              "bubu.envelope.message_id": `m-${i}`,
              ...(t ? { "bubu.envelope.timestamp_ms": String(t) } : {}),
            },
            `metadata #${i}`,
          );
        } else if (i % 3 === 1) {
          assert.equal(r.frame.case, "binary");
          assert.equal(r.frame.value.mimeType, "text/plain");
          assert.equal(dec.decode(r.frame.value.payload), `raw ${i}`);
          assert.equal(r.payload, undefined, "raw binary bypasses the envelope");
          assert.deepEqual(meta, { r: String(i) });
        } else {
          assert.equal(r.frame.case, "audio");
          assert.deepEqual([...r.frame.value.pcm], [...new Uint8Array(320).fill(i)]);
          assert.equal(r.frame.value.sampleRateHz, 16000);
          assert.equal(r.frame.value.channels, 1);
          assert.equal(r.frame.value.codec, "pcm16");
          assert.equal(r.payload, undefined);
          assert.deepEqual(meta, { a: String(i) });
        }
        assert.equal(r.envelope, undefined);
      });
    },
  },
  {
    name: "hook packet (kind=hook, stable message id) is delivered and echoed with its kind",
    fake: { startup: "none" },
    async run({ fake, start }) {
      await start();
      await established(fake);
      const id = "interop/run-1:storyrun.ready";
      const meta = { kind: "hook", type: "storyrun.ready", "hook.event": "storyrun.ready", "hook.source": "hub" };
      await fake.sendData(envelopePacket({ metadata: meta, messageId: id, payload: {} }));
      await fake.waitFor(() => echoes(fake).length === 1, 10_000, "echo");
      const r = echoes(fake)[0];
      assert.deepEqual(body(r), { version: "v1", kind: "hook", messageId: id, metadata: meta, payload: {} });
      assert.deepEqual({ ...r.metadata }, { ...meta, "bubu.envelope.kind": "hook", "bubu.envelope.message_id": id });
      assert.deepEqual(r.payload, {});
    },
  },
  {
    name: "sequenced packets: one downstream.delivered receipt each (stream_id, sequence, partition, size_bytes); none without stream_id or sequence",
    fake: { startup: "none" },
    async run({ fake, start }) {
      await start();
      await established(fake);
      const sent: DataResponse[] = [];
      for (let i = 1; i <= 5; i++)
        sent.push(
          envelopePacket({ payload: { i }, streamId: "s1", sequence: BigInt(i), partition: i % 2 ? "p1" : "" }),
        );
      const noStream = envelopePacket({ payload: { i: 6 }, sequence: 6n });
      const noSeq = envelopePacket({ payload: { i: 7 }, streamId: "s1" });
      for (const p of [...sent, noStream, noSeq]) await fake.sendData(p);
      await fake.waitFor(() => echoes(fake).length === 7, 10_000, "7 echoes");
      await fake.waitFor(() => fake.receipts.length >= 5, 10_000, "5 receipts");
      await sleep(200);
      assert.deepEqual(
        fake.receipts,
        sent.map((p, k) => ({
          streamId: "s1",
          sequence: String(k + 1),
          partition: (k + 1) % 2 ? "p1" : "",
          sizeBytes: sizeOf(p),
        })),
      );
      for (const r of fake.controlRequests.filter((c) => c.customAction === "downstream.delivered")) {
        assert.equal(r.action, 0);
        assert.deepEqual(Object.keys(r.metadata).sort(), ["partition", "sequence", "size_bytes", "stream_id"]);
      }
    },
  },
  {
    name: "replay after a connector restart: the completed packet is not delivered again, its receipt is re-sent",
    fake: { startup: "none" },
    async run({ fake, start }) {
      await start();
      await established(fake);
      const p1 = envelopePacket({ payload: { n: 1 }, streamId: "r", sequence: 1n, partition: "p" });
      await fake.sendData(p1);
      await fake.waitFor(() => echoes(fake).length === 1 && fake.receipts.length === 1, 10_000, "first delivery");
      await fake.restart(100);
      await established(fake, 2);
      assert.equal(count(fake, "data-open"), 2);
      await fake.sendData(p1);
      await fake.waitFor(() => fake.receipts.length === 2, 10_000, "receipt re-sent for the replay");
      await sleep(300);
      assert.equal(echoes(fake).length, 1, "the replay is not delivered again");
      await fake.sendData(envelopePacket({ payload: { n: 2 }, streamId: "r", sequence: 2n, partition: "p" }));
      await fake.waitFor(() => echoes(fake).length === 2 && fake.receipts.length === 3, 10_000, "next packet");
      assert.deepEqual(
        fake.receipts.map((r) => [r.streamId, r.partition, r.sequence]),
        [
          ["r", "p", "1"],
          ["r", "p", "1"],
          ["r", "p", "2"],
        ],
      );
      assert.equal(fake.receipts[1].sizeBytes, sizeOf(p1));
      assert.deepEqual(
        echoes(fake).map((r) => r.payload),
        [{ n: 1 }, { n: 2 }],
      );
    },
  },
  {
    name: "message-id dedupe: a completed bubu.envelope.message_id is suppressed, other ids pass",
    fake: { startup: "none" },
    async run({ fake, start }) {
      await start();
      await established(fake);
      await fake.sendData(envelopePacket({ payload: { n: 1 }, messageId: "dup" }));
      await fake.waitFor(() => echoes(fake).length === 1, 10_000, "first");
      await fake.sendData(envelopePacket({ payload: { n: 2 }, messageId: "dup" }));
      await fake.sendData(envelopePacket({ payload: { n: 3 }, messageId: "other" }));
      await fake.waitFor(() => echoes(fake).length >= 2, 10_000, "third");
      await sleep(200);
      assert.deepEqual(
        echoes(fake).map((r) => r.payload),
        [{ n: 1 }, { n: 3 }],
      );
      assert.equal(fake.receipts.length, 0, "unsequenced packets get no receipt");
    },
  },
  {
    name: "chunked inbound message (out of order, one duplicate chunk) is reassembled, echoed once and receipted once",
    fake: { startup: "none" },
    async run({ fake, start }) {
      await start();
      await established(fake);
      const bytes = new Uint8Array(200_000);
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 131 + 7) % 251;
      const chunks = chunkPackets(bytes, 32_768, {
        streamId: "c",
        chunkId: "blob-1",
        sequence: 9n,
        partition: "q",
        metadata: { name: "blob" },
      });
      assert.equal(chunks.length, 7);
      const order = [3, 0, 6, 1, 1, 5, 2, 4];
      for (const k of order) await fake.sendData(chunks[k]);
      await fake.waitFor(
        () => echoes(fake).length === 1 && fake.receipts.length === 1,
        10_000,
        "assembled echo and receipt",
      );
      await sleep(200);
      assert.equal(echoes(fake).length, 1);
      const r = echoes(fake)[0];
      assert.equal(r.frame.case, "binary");
      assert.equal(r.frame.value.mimeType, "application/octet-stream");
      assert.equal(r.frame.value.payload.length, bytes.length);
      assert.ok(
        r.frame.value.payload.every((b, i) => b === bytes[i]),
        "reassembled bytes",
      );
      assert.deepEqual({ ...r.metadata }, { name: "blob" });
      const assembled = create(DataResponseSchema, {
        frame: { case: "binary", value: { payload: bytes, mimeType: "application/octet-stream" } },
        metadata: { name: "blob" },
        envelope: create(StreamEnvelopeSchema, { streamId: "c", sequence: 9n, partition: "q" }),
      });
      assert.deepEqual(fake.receipts, [{ streamId: "c", sequence: "9", partition: "q", sizeBytes: sizeOf(assembled) }]);
    },
  },
  {
    name: "PAUSE/RESUME: while the connector's upstream gate is closed outputs are dropped silently; the engram goes on and receipts",
    fake: { startup: "none" },
    async run({ fake, start }) {
      await start();
      await established(fake);
      await fake.setPaused(true);
      for (let i = 1; i <= 3; i++)
        await fake.sendData(envelopePacket({ payload: { i }, streamId: "g", sequence: BigInt(i) }));
      await fake.waitFor(() => fake.receipts.length === 3, 10_000, "receipts while paused");
      // Go calls Done() once the echo is queued, before it is written: give the writes time to
      // reach the (dropping) connector before the gate opens again.
      await sleep(500);
      assert.equal(echoes(fake).length, 0, "echoes dropped by the paused connector");
      await fake.setPaused(false);
      for (let i = 4; i <= 5; i++)
        await fake.sendData(envelopePacket({ payload: { i }, streamId: "g", sequence: BigInt(i) }));
      await fake.waitFor(() => echoes(fake).length === 2 && fake.receipts.length === 5, 10_000, "echoes after resume");
      assert.deepEqual(
        echoes(fake).map((r) => r.payload),
        [{ i: 4 }, { i: 5 }],
      );
      assert.equal(count(fake, "data-open"), 1, "no reconnect");
    },
  },
];

runScenarios("interop (Go vs TS engram): data plane", scenarios);
