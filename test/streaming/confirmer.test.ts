// The confirmer (src/streaming/confirmer.ts): one question at a time, an answer confirms what
// was written before the question, a late answer after the session ended is not applied, a
// connector that never answers fails the session, and the grace fallback without confirmRead.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Confirmer, UNCONFIRMED_GRACE_MS } from "../../src/streaming/confirmer.ts";
import { Handover } from "../../src/streaming/handover.ts";
import { SessionContext } from "../../src/streaming/session-context.ts";
import { sleep } from "./helpers.ts";

/** A confirmRead whose answers the test gives. */
function questions() {
  const pending: PromiseWithResolvers<void>[] = [];
  return {
    pending,
    confirmRead: (): Promise<void> => {
      const q = Promise.withResolvers<void>();
      pending.push(q);
      return q.promise;
    },
  };
}

function sent(h: Handover<{ serial?: number }>, n: number): number[] {
  return Array.from({ length: n }, () => h.sent({}, 100));
}

describe("confirmer", () => {
  test("one question at a time; its answer confirms only what was written before it", async () => {
    const h = new Handover<{ serial?: number }>();
    const ctx = new SessionContext();
    const q = questions();
    const c = new Confirmer(h, ctx, q.confirmRead, 5_000);
    const [a, b, d] = sent(h, 3);
    c.written(a);
    assert.equal(q.pending.length, 1, "asked at once after a quiet spell");
    c.written(b);
    c.hurry();
    assert.equal(q.pending.length, 1, "no second question while one is out");
    q.pending[0].resolve();
    await sleep(0);
    assert.equal(h.confirmed, a, "the answer covers what was written before the question");
    c.written(d);
    c.hurry();
    // The rest is asked about soon, one question at a time, until all is confirmed.
    for (let answered = 1; h.confirmed < d; ) {
      await sleep(5);
      const open = q.pending.length - answered;
      assert.ok(open <= 1, `${open} questions out at once`);
      if (open === 1) q.pending[answered++].resolve();
      assert.ok(answered <= 3, "at most two more questions");
    }
    assert.equal(h.confirmed, d);
    assert.equal(h.unconfirmed, 0);
    c.stop();
    ctx.end(new Error("done"));
  });

  test("an answer that comes after the session ended is not applied", async () => {
    const h = new Handover<{ serial?: number }>();
    const ctx = new SessionContext();
    const q = questions();
    const c = new Confirmer(h, ctx, q.confirmRead, 5_000);
    c.written(sent(h, 1)[0]);
    ctx.fail(new Error("connection reset"));
    q.pending[0].resolve();
    await sleep(0);
    assert.equal(h.confirmed, 0);
    assert.equal(h.unconfirmed, 1, "left to be sent again");
    c.stop();
  });

  test("a connector that does not answer within the timeout fails the session (retriable)", async () => {
    const h = new Handover<{ serial?: number }>();
    const ctx = new SessionContext();
    const c = new Confirmer(h, ctx, () => new Promise<void>(() => {}), 30);
    c.written(sent(h, 1)[0]);
    await sleep(80);
    assert.match(String(ctx.failure), /did not confirm what was sent within 30ms/);
    assert.equal((ctx.failure as { retriable?: boolean }).retriable, true);
    c.stop();
  });

  test("without confirmRead: confirmed once the session stayed up for the grace period", async () => {
    const h = new Handover<{ serial?: number }>();
    const ctx = new SessionContext();
    const c = new Confirmer(h, ctx, undefined, 5_000);
    c.written(sent(h, 1)[0]);
    assert.equal(h.confirmed, 0);
    await sleep(UNCONFIRMED_GRACE_MS + 50);
    assert.equal(h.confirmed, 1);
    const ended = new SessionContext();
    const h2 = new Handover<{ serial?: number }>();
    const c2 = new Confirmer(h2, ended, undefined, 5_000);
    c2.written(sent(h2, 1)[0]);
    ended.fail(new Error("gone"));
    await sleep(UNCONFIRMED_GRACE_MS + 50);
    assert.equal(h2.confirmed, 0, "a session that ended in the grace period confirms nothing");
    c.stop();
    c2.stop();
  });
});
