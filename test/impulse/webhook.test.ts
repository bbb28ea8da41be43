// The webhook example as a child process of the runtime under test (bun test → Bun, deno test →
// Deno, node --test → Node) against the real API server, with the test controller resolving
// triggers: signatures, body limit, replay, malformed JSON, health endpoints, SIGTERM; plus the
// request → StoryRun latency.

import assert from "node:assert/strict";
import { createHash, createHmac, randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { startTestController, type TestController } from "../peers/controller/controller.ts";
import { k8sPeerSkip, requireK8sPeer } from "../peers/k8s/peer.ts";
import { Fixture, freshNamespace } from "./support.ts";
import { startWebhookExample, type WebhookExampleProcess } from "./webhook-example-process.ts";

const skip = k8sPeerSkip();
const ns = freshNamespace("hook");
const SECRET = "It's a Secret to Everybody";
let fx: Fixture;
let controller: TestController;
let hook: WebhookExampleProcess | undefined;
let base = "";

function sign(body: string, secret = SECRET): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

const push = (commit: string) =>
  JSON.stringify({
    ref: "refs/heads/main",
    after: commit,
    repository: { full_name: "octo/repo" },
    pusher: { name: "mona" },
  });

function post(body: string, headers: Record<string, string>): Promise<Response> {
  return fetch(`${base}/webhook`, {
    method: "POST",
    body,
    headers: { "content-type": "application/json", ...headers },
  });
}

async function counts(): Promise<{ triggers: number; runs: number }> {
  return { triggers: (await fx.list("storytriggers")).length, runs: (await fx.list("storyruns")).length };
}

describe("webhook impulse (example) as a process", { skip }, () => {
  before(async () => {
    const peer = requireK8sPeer();
    if (!peer) return;
    fx = new Fixture(peer, ns);
    controller = await startTestController(peer, { namespaces: [ns] });
    await fx.story("ci");
    await fx.impulse("github-push", "ci");
    hook = await startWebhookExample(
      {
        // As in a pod (a service host without a port: the kubeconfig is used).
        KUBERNETES_SERVICE_HOST: "10.0.0.1",
        KUBECONFIG: peer.kubeconfigPath,
        BUBU_IMPULSE_NAMESPACE: ns,
        BUBU_IMPULSE_NAME: "github-push",
        BUBU_TARGET_STORY_NAME: "ci",
        BUBU_SECRET_WEBHOOK: SECRET,
      },
      120_000,
    );
    base = hook.origin;
  });
  after(async () => {
    hook?.kill("SIGKILL");
    await controller?.stop();
    await fx?.close();
  });

  test("health endpoints, unknown path, wrong method", async () => {
    for (const path of ["/healthz", "/livez", "/readyz"]) {
      const r = await fetch(`${base}${path}`);
      assert.equal(r.status, 200, path);
      assert.equal(await r.text(), "ok\n");
    }
    assert.equal((await fetch(`${base}/nope`)).status, 404);
    const get = await fetch(`${base}/webhook`);
    assert.equal(get.status, 405);
    assert.equal(get.headers.get("allow"), "POST");
  });

  test("a good signature starts the Story once; the body digest is the trigger token", async () => {
    const before = await counts();
    const body = push("abc123");
    const id = randomUUID();
    const r = await post(body, {
      "x-hub-signature-256": sign(body),
      "x-github-event": "push",
      "x-github-delivery": id,
    });
    const json = (await r.json()) as { storyRun: string; deliveryId: string };
    assert.equal(r.status, 202, JSON.stringify(json));
    assert.equal(json.deliveryId, id);
    const [runNs, runName] = json.storyRun.split("/");
    assert.equal(runNs, ns);
    const run = await fx.get<Record<string, any>>(
      `/apis/runs.bubustack.io/v1alpha1/namespaces/${ns}/storyruns/${runName}`,
    );
    assert.deepEqual(run.spec.inputs, {
      repository: "octo/repo",
      ref: "refs/heads/main",
      commit: "abc123",
      pusher: "mona",
    });
    assert.deepEqual(run.spec.impulseRef, { name: "github-push", namespace: ns });
    const digest = createHash("sha256").update(body).digest("hex");
    const trig = (await fx.list("storytriggers")).find((t) => t.spec.deliveryIdentity.key === digest);
    assert.equal(trig?.spec.deliveryIdentity.mode, "token");
    assert.deepEqual(await counts(), { triggers: before.triggers + 1, runs: before.runs + 1 });

    // The same delivery again: answered from the replay store, nothing sent to the cluster.
    const again = await post(body, {
      "x-hub-signature-256": sign(body),
      "x-github-event": "push",
      "x-github-delivery": id,
    });
    assert.equal(again.status, 200);
    assert.deepEqual(await again.json(), { storyRun: json.storyRun, deliveryId: id, replayed: true });
    // The same signed body under a new delivery id, or none: still the same delivery.
    const newId = randomUUID();
    const renamed = await post(body, {
      "x-hub-signature-256": sign(body),
      "x-github-event": "push",
      "x-github-delivery": newId,
    });
    assert.deepEqual(await renamed.json(), { storyRun: json.storyRun, deliveryId: newId, replayed: true });
    const anonymous = await post(body, { "x-hub-signature-256": sign(body), "x-github-event": "push" });
    assert.deepEqual(await anonymous.json(), { storyRun: json.storyRun, replayed: true });
    assert.deepEqual(await counts(), { triggers: before.triggers + 1, runs: before.runs + 1 });
    const impulse = await fx.get<Record<string, any>>(
      `/apis/bubustack.io/v1alpha1/namespaces/${ns}/impulses/github-push`,
    );
    assert.equal(impulse.status.storiesLaunched, 1);
  });

  test("bad, missing and malformed signatures, oversized and malformed bodies: right status, no trigger", async () => {
    const before = await counts();
    const body = push("def456");
    const h = { "x-github-event": "push", "x-github-delivery": randomUUID() };
    const bad = await post(body, { ...h, "x-hub-signature-256": sign(body, "wrong secret") });
    assert.equal(bad.status, 403);
    assert.deepEqual(await bad.json(), { error: "invalid signature" });
    assert.equal((await post(body, { ...h, "x-hub-signature-256": "sha256=zz" })).status, 403);
    const none = await post(body, h);
    assert.equal(none.status, 401);
    assert.deepEqual(await none.json(), { error: "missing signature" });
    // A valid signature over a different body.
    assert.equal((await post(body, { ...h, "x-hub-signature-256": sign(body + " ") })).status, 403);
    const huge = JSON.stringify({ pad: "x".repeat(600 * 1024) });
    const big = await post(huge, { ...h, "x-hub-signature-256": sign(huge) });
    assert.equal(big.status, 413);
    const broken = '{"ref": "refs/heads/main",';
    const malformed = await post(broken, { ...h, "x-hub-signature-256": sign(broken) });
    assert.equal(malformed.status, 400);
    assert.match(((await malformed.json()) as { error: string }).error, /^malformed JSON/);
    const wrongShape = JSON.stringify({ ref: 1 });
    assert.equal((await post(wrongShape, { ...h, "x-hub-signature-256": sign(wrongShape) })).status, 400);
    const ping = JSON.stringify({ zen: "hi" });
    const ignored = await post(ping, { "x-github-event": "ping", "x-hub-signature-256": sign(ping) });
    assert.equal(ignored.status, 202);
    assert.deepEqual(await ignored.json(), { ignored: true });
    assert.deepEqual(await counts(), before);
  });

  test("latency from webhook request to resolved StoryRun (p50/p99)", async () => {
    const samples: number[] = [];
    for (let i = 0; i < 40; i++) {
      const body = push(`c${i}`);
      const t0 = performance.now();
      const r = await post(body, {
        "x-hub-signature-256": sign(body),
        "x-github-event": "push",
        "x-github-delivery": randomUUID(),
      });
      assert.equal(r.status, 202);
      await r.body?.cancel();
      samples.push(performance.now() - t0);
    }
    samples.sort((a, b) => a - b);
    const pct = (p: number) => samples[Math.min(samples.length - 1, Math.ceil((p / 100) * samples.length) - 1)]!;
    console.log(
      `webhook → StoryRun resolved: p50 ${pct(50).toFixed(1)} ms, p99 ${pct(99).toFixed(1)} ms (n=${samples.length})`,
    );
    assert.ok(pct(50) < 2000);
  });

  test("SIGTERM: the server stops and the process exits 143", async () => {
    hook!.kill("SIGTERM");
    const r = await hook!.exited;
    assert.equal(r.code, 143, r.stderr);
    assert.match(r.stdout, /"msg":"impulse stopped".*"end":"terminated"/, "in a pod the logs are on stdout");
    await assert.rejects(fetch(`${base}/healthz`));
  });
});
