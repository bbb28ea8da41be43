// The example Worker, bundled for the Workers target and run by workerd (no nodejs_compat) with
// the bindings of its wrangler.toml, against the cluster peer: the API server's certificate is
// trusted through workerd's `trustedCertificates`, the token is a ServiceAccount's with only the
// impulse's permissions, and the real operator decides each StoryTrigger. A verified push starts
// a StoryRun; forgeries, replays and oversize bodies do not.

import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parse as parseToml } from "smol-toml";
import { loadEnv } from "../../src/env/load.ts";
import { buildStoryTriggerRequest } from "../../src/impulse/trigger-request.ts";
import { createTokenKubeClient } from "../../src/k8s/token-client.ts";
import { detectRuntime } from "../../src/runtime/detect.ts";
import { type EdgeCluster, edgeCluster, runsIn } from "../../test/edge/cluster-setup.ts";
import {
  bundleForWorkers,
  configFor,
  serveWorkerd,
  textBinding,
  type Workerd,
  workDir,
} from "../../test/edge/workerd.ts";
import type { Json } from "../../test/peers/cluster/kube-api.ts";
import { waitFor } from "../../test/peers/cluster/objects.ts";
import { type ClusterPeer, clusterPeerSkip, requireClusterPeer } from "../../test/peers/cluster/peer.ts";
import { toInputs } from "./worker.ts";

const HOOK_SECRET = "edge-hook secret";
const wrangler = parseToml(readFileSync(new URL("./wrangler.toml", import.meta.url), "utf8")) as {
  main: string;
  compatibility_date: string;
  vars: Record<string, string>;
  durable_objects: { bindings: { name: string; class_name: string }[] };
};

const sign = (body: string, secret = HOOK_SECRET): string =>
  `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
const push = (commit: string): string =>
  JSON.stringify({
    ref: "refs/heads/main",
    after: commit,
    repository: { full_name: "octo/repo" },
    pusher: { name: "mona" },
  });

describe("examples/edge-impulse on workerd against the cluster peer", {
  skip: clusterPeerSkip(),
  timeout: 180_000,
}, () => {
  let peer: ClusterPeer | undefined;
  let cluster: EdgeCluster;
  let workerd: Workerd | undefined;
  let vars: Record<string, string>;
  const work = workDir("edge-impulse");

  const post = (body: string, headers: Record<string, string>): Promise<Response> =>
    fetch(`${workerd!.url}/webhook`, {
      method: "POST",
      body,
      headers: { "content-type": "application/json", "x-github-event": "push", ...headers },
    });

  before(async () => {
    peer = requireClusterPeer();
    if (!peer) return;
    cluster = await edgeCluster(peer, "edge-wd");
    bundleForWorkers(join("examples/edge-impulse", wrangler.main), join(work.dir, "worker.js"));
    writeFileSync(join(work.dir, "ca.pem"), peer.caPem);
    vars = {
      ...wrangler.vars,
      BUBU_KUBE_API_URL: peer.url,
      BUBU_TARGET_STORY_NAME: cluster.story,
      BUBU_TARGET_STORY_NAMESPACE: cluster.ns,
      BUBU_IMPULSE_NAME: cluster.impulse,
      BUBU_IMPULSE_NAMESPACE: cluster.ns,
    };
    const secrets = { BUBU_KUBE_TOKEN: cluster.token, WEBHOOK_SECRET: HOOK_SECRET };
    const config = configFor({
      modules: ["worker.js"],
      bindings: Object.entries({ ...vars, ...secrets }).map(([k, v]) => textBinding(k, v)),
      durableObjects: wrangler.durable_objects.bindings.map((b) => ({ name: b.name, className: b.class_name })),
      caFile: "ca.pem",
      compatibilityDate: wrangler.compatibility_date,
    });
    workerd = await serveWorkerd(work.dir, config);
  });

  after(async () => {
    await workerd?.close();
    await cluster?.close();
    work.rm();
  });

  test("a verified push starts a StoryRun through the StoryTrigger the SDK builds in process; the Impulse counts it", async () => {
    if (!peer) return;
    const body = push("c0ffee1");
    const res = await post(body, { "x-hub-signature-256": sign(body), "x-github-delivery": "delivery-1" });
    const answer = (await res.json()) as { storyRun?: string };
    assert.equal(res.status, 202, `${JSON.stringify(answer)}\n${workerd!.output()}`);
    const [ns, name] = (answer.storyRun ?? "").split("/");
    assert.equal(ns, cluster.ns);
    const storyRun = await cluster.api.get<Json>(`/apis/runs.bubustack.io/v1alpha1/namespaces/${ns}/storyruns/${name}`);
    assert.deepEqual(
      (storyRun.spec as { inputs: unknown }).inputs,
      toInputs(JSON.parse(body), new Headers({ "x-github-event": "push" })),
    );

    // The same request built here by the same code (through the token client over this runtime's TLS fetch).
    const kube = createTokenKubeClient({
      server: peer.url,
      token: cluster.token,
      env: (n) => vars[n],
      fetch: detectRuntime().createTlsFetch({ ca: peer.caPem }).fetch,
    });
    const digest = await sha256Hex(body);
    const built = await buildStoryTriggerRequest({
      kube,
      env: loadEnv(vars),
      storyName: cluster.story,
      storyNamespace: "",
      inputs: toInputs(JSON.parse(body), new Headers({ "x-github-event": "push" }))!,
      resolvedToken: digest,
      dedupe: undefined,
      signal: new AbortController().signal,
      operationTimeoutMs: 10_000,
    });
    await kube.close();
    const { triggers } = await runsIn(cluster.api, cluster.ns);
    assert.equal(triggers.length, 1);
    const trigger = triggers[0]!;
    assert.equal((trigger.metadata as { name: string }).name, built.trigger.metadata.name);
    assert.deepEqual(trigger.spec, built.trigger.spec);
    assert.equal((trigger.status as { decision?: string }).decision, "Created");

    // The stats write went out after the response (ctx.waitUntil).
    const status = await waitFor(
      "the Impulse's trigger stats",
      async () => {
        const impulse = await cluster.api.get<Json>(
          `/apis/bubustack.io/v1alpha1/namespaces/${cluster.ns}/impulses/${cluster.impulse}`,
        );
        const s = (impulse.status ?? {}) as { triggersReceived?: number; storiesLaunched?: number };
        return s.triggersReceived === 1 ? s : undefined;
      },
      { timeoutMs: 15_000, describe: () => workerd!.output() },
    );
    assert.equal(status.storiesLaunched, 1);
  });

  test("the same delivery again, or under another delivery id, is a replay: the same StoryRun, nothing new", async () => {
    if (!peer) return;
    const body = push("c0ffee1");
    const before = await runsIn(cluster.api, cluster.ns);
    for (const id of ["delivery-1", "delivery-1-copy"]) {
      const res = await post(body, { "x-hub-signature-256": sign(body), "x-github-delivery": id });
      const answer = (await res.json()) as { storyRun?: string; replayed?: boolean };
      assert.equal(res.status, 200, `${JSON.stringify(answer)}\n${workerd!.output()}`);
      assert.equal(answer.replayed, true);
      assert.equal(answer.storyRun, `${cluster.ns}/${(before.storyRuns[0]!.metadata as { name: string }).name}`);
    }
    const now = await runsIn(cluster.api, cluster.ns);
    assert.equal(now.triggers.length, before.triggers.length);
    assert.equal(now.storyRuns.length, before.storyRuns.length);
  });

  test("forgeries do not start a Story: a wrong secret or a tampered body 403, no signature 401", async () => {
    if (!peer) return;
    const before = await runsIn(cluster.api, cluster.ns);
    const body = push("bad0bad");
    const cases: [Record<string, string>, string, number][] = [
      [{ "x-hub-signature-256": sign(body, "not the secret") }, body, 403],
      [{ "x-hub-signature-256": sign(body) }, body.replace("bad0bad", "bad0bae"), 403],
      [{ "x-hub-signature-256": "sha256=zz" }, body, 403],
      [{}, body, 401],
    ];
    for (const [headers, sent, status] of cases) {
      const res = await post(sent, headers);
      const text = await res.text();
      assert.equal(res.status, status, `${JSON.stringify(headers)}: ${text}`);
    }
    const now = await runsIn(cluster.api, cluster.ns);
    assert.equal(now.triggers.length, before.triggers.length);
    assert.equal(now.storyRuns.length, before.storyRuns.length);
  });

  test("an oversize body gets 413 (declared or streamed without a length); another event is ignored", async () => {
    if (!peer) return;
    const before = await runsIn(cluster.api, cluster.ns);
    const big = JSON.stringify({
      ref: "refs/heads/main",
      after: "b16",
      repository: { full_name: "octo/repo" },
      pad: "x".repeat(600 * 1024),
    });
    const declared = await post(big, { "x-hub-signature-256": sign(big) });
    assert.equal(declared.status, 413);
    await declared.body?.cancel();
    const bytes = new TextEncoder().encode(big);
    const streamed = await fetch(`${workerd!.url}/webhook`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-github-event": "push", "x-hub-signature-256": sign(big) },
      body: new ReadableStream({
        start(c) {
          for (let i = 0; i < bytes.length; i += 64 * 1024) c.enqueue(bytes.slice(i, i + 64 * 1024));
          c.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    assert.equal(streamed.status, 413);
    await streamed.body?.cancel();
    const ping = JSON.stringify({ zen: "Keep it logically awesome." });
    const ignored = await post(ping, { "x-github-event": "ping", "x-hub-signature-256": sign(ping) });
    assert.equal(ignored.status, 202);
    assert.deepEqual(await ignored.json(), { ignored: true });
    const now = await runsIn(cluster.api, cluster.ns);
    assert.equal(now.triggers.length, before.triggers.length);
  });
});

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
