// Go reference engram vs ours, same fake connector, same assertions: session ends, reconnects,
// the retry budget and SIGTERM (contract streaming.md §14).
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { DataResponseSchema } from "../../../src/gen/transport/v1/transport_pb.ts";
import { envelopePacket } from "../../peers/connector/packets.ts";
import { count, established, exitWithin, runScenarios, type Scenario, sleep } from "./scenario.ts";

/** Strictly increasing values in 1..max. */
function assertRising(xs: number[], max: number): void {
  xs.forEach((x, k) => assert.ok(x >= 1 && x <= max && (k === 0 || x > xs[k - 1]), `rising at #${k}: ${xs.join(",")}`));
}

const scenarios: Scenario[] = [
  {
    name: "Data EOF from the connector: the engram reconnects and goes on",
    fake: { startup: "none" },
    async run({ fake, start }) {
      await start();
      await established(fake);
      await fake.endData();
      await established(fake, 2);
      assert.equal(count(fake, "data-open"), 2);
      await fake.sendData(envelopePacket({ payload: { n: 1 } }));
      await fake.waitFor(() => fake.dataRequests.length === 1, 10_000, "echo on the new session");
    },
  },
  {
    name: "Control EOF from the connector: the engram reconnects and goes on",
    fake: { startup: "none" },
    async run({ fake, start }) {
      await start();
      await established(fake);
      await fake.endControl();
      await established(fake, 2);
      assert.equal(count(fake, "control-open"), 2);
      await fake.sendData(envelopePacket({ payload: { n: 1 } }));
      await fake.waitFor(() => fake.dataRequests.length === 1, 10_000, "echo on the new session");
    },
  },
  {
    name: "FAILED_PRECONDITION on Data is not retried: exit 1",
    fake: { startup: "none" },
    async run({ fake, start }) {
      const p = await start();
      await established(fake);
      await fake.endData(Code.FailedPrecondition);
      const code = await exitWithin(p, 15_000);
      assert.equal(code, 1, p.output());
      assert.equal(count(fake, "data-open"), 1, "no second session");
    },
  },
  {
    name: "invalid inbound frame (audio sample_rate_hz 0) ends the session; the engram reconnects",
    fake: { startup: "none" },
    async run({ fake, start }) {
      await start();
      await established(fake);
      await fake.sendData(
        create(DataResponseSchema, {
          frame: { case: "audio", value: { pcm: new Uint8Array(4), sampleRateHz: 0, channels: 1 } },
        }),
      );
      await established(fake, 2);
      assert.equal(fake.dataRequests.length, 0, "the invalid frame is not delivered");
      await fake.sendData(envelopePacket({ payload: { n: 1 } }));
      await fake.waitFor(() => fake.dataRequests.length === 1, 10_000, "echo on the new session");
    },
  },
  {
    name: "retry budget is per process lifetime (quirks I5): the third session end exhausts BUBU_GRPC_RECONNECT_MAX_RETRIES=2",
    fake: { startup: "none" },
    async run({ fake, start }) {
      const p = await start({ BUBU_GRPC_RECONNECT_MAX_RETRIES: "2" });
      for (let n = 1; n <= 3; n++) {
        await established(fake, n);
        await fake.endData();
      }
      const code = await exitWithin(p, 15_000);
      assert.equal(code, 1, p.output());
      assert.match(p.output(), /transport connector retries exhausted/);
      assert.equal(count(fake, "data-open"), 3);
    },
  },
  {
    name: "a burst of 300 sequenced messages: all echoed in order; ours receipts every one, Go may drop receipts (quirks I7)",
    fake: { startup: "none" },
    async run({ impl, fake, start }) {
      await start();
      await established(fake);
      const N = 300;
      for (let i = 1; i <= N; i++)
        await fake.sendData(envelopePacket({ payload: { i }, streamId: "b", sequence: BigInt(i) }));
      await fake.waitFor(() => fake.dataRequests.length === N, 20_000, `${N} echoes`);
      assert.deepEqual(
        fake.dataRequests.map((r) => Number(r.payload?.i)),
        Array.from({ length: N }, (_, k) => k + 1),
      );
      if (impl === "ts") {
        await fake.waitFor(() => fake.receipts.length === N, 10_000, `${N} receipts`);
        assert.deepEqual(
          fake.receipts.map((r) => Number(r.sequence)),
          Array.from({ length: N }, (_, k) => k + 1),
        );
      } else {
        await sleep(500);
        assertRising(
          fake.receipts.map((r) => Number(r.sequence)),
          N,
        );
      }
    },
  },
  {
    name: "SIGTERM with messages in flight: exit 0, both streams closed; echoes in order without gaps",
    fake: { startup: "none" },
    async run({ impl, fake, start }) {
      const p = await start();
      await established(fake);
      const N = 200;
      for (let i = 1; i <= N; i++)
        await fake.sendData(envelopePacket({ payload: { i }, streamId: "t", sequence: BigInt(i) }));
      await fake.waitFor(() => fake.dataRequests.length >= 5, 10_000, "some echoes");
      p.signal("SIGTERM");
      const code = await exitWithin(p, 15_000);
      assert.equal(code, 0, p.output());
      await fake.waitFor(
        () => count(fake, "data-end") === 1 && count(fake, "control-end") === 1,
        5_000,
        "both streams closed",
      );
      const echoed = fake.dataRequests.map((r) => Number(r.payload?.i));
      const receipted = fake.receipts.map((r) => Number(r.sequence));
      assert.deepEqual(
        echoed,
        echoed.map((_, k) => k + 1),
        "echoes in order, no gaps",
      );
      if (impl === "ts") {
        // DESIGN.md (quirks A1, I1, I7 fixed): every message read is echoed and receipted before exit.
        assert.deepEqual(receipted, echoed, "a receipt for every echo and an echo for every receipt");
      } else {
        // Go: the SDK has no SIGTERM handler (A1); the echo program cancels its ctx, and the SDK
        // discards buffered outbound messages on cancellation (I1); receipts overflowing the
        // 16-slot control queue are dropped (I7). So receipts only rise, with possible gaps.
        assertRising(receipted, N);
      }
    },
  },
];

runScenarios("interop (Go vs TS engram): session lifecycle", scenarios);
