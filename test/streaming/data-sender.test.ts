// The Data sender (src/streaming/data-sender.ts) bounds what waits for the connector's
// confirmation: at MAX_UNCONFIRMED_PACKETS it stops sending, resumes as confirmations come, and
// every packet still goes out once, in order (nothing is dropped from the resend buffer). The
// byte limit is larger where the transport cannot ask (Deno): packets wait a grace period there,
// and the sender may fill the resend buffer short of evicting from it.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { create, fromBinary } from "@bufbuild/protobuf";
import { type DataRequest, DataRequestSchema } from "../../src/gen/transport/v1/transport_pb.ts";
import { Confirmer } from "../../src/streaming/confirmer.ts";
import { DataSender, MAX_UNCONFIRMED_BYTES, MAX_UNCONFIRMED_PACKETS } from "../../src/streaming/data-sender.ts";
import { HANDOVER_LIMITS } from "../../src/streaming/handover.ts";
import { StreamPipeline } from "../../src/streaming/pipeline.ts";
import { SessionContext } from "../../src/streaming/session-context.ts";
import { resolveStreamingSettings } from "../../src/streaming/settings.ts";
import { encodeDataRequest } from "../../src/streaming/wire/data-request-encode.ts";
import { frameDataRequest } from "../../src/streaming/wire/data-request-wire.ts";
import { sleep } from "./helpers.ts";

describe("data sender", () => {
  test("stops sending while MAX_UNCONFIRMED_PACKETS are unconfirmed, then sends the rest once, in order", async () => {
    const extra = 50;
    const total = MAX_UNCONFIRMED_PACKETS + extra;
    const p = new StreamPipeline({ bufferSize: total, maxSendBytes: 1 << 20 });
    for (let i = 0; i < total; i++) {
      const frame = frameDataRequest(create(DataRequestSchema, { metadata: { n: String(i) } }), 1 << 20);
      assert.ok(p.outbound.tryPush({ frame }));
    }
    // Answers to the confirmer's questions are given by the test.
    const answers: PromiseWithResolvers<void>[] = [];
    const ctx = new SessionContext();
    const confirmer = new Confirmer(
      p.handover,
      ctx,
      () => {
        const q = Promise.withResolvers<void>();
        answers.push(q);
        return q.promise;
      },
      60_000,
    );
    const settings = resolveStreamingSettings(() => undefined);
    const sender = new DataSender(p, settings, ctx, Promise.resolve(), confirmer);
    const it = sender.requests();
    const seen: string[] = [];
    const take = (r: IteratorResult<DataRequest>): void => {
      assert.equal(r.done, false);
      // What the transport writes: the packet's frame, as it is.
      const frame = encodeDataRequest(r.value!).frame;
      assert.ok(frame !== undefined);
      seen.push(fromBinary(DataRequestSchema, frame.subarray(5)).metadata.n);
      sender.written(); // the transport finished writing it
    };
    try {
      for (let i = 0; i < MAX_UNCONFIRMED_PACKETS; i++) take(await it.next());
      assert.equal(p.handover.unconfirmed, MAX_UNCONFIRMED_PACKETS);
      // Nothing answered yet: the next request waits (and would resolve at once if it did not).
      const next = it.next();
      const early = await Promise.race([next.then(() => "sent"), sleep(50).then(() => "waiting")]);
      assert.equal(early, "waiting");
      assert.equal(p.handover.unconfirmed, MAX_UNCONFIRMED_PACKETS);
      assert.equal(p.outbound.size, extra);
      // Confirmations free room; the rest goes out.
      let pending = next;
      while (seen.length < total) {
        for (const q of answers.splice(0)) q.resolve();
        const r = await Promise.race([pending, sleep(5).then(() => undefined)]);
        if (r === undefined) continue;
        take(r);
        assert.ok(p.handover.unconfirmed <= MAX_UNCONFIRMED_PACKETS);
        if (seen.length < total) pending = it.next();
      }
      assert.deepEqual(
        seen,
        Array.from({ length: total }, (_, i) => String(i)),
      );
      assert.equal(p.handover.evicted, 0);
    } finally {
      for (const q of answers.splice(0)) q.resolve();
      ctx.end(new Error("test over"));
      confirmer.stop();
      await it.return(undefined);
    }
  });

  /** How many 1 MiB packets the sender writes before it waits, none of them confirmed. */
  async function sentBeforeWaiting(
    confirmRead: (() => Promise<void>) | undefined,
  ): Promise<{ sent: number; evicted: number }> {
    const total = 40;
    const p = new StreamPipeline({ bufferSize: total, maxSendBytes: 2 << 20 });
    for (let i = 0; i < total; i++) {
      const frame = frameDataRequest(create(DataRequestSchema, { metadata: { n: "x".repeat(1 << 20) } }), 2 << 20);
      assert.ok(p.outbound.tryPush({ frame }));
    }
    const ctx = new SessionContext();
    const confirmer = new Confirmer(p.handover, ctx, confirmRead, 60_000);
    const sender = new DataSender(
      p,
      resolveStreamingSettings(() => undefined),
      ctx,
      Promise.resolve(),
      confirmer,
    );
    const it = sender.requests();
    let sent = 0;
    try {
      // No write is reported complete, so no grace period starts and nothing gets confirmed.
      for (;;) {
        const next = it.next();
        const r = await Promise.race([next, sleep(50).then(() => undefined)]);
        if (r === undefined) break;
        assert.equal(r.done, false);
        sent++;
      }
      return { sent, evicted: p.handover.evicted };
    } finally {
      ctx.end(new Error("test over"));
      confirmer.stop();
      await it.return(undefined);
    }
  }

  test("stops at MAX_UNCONFIRMED_BYTES when it can ask; under a grace period fills the resend buffer short of evicting", async () => {
    const mib = 1 << 20;
    const maxSend = resolveStreamingSettings(() => undefined).maxSendBytes;
    // Each frame is a little over 1 MiB, so a limit in whole MiB is the number sent.
    assert.deepEqual(await sentBeforeWaiting(() => new Promise<void>(() => {})), {
      sent: MAX_UNCONFIRMED_BYTES / mib,
      evicted: 0,
    });
    const unasked = await sentBeforeWaiting(undefined);
    assert.equal(unasked.sent, Math.ceil((HANDOVER_LIMITS.maxBytes - maxSend) / (mib + 16)));
    assert.ok(unasked.sent > MAX_UNCONFIRMED_BYTES / mib);
    assert.equal(unasked.evicted, 0);
  });
});
