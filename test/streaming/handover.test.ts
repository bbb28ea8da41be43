// The handover of outbound packets (src/streaming/handover.ts): serials in send order, the
// confirmed watermark, requeueing after a failed session, the resend buffer's bounds; and over
// the wire, a receipt held back until the connector has read the output sent before it.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { defineStreaming } from "../../src/engram/streaming-engram.ts";
import { newStreamMessage } from "../../src/engram/streaming-message.ts";
import { Handover } from "../../src/streaming/handover.ts";
import { BoundedQueue } from "../../src/streaming/queue.ts";
import { startStreaming } from "../../src/streaming/start-streaming.ts";
import { FakeConnector } from "../peers/connector/index.ts";
import { envelopePacket } from "../peers/connector/packets.ts";
import { memoryLogger, sleep, streamEnv } from "./helpers.ts";

interface P {
  name: string;
  serial?: number;
}

describe("handover", () => {
  test("serials in send order; a confirmation covers everything up to it and wakes subscribers", () => {
    const h = new Handover<P>();
    const [a, b, c] = [{ name: "a" }, { name: "b" }, { name: "c" }];
    assert.deepEqual([h.sent(a, 10), h.sent(b, 10), h.sent(c, 10)], [1, 2, 3]);
    let woken = 0;
    const off = h.subscribe(() => woken++);
    h.confirm(2);
    assert.equal(h.confirmed, 2);
    assert.equal(h.unconfirmed, 1);
    h.confirm(1); // an older answer changes nothing
    assert.equal(h.confirmed, 2);
    assert.equal(woken, 1);
    off();
    h.confirm(3);
    assert.equal(woken, 1, "unsubscribed");
    assert.equal(h.unconfirmed, 0);
  });

  test("after a failed session the unconfirmed go back to the front, in order, and keep their serials", () => {
    const h = new Handover<P>();
    const q = new BoundedQueue<P>(2);
    const sent = ["a", "b", "c"].map((name) => ({ name }));
    for (const p of sent) h.sent(p, 10);
    h.confirm(1);
    q.tryPush({ name: "d" });
    assert.equal(h.requeue(q), 2);
    assert.equal(h.unconfirmed, 0);
    assert.deepEqual(
      q.peekAll().map((p) => p.name),
      ["b", "c", "d"],
      "before what waited, over the capacity",
    );
    // Sent again on the next session: same serials, and a new packet continues the count.
    const again = [q.tryShift()!.value, q.tryShift()!.value, q.tryShift()!.value];
    assert.deepEqual(
      again.map((p) => h.sent(p, 10)),
      [2, 3, 4],
    );
    h.confirm(4);
    assert.equal(h.unconfirmed, 0);
  });

  test("bounded: beyond the packet or byte limit the oldest are dropped and count as confirmed", () => {
    const h = new Handover<P>({ maxPackets: 3, maxBytes: 1000 });
    for (let i = 0; i < 5; i++) h.sent({ name: String(i) }, 10);
    assert.equal(h.unconfirmed, 3);
    assert.equal(h.evicted, 2);
    assert.equal(h.confirmed, 2, "receipts behind the dropped ones are not held forever");
    h.sent({ name: "big" }, 990);
    assert.equal(h.unconfirmed, 2, "bytes over the limit drop the oldest");
    assert.equal(h.confirmed, 4);
    h.sent({ name: "huge" }, 5000);
    assert.equal(h.unconfirmed, 1, "one packet over the byte limit is still kept");
  });
});

describe("handover over the wire (fake connector)", () => {
  test("a receipt waits until the connector has read the echo sent before done()", async () => {
    // A Node child on every runtime: how much a stalled server's HTTP/2 layer still takes in
    // (and so has read) differs between Node's and Bun's node:http2.
    const fake = await FakeConnector.start({}, { child: true });
    const stop = new AbortController();
    let done = false;
    const engram = defineStreaming({
      async stream(_signal, inbound, outbound) {
        for await (const m of inbound) {
          // More than the fake's HTTP/2 windows and read-ahead hold (yet within the outbound
          // buffer): the last writes complete only once the connector reads again.
          for (let k = 0; k < 10; k++)
            await outbound.send(newStreamMessage("data", { json: { k, pad: "x".repeat(64 * 1024) } }));
          m.done();
          done = true;
        }
      },
    });
    const run = startStreaming(engram, {
      env: streamEnv(fake.endpoint),
      exit: false,
      logger: memoryLogger().logger,
      signal: stop.signal,
    });
    try {
      await fake.waitFor(
        () => fake.controlRequests.some((r) => r.metadata.type === "connector.ready"),
        10_000,
        "established",
      );
      await fake.setReading(false);
      await fake.sendData(envelopePacket({ payload: { i: 1 }, streamId: "s", sequence: 1n }));
      await fake.waitFor(() => done, 10_000, "the engram called done()");
      await sleep(300);
      assert.equal(fake.receipts.length, 0, "no receipt while the echo is not read");
      await fake.setReading(true);
      await fake.waitFor(() => fake.receipts.length === 1, 10_000, "the receipt");
      const lastEchoAt = fake.events.findLastIndex(
        (e) => e.type === "data-request" && e.request.metadata["bubu-heartbeat"] !== "true",
      );
      const receiptAt = fake.events.findIndex(
        (e) => e.type === "control-request" && e.request.customAction === "downstream.delivered",
      );
      assert.equal(fake.dataRequests.length, 10);
      assert.ok(lastEchoAt < receiptAt, `every echo (the last at ${lastEchoAt}) before the receipt (${receiptAt})`);
      stop.abort();
      assert.equal((await run).exitCode, 0);
    } finally {
      stop.abort();
      await run;
      await fake.close();
    }
  });
});
