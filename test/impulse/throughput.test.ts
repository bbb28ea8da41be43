// Sustained triggers/s through StoryClient.triggerStory against the real API server with the test
// controller (median of 3 runs; printed for the report). Asserts only that every trigger resolved.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestController, type TestController } from "../peers/controller/controller.ts";
import { k8sPeerSkip, requireK8sPeer } from "../peers/k8s/peer.ts";
import { Fixture, freshNamespace } from "./support.ts";

const skip = k8sPeerSkip();
const ns = freshNamespace("tput");
let fx: Fixture;
let controller: TestController;

describe("trigger throughput", { skip }, () => {
  before(async () => {
    const peer = requireK8sPeer();
    if (!peer) return;
    fx = new Fixture(peer, ns);
    controller = await startTestController(peer, { namespaces: [ns] });
    await fx.story("bulk");
  });
  after(async () => {
    await controller?.stop();
    await fx?.close();
  });

  test("triggers/s, 60 triggers at concurrency 12, median of 3", { timeout: 120_000 }, async () => {
    const client = await fx.client();
    const rates: number[] = [];
    for (let round = 0; round < 3; round++) {
      const n = 60;
      let next = 0;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: 12 }, async () => {
          while (next < n) {
            const i = next++;
            const run = await client.triggerStory(undefined, "bulk", "", { round, i });
            assert.ok(run.metadata.name);
          }
        }),
      );
      rates.push(n / ((performance.now() - t0) / 1000));
    }
    rates.sort((a, b) => a - b);
    console.log(
      `startStory throughput: median ${rates[1]!.toFixed(1)} triggers/s (runs: ${rates.map((r) => r.toFixed(1)).join(", ")})`,
    );
    assert.equal((await fx.list("storyruns")).length, 180);
  });
});
