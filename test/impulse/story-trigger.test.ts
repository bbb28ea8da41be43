// startStory over the real API server with the test controller playing the operator: the exact
// StoryTrigger, resolution, token and key dedupe, conflicts, rejection, a slow controller, API
// errors with and without a retry policy, and bad input.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  RetryableTriggerError,
  StoryTriggerConflictError,
  StoryTriggerRejectedError,
  TriggerAbortedError,
  TriggerPolicyError,
} from "../../src/impulse/errors.ts";
import { sha256Hex } from "../../src/impulse/hash.ts";
import { deriveStoryRunName, deriveStoryTriggerName } from "../../src/impulse/names.ts";
import { startTestController, type TestController } from "../peers/controller/controller.ts";
import { k8sPeerSkip, requireK8sPeer } from "../peers/k8s/peer.ts";
import { FaultProxy, Fixture, freshNamespace } from "./support.ts";

const skip = k8sPeerSkip();
const ns = freshNamespace("trig");
let fx: Fixture;
let controller: TestController;
const held = new Set<string>(); // stories the controller ignores
const slow = new Map<string, number>(); // story -> delay ms

describe("startStory against the real API server", { skip }, () => {
  before(async () => {
    const peer = requireK8sPeer();
    if (!peer) return;
    fx = new Fixture(peer, ns);
    controller = await startTestController(peer, {
      namespaces: [ns],
      ignore: (t) => held.has(t.spec.storyRef.name),
      delayMs: (t) => slow.get(t.spec.storyRef.name) ?? 0,
      reject: (t) => (t.spec.storyRef.name === "refused" ? "story refused by policy" : undefined),
    });
    for (const s of ["orders", "keyed", "refused", "held", "slowpoke", "faulty", "stoppable"])
      await fx.story(s, s === "orders" ? "v3" : undefined);
  });
  after(async () => {
    await controller?.stop();
    await fx?.close();
  });

  test("trigger and resolution: the exact StoryTrigger, then the StoryRun the controller created", async () => {
    const client = await fx.client({
      BUBU_IMPULSE_NAME: "github",
      BUBU_STORYRUN_ID: "Parent_Run.1",
      BUBU_STEP_NAME: "notify",
      BUBU_STEPRUN_NAME: "parent-run-notify",
    });
    const inputs = { b: 2, a: "x<y>&z", nested: { k: [1, 2.5, true, null] } };
    const run = await client.triggerStory(undefined, "orders", "", inputs);
    const triggers = await fx.list("storytriggers");
    assert.equal(triggers.length, 1);
    const t = triggers[0]!;
    const sub = t.spec.deliveryIdentity.submissionId as string;
    assert.match(sub, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(t.metadata.name, await deriveStoryTriggerName(ns, "orders", "", sub));
    assert.deepEqual(t.metadata.labels, {
      "bubustack.io/parent-storyrun": "parent-run-1",
      "bubustack.io/parent-step": "notify",
      "bubustack.io/steprun": "parent-run-notify",
    });
    assert.deepEqual(t.metadata.annotations, {
      "bubustack.io/parent-storyrun": "Parent_Run.1",
      "bubustack.io/parent-step": "notify",
      "bubustack.io/parent-steprun": "parent-run-notify",
    });
    assert.deepEqual(t.spec.storyRef, { name: "orders", version: "v3" });
    assert.deepEqual(t.spec.impulseRef, { name: "github", namespace: ns });
    assert.deepEqual(t.spec.deliveryIdentity, { mode: "none", submissionId: sub });
    assert.deepEqual(t.spec.inputs, inputs);
    assert.equal(t.status.decision, "Created");
    assert.equal(run.metadata.name, await deriveStoryRunName(ns, "orders", sub));
    assert.equal(run.metadata.namespace, ns);
    assert.deepEqual(run.spec?.inputs, inputs);
  });

  test("the same token twice: one StoryTrigger, one StoryRun; after the trigger is gone, Reused", async () => {
    const client = await fx.client();
    const ctx = { triggerToken: "delivery-123" };
    const first = await client.triggerStory(ctx, "orders", "", { n: 1 });
    const second = await client.triggerStory(ctx, "orders", "", { n: 1 });
    assert.equal(second.metadata.uid, first.metadata.uid);
    const name = await deriveStoryTriggerName(ns, "orders", "delivery-123", "delivery-123");
    const t = await fx.get<Record<string, any>>(
      `/apis/runs.bubustack.io/v1alpha1/namespaces/${ns}/storytriggers/${name}`,
    );
    assert.deepEqual(t.spec.deliveryIdentity, {
      mode: "token",
      key: "delivery-123",
      submissionId: "delivery-123",
      inputHash: await sha256Hex('{"n":1}'),
    });
    assert.equal(t.status.decision, "Created");
    // The trigger is garbage-collected; the same delivery arrives again: the operator reuses the run.
    await fx.api.call("DELETE", `/apis/runs.bubustack.io/v1alpha1/namespaces/${ns}/storytriggers/${name}`);
    const third = await client.triggerStory(ctx, "orders", "", { n: 1 });
    assert.equal(third.metadata.uid, first.metadata.uid);
    const again = await fx.get<Record<string, any>>(
      `/apis/runs.bubustack.io/v1alpha1/namespaces/${ns}/storytriggers/${name}`,
    );
    assert.equal(again.status.decision, "Reused");
    assert.equal(again.status.reason, "StoryRunReused");
    const runs = (await fx.list("storyruns")).filter((r) => r.metadata.name === first.metadata.name);
    assert.equal(runs.length, 1);
  });

  test("different inputs with the same token: refused by identity comparison, no second StoryRun", async () => {
    const client = await fx.client();
    const ctx = { triggerToken: "delivery-456" };
    const first = await client.triggerStory(ctx, "orders", "", { amount: 10 });
    const before = (await fx.list("storyruns")).length;
    await assert.rejects(client.triggerStory(ctx, "orders", "", { amount: 11 }), (err: unknown) => {
      assert.ok(err instanceof StoryTriggerConflictError);
      assert.match(
        err.message,
        /^storytrigger 'orders-trigger-[0-9a-f]{16}' already exists with different immutable request identity; reuse is not allowed$/,
      );
      return true;
    });
    assert.equal((await fx.list("storyruns")).length, before);
    assert.ok(first.metadata.name);
  });

  test("key dedupe: the key is sha256 of the rendered template; same key and inputs reuse the run", async () => {
    const client = await fx.client({
      BUBU_TRIGGER_DEDUPE_MODE: "key",
      BUBU_TRIGGER_DEDUPE_KEY_TEMPLATE: "{{ .inputs.order.id }}",
    });
    const a = await client.triggerStory(undefined, "keyed", "", { order: { id: "A-1" }, note: "x" });
    const b = await client.triggerStory(undefined, "keyed", "", { order: { id: "A-1" }, note: "x" });
    const c = await client.triggerStory(undefined, "keyed", "", { order: { id: "A-2" }, note: "x" });
    assert.equal(a.metadata.uid, b.metadata.uid);
    assert.notEqual(a.metadata.uid, c.metadata.uid);
    const key = await sha256Hex("A-1");
    const t = await fx.get<Record<string, any>>(
      `/apis/runs.bubustack.io/v1alpha1/namespaces/${ns}/storytriggers/${await deriveStoryTriggerName(ns, "keyed", key, key)}`,
    );
    assert.equal(t.spec.deliveryIdentity.mode, "key");
    assert.equal(t.spec.deliveryIdentity.key, key);
    // Same key, different inputs: the contract's answer is the identity conflict.
    await assert.rejects(
      client.triggerStory(undefined, "keyed", "", { order: { id: "A-1" }, note: "y" }),
      StoryTriggerConflictError,
    );
    // A token that disagrees with the key template is refused before anything is sent.
    await assert.rejects(
      client.triggerStory({ triggerToken: "other" }, "keyed", "", { order: { id: "A-1" } }),
      /trigger token mismatch: provided token does not match BUBU_TRIGGER_DEDUPE_KEY_TEMPLATE output/,
    );
    await assert.rejects(
      client.triggerStory(undefined, "keyed", "", { order: {} }),
      /resolve trigger key template: missing key at inputs\.order\.id/,
    );
  });

  test("token mode requires a token; BUBU_TRIGGER_TOKEN is the fallback", async () => {
    const strict = await fx.client({ BUBU_TRIGGER_DEDUPE_MODE: "token" });
    await assert.rejects(strict.triggerStory(undefined, "orders", "", {}), TriggerPolicyError);
    const fallback = await fx.client({ BUBU_TRIGGER_DEDUPE_MODE: "token", BUBU_TRIGGER_TOKEN: "  env-token  " });
    const run = await fallback.triggerStory(undefined, "orders", "", {});
    assert.equal(run.metadata.name, await deriveStoryRunName(ns, "orders", "env-token"));
  });

  test("Rejected: the controller's message; a missing Story is rejected with StoryNotFound", async () => {
    const client = await fx.client();
    await assert.rejects(client.triggerStory(undefined, "refused", "", {}), (err: unknown) => {
      assert.ok(err instanceof StoryTriggerRejectedError);
      assert.equal(err.message, "story refused by policy");
      return true;
    });
    await assert.rejects(client.triggerStory(undefined, "no-such-story", "", {}), (err: unknown) => {
      assert.ok(err instanceof StoryTriggerRejectedError);
      assert.equal(err.reason, "StoryNotFound");
      assert.equal(err.message, `referenced Story "${ns}/no-such-story" was not found`);
      return true;
    });
  });

  test("a controller slower than the operation timeout: a clear, retryable 'still pending' error", async () => {
    held.add("held");
    const client = await fx.client({ BUBU_K8S_OPERATION_TIMEOUT: "800ms" });
    const t0 = performance.now();
    await assert.rejects(client.triggerStory(undefined, "held", "", {}), (err: unknown) => {
      assert.ok(err instanceof RetryableTriggerError, String(err));
      assert.match(err.message, new RegExp(`^storytrigger '${ns}/held-trigger-[0-9a-f]{16}' is still pending$`));
      return true;
    });
    const ms = performance.now() - t0;
    assert.ok(ms >= 750 && ms < 3000, `waited ${ms}ms`);
    // A caller deadline wins over the operation timeout and says so.
    await assert.rejects(client.triggerStory({ timeoutMs: 300 }, "held", "", {}), (err: unknown) => {
      assert.ok(err instanceof TriggerAbortedError && err.deadline, String(err));
      // Usually while polling; on a loaded machine the deadline can already end the create call.
      assert.match(
        err.message,
        /(is still pending|^failed to create storytrigger '[^']+' in namespace '[^']+'): context deadline exceeded$/,
      );
      return true;
    });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    await assert.rejects(client.triggerStory({ signal: ac.signal }, "held", "", {}), /context canceled$/);
  });

  test("retry policy: a pending trigger is retried with the same identity and resolves once", async () => {
    slow.set("slowpoke", 1200);
    const client = await fx.client({
      BUBU_K8S_OPERATION_TIMEOUT: "700ms",
      BUBU_TRIGGER_RETRY_MAX_ATTEMPTS: "3",
      BUBU_TRIGGER_RETRY_BASE_DELAY: "100ms",
      BUBU_TRIGGER_RETRY_BACKOFF: "constant",
    });
    const run = await client.triggerStory(undefined, "slowpoke", "", { x: 1 });
    const triggers = (await fx.list("storytriggers")).filter((t) => t.spec.storyRef.name === "slowpoke");
    assert.equal(triggers.length, 1);
    assert.equal(triggers[0]!.status.storyRunRef.name, run.metadata.name);
  });

  test("API errors: 429 is retried under the policy, 500 and 409 Conflict are not; no policy means one attempt", async () => {
    const proxy = new FaultProxy(fx.peer);
    const url = await proxy.start();
    try {
      const kubeconfigPath = fx.proxyKubeconfig(url);
      const policy = { BUBU_TRIGGER_RETRY_MAX_ATTEMPTS: "3", BUBU_TRIGGER_RETRY_BASE_DELAY: "50ms" };
      const client = await fx.client(policy, { kubeconfigPath });
      proxy.faults.push({
        method: "POST",
        pathIncludes: "/storytriggers",
        status: 429,
        reason: "TooManyRequests",
        times: 2,
      });
      const run = await client.triggerStory(undefined, "faulty", "", { attempt: "429" });
      assert.ok(run.metadata.name);
      assert.equal(proxy.count("POST", "/storytriggers"), 3);

      proxy.faults.push({
        method: "POST",
        pathIncludes: "/storytriggers",
        status: 500,
        reason: "InternalError",
        times: 5,
      });
      const before500 = proxy.count("POST", "/storytriggers");
      await assert.rejects(
        client.triggerStory(undefined, "faulty", "", { attempt: "500" }),
        /failed to create storytrigger 'faulty-trigger-[0-9a-f]{16}' in namespace '.+': injected 500 InternalError/,
      );
      assert.equal(proxy.count("POST", "/storytriggers") - before500, 1);
      proxy.faults.length = 0;

      proxy.faults.push({ method: "POST", pathIncludes: "/storytriggers", status: 409, reason: "Conflict", times: 5 });
      const before409 = proxy.count("POST", "/storytriggers");
      await assert.rejects(client.triggerStory(undefined, "faulty", "", { attempt: "409" }), /injected 409 Conflict/);
      assert.equal(proxy.count("POST", "/storytriggers") - before409, 1);
      proxy.faults.length = 0;

      const noPolicy = await fx.client({}, { kubeconfigPath });
      proxy.faults.push({
        method: "POST",
        pathIncludes: "/storytriggers",
        status: 429,
        reason: "TooManyRequests",
        times: 1,
      });
      const beforeNone = proxy.count("POST", "/storytriggers");
      await assert.rejects(noPolicy.triggerStory(undefined, "faulty", "", { attempt: "none" }), /injected 429/);
      assert.equal(proxy.count("POST", "/storytriggers") - beforeNone, 1);
    } finally {
      await proxy.stop();
    }
  });

  test("bad input: non-object inputs, no story name, oversized inputs without storage, no namespace", async () => {
    const client = await fx.client();
    await assert.rejects(
      client.triggerStory(undefined, "orders", "", [1, 2] as never),
      /story inputs must be a JSON object/,
    );
    await assert.rejects(client.triggerStory(undefined, "  ", "", {}), /story name is required/);
    await assert.rejects(
      client.triggerStory(undefined, "orders", "", { big: "x".repeat(2000) }),
      /^TriggerPolicyError: output size 2010 bytes exceeds inline limit 1024 and storage is disabled; either enable storage/,
    );
    const bigger = await fx.client({ BUBU_MAX_INLINE_SIZE: "4096" });
    assert.ok((await bigger.triggerStory(undefined, "orders", "", { big: "x".repeat(2000) })).metadata.name);
    await assert.rejects(client.triggerStory(undefined, "orders", "", { n: Number.NaN }), /unsupported value/);
    const nowhere = await fx.client({ BUBU_IMPULSE_NAMESPACE: "" });
    await assert.rejects(nowhere.triggerStory(undefined, "orders", "", {}), /no namespace/);
  });
});
