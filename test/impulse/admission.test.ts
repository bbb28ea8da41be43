// The admission bound reads the client's signal only for a delivery that has to wait (on Deno,
// reading a served request's signal prints a notice), and a waiting delivery whose client left
// gives up its place.

import assert from "node:assert/strict";
import { test } from "node:test";
import { Admission } from "../../src/impulse/webhook/admission.ts";

test("the client signal is read only when waiting; an abort while waiting refuses", async () => {
  const admission = new Admission({ maxInFlight: 1, maxQueued: 2, queueTimeoutMs: 10_000 });
  let reads = 0;
  const client = new AbortController();
  const signal = (): AbortSignal => {
    reads++;
    return client.signal;
  };
  const first = await admission.enter(signal);
  assert.ok(first !== undefined);
  assert.equal(reads, 0, "a delivery with a free slot never reads the signal");
  const waiting = admission.enter(signal);
  assert.equal(reads, 1);
  assert.equal(admission.queued, 1);
  client.abort();
  assert.equal(await waiting, undefined, "the client left while waiting");
  assert.equal(admission.queued, 0);
  assert.equal(await admission.enter(signal), undefined, "an aborted client is not queued");
  first();
  const next = await admission.enter(() => assert.fail("read with a free slot"));
  assert.ok(next !== undefined);
  next();
});
