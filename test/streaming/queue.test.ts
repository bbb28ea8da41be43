// BoundedQueue: backpressure, abort of waiters (one listener per signal), notifyReadable.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { BoundedQueue, QueueClosedError } from "../../src/streaming/queue.ts";

describe("BoundedQueue", () => {
  test("push waits while full; shift waits while empty; FIFO order", async () => {
    const q = new BoundedQueue<number>(1);
    await q.push(1);
    let second = false;
    const p2 = q.push(2).then(() => (second = true));
    await Promise.resolve();
    assert.equal(second, false, "blocked while full");
    assert.deepEqual(await q.shift(), { value: 1 });
    await p2;
    assert.deepEqual(await q.shift(), { value: 2 });
    const p3 = q.shift();
    q.tryPush(3);
    assert.deepEqual(await p3, { value: 3 });
  });

  test("an abort rejects only the waiters with that signal; a reused signal keeps working", async () => {
    const q = new BoundedQueue<number>(Number.POSITIVE_INFINITY);
    const keep = new AbortController();
    // Many waits with one signal (one listener per signal): each still resolves.
    for (let i = 0; i < 50; i++) {
      const got = q.shift(keep.signal);
      q.tryPush(i);
      assert.deepEqual(await got, { value: i });
    }
    const a = new AbortController();
    const rejected = q.shift(a.signal);
    const survivor = q.shift(keep.signal);
    a.abort(new Error("stop"));
    await assert.rejects(rejected, /stop/);
    q.tryPush(7);
    assert.deepEqual(await survivor, { value: 7 });
    await assert.rejects(q.shift(a.signal), /stop/, "an aborted signal rejects at once");
    const full = new BoundedQueue<number>(0);
    const w = new AbortController();
    const blocked = full.push(1, w.signal);
    w.abort(new Error("writer gone"));
    await assert.rejects(blocked, /writer gone/);
  });

  test("close: pending pushes reject with the reason, readers drain then end", async () => {
    const q = new BoundedQueue<number>(1);
    q.tryPush(1);
    const blocked = q.push(2);
    q.close(new QueueClosedError("done"));
    await assert.rejects(blocked, /done/);
    assert.deepEqual(await q.shift(), { value: 1 });
    assert.equal(await q.shift(), undefined);
  });

  test("notifyReadable fires once on the next push; a cancelled one never fires", () => {
    const q = new BoundedQueue<number>(4);
    let a = 0;
    let b = 0;
    q.notifyReadable(() => a++);
    const cancel = q.notifyReadable(() => b++);
    cancel();
    q.tryPush(1);
    q.tryPush(2);
    assert.equal(a, 1);
    assert.equal(b, 0);
    let c = 0;
    q.notifyReadable(() => c++);
    q.close();
    assert.equal(c, 1, "close wakes too");
  });
});
