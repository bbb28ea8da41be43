// StoryDispatcher, impulse trigger stats, stopStory and the throttle against the real API server
// with the test controller.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { clusterStories } from "../../src/impulse/cluster-stories.ts";
import { StoryDispatcher } from "../../src/impulse/dispatcher.ts";
import type { StoryClient } from "../../src/impulse/story-client.ts";
import { startTestController, type TestController } from "../peers/controller/controller.ts";
import { k8sPeerSkip, requireK8sPeer } from "../peers/k8s/peer.ts";
import { Fixture, freshNamespace } from "./support.ts";

/** `ctx.stories` of an impulse pod whose client is `client`. */
const storiesOf = (client: StoryClient) => clusterStories(() => Promise.resolve(client), client.env);

import {
  ImpulseSessionExistsError,
  ImpulseSessionNotFoundError,
  StoryRunNotFoundError,
} from "../../src/impulse/errors.ts";
import { TriggerThrottle } from "../../src/impulse/throttle.ts";

const skip = k8sPeerSkip();
const ns = freshNamespace("disp");
let fx: Fixture;
let controller: TestController;
const delays = new Map<string, number>();

const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

describe("dispatcher, stats, stop and throttle against the real API server", { skip }, () => {
  before(async () => {
    const peer = requireK8sPeer();
    if (!peer) return;
    fx = new Fixture(peer, ns);
    controller = await startTestController(peer, {
      namespaces: [ns],
      delayMs: (t) => delays.get(t.spec.storyRef.name) ?? 0,
      reject: (t) => (t.spec.storyRef.name === "refused" ? "no" : undefined),
    });
    for (const s of ["target", "refused", "paced", "stoppable"]) await fx.story(s);
    await fx.impulse("hook", "target");
  });
  after(async () => {
    await controller?.stop();
    await fx?.close();
  });

  test("trigger with a key: session with the storyrun label; stop requests cancellation once", async () => {
    const client = await fx.client({ BUBU_IMPULSE_NAME: "hook", BUBU_TARGET_STORY_NAME: "target" });
    const d = new StoryDispatcher(storiesOf(client), { now: () => new Date("2026-05-01T10:00:00.500Z") });
    const res = await d.trigger({
      key: "pr-7",
      inputs: { pr: 7 },
      metadata: { repo: "x/y", "bubustack.io/storyrun": "forged" },
    });
    assert.equal(res.session?.storyName, "target");
    assert.equal(res.session?.storyRun, res.storyRun.metadata.name);
    assert.deepEqual(
      res.session?.metadata,
      { "bubustack.io/storyrun": res.storyRun.metadata.name, repo: "x/y" },
      "the caller cannot override the storyrun key",
    );
    assert.ok(d.hasSession("pr-7"));
    await assert.rejects(d.trigger({ key: "pr-7" }), ImpulseSessionExistsError);
    const stopped = await d.stop(" pr-7 ");
    assert.equal(stopped.storyRun, res.storyRun.metadata.name);
    assert.equal(d.hasSession("pr-7"), false);
    const run = await fx.get<Record<string, any>>(
      `/apis/runs.bubustack.io/v1alpha1/namespaces/${ns}/storyruns/${stopped.storyRun}`,
    );
    assert.equal(run.spec.cancelRequested, true);
    await assert.rejects(d.stop("pr-7"), ImpulseSessionNotFoundError);
    // A failed trigger releases the key.
    await assert.rejects(d.trigger({ key: "bad", story: "refused" }), /^StoryTriggerRejectedError: no$/);
    assert.equal(d.hasSession("bad"), false);
  });

  test("impulse stats: received, launched, failed and timestamps as absolute values", async () => {
    const before = await fx.get<Record<string, any>>(`/apis/bubustack.io/v1alpha1/namespaces/${ns}/impulses/hook`);
    const client = await fx.client({ BUBU_IMPULSE_NAME: "hook", BUBU_TARGET_STORY_NAME: "target" });
    const d = new StoryDispatcher(storiesOf(client));
    await d.trigger({ inputs: { i: 1 } });
    await d.trigger({ inputs: { i: 2 } });
    await assert.rejects(d.trigger({ story: "refused" }));
    const after = await fx.get<Record<string, any>>(`/apis/bubustack.io/v1alpha1/namespaces/${ns}/impulses/hook`);
    const n = (k: string, o: Record<string, any>): number => (o.status?.[k] as number | undefined) ?? 0;
    assert.equal(n("triggersReceived", after) - n("triggersReceived", before), 3);
    assert.equal(n("storiesLaunched", after) - n("storiesLaunched", before), 2);
    assert.equal(n("failedTriggers", after) - n("failedTriggers", before), 1);
    assert.match(after.status.lastTrigger, TIME);
    assert.match(after.status.lastSuccess, TIME);
    assert.equal(after.status.observedGeneration, after.metadata.generation);
  });

  test("concurrent dispatchers lose no increment (resourceVersion precondition)", async () => {
    const before = await fx.get<Record<string, any>>(`/apis/bubustack.io/v1alpha1/namespaces/${ns}/impulses/hook`);
    const clients = await Promise.all([1, 2, 3].map(() => fx.client({ BUBU_IMPULSE_NAME: "hook" })));
    await Promise.all(
      clients.map((c, i) => c.updateImpulseTriggerStats(undefined, "hook", "", { triggersReceived: i + 1 })),
    );
    const after = await fx.get<Record<string, any>>(`/apis/bubustack.io/v1alpha1/namespaces/${ns}/impulses/hook`);
    assert.equal(after.status.triggersReceived - (before.status?.triggersReceived ?? 0), 6);
    await assert.rejects(
      clients[0]!.updateImpulseTriggerStats(undefined, "hook", "", { failedTriggers: -1 }),
      /FailedTriggers must not be negative/,
    );
  });

  test("stopStory: cancelRequested once, no-op when terminal or already requested, not-found error", async () => {
    const client = await fx.client();
    const run = await client.triggerStory(undefined, "stoppable", "", {});
    assert.equal(await client.stopStoryRun(undefined, run.metadata.name), "requested");
    assert.equal(await client.stopStoryRun(undefined, run.metadata.name), "already-requested");
    const other = await client.triggerStory(undefined, "stoppable", "", { other: true });
    await fx.api.call(
      "PATCH",
      `/apis/runs.bubustack.io/v1alpha1/namespaces/${ns}/storyruns/${other.metadata.name}/status`,
      { status: { phase: "Succeeded" } },
    );
    assert.equal(await client.stopStoryRun(undefined, other.metadata.name), "terminal");
    const untouched = await fx.get<Record<string, any>>(
      `/apis/runs.bubustack.io/v1alpha1/namespaces/${ns}/storyruns/${other.metadata.name}`,
    );
    assert.equal(untouched.spec.cancelRequested, undefined);
    await assert.rejects(client.stopStoryRun(undefined, "ghost"), (err: unknown) => {
      assert.ok(err instanceof StoryRunNotFoundError);
      assert.equal(err.message, 'storyrun "ghost" not found: storyrun not found');
      return true;
    });
  });

  test("throttle: the rate and the in-flight cap hold (measured), throttled triggers are counted", async () => {
    const rateThrottle = new TriggerThrottle({ ratePerSecond: 20, burst: 2, maxInFlight: 0 });
    const rated = await fx.client({ BUBU_IMPULSE_NAME: "hook" }, { throttle: rateThrottle });
    const before = await fx.get<Record<string, any>>(`/apis/bubustack.io/v1alpha1/namespaces/${ns}/impulses/hook`);
    const n = 22;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: n }, (_, i) => rated.triggerStory(undefined, "paced", "", { i })));
    const seconds = (performance.now() - t0) / 1000;
    // burst 2, then 20/s: the last of 22 can start no earlier than 1.0 s.
    assert.ok(seconds >= 0.95, `22 triggers at 20/s took ${seconds.toFixed(3)} s`);
    const measured = (n - 2) / seconds;
    assert.ok(measured <= 21, `measured ${measured.toFixed(1)}/s`);
    console.log(
      `throttle: ${n} triggers at rate 20/s burst 2 in ${seconds.toFixed(3)} s (${(n / seconds).toFixed(1)}/s overall)`,
    );
    const after = await fx.get<Record<string, any>>(`/apis/bubustack.io/v1alpha1/namespaces/${ns}/impulses/hook`);
    assert.equal((after.status.throttledTriggers ?? 0) - (before.status?.throttledTriggers ?? 0), n - 2);
    assert.match(after.status.lastThrottled, TIME);

    delays.set("paced", 150);
    const slotThrottle = new TriggerThrottle({ ratePerSecond: 0, burst: 0, maxInFlight: 3 });
    const capped = await fx.client({}, { throttle: slotThrottle });
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, slotThrottle.inFlight)), 5);
    const t1 = performance.now();
    await Promise.all(Array.from({ length: 9 }, (_, i) => capped.triggerStory(undefined, "paced", "", { slot: i })));
    clearInterval(sampler);
    const ms = performance.now() - t1;
    delays.delete("paced");
    assert.equal(peak, 3);
    assert.equal(slotThrottle.inFlight, 0);
    // 9 triggers, 3 at a time, each held ≥150 ms by the controller: at least 3 rounds.
    assert.ok(ms >= 440, `took ${ms.toFixed(0)} ms`);
  });
});
