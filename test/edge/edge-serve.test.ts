// The edge handler, unchanged, served by the runtime running this file: `Bun.serve` (bun test),
// `Deno.serve` (deno test), or Node's http server through the SDK's adapter (node --test), each
// handing its own second argument to `fetch`; the bindings come from `env` and the API server's CA
// from a TLS fetch. Against the cluster peer: a verified delivery starts a StoryRun, a replay
// and a forgery do not, and the Impulse's trigger count is written after the response.

import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { type EdgeImpulse, edgeImpulse, githubSignature } from "../../src/edge/mod.ts";
import { detectRuntime } from "../../src/runtime/detect.ts";
import type { Json } from "../peers/cluster/kube-api.ts";
import { waitFor } from "../peers/cluster/objects.ts";
import { clusterPeerSkip, requireClusterPeer } from "../peers/cluster/peer.ts";
import { currentRuntime } from "../support/spawn.ts";
import { type EdgeCluster, edgeCluster, runsIn } from "./cluster-setup.ts";

const SECRET = "serve secret";
const rt = currentRuntime();
const sign = (body: string, secret = SECRET): string =>
  `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

/** Serves `hook.fetch` with this runtime's own server; resolves to its URL and a stop function. */
async function serveNatively(hook: EdgeImpulse): Promise<{ url: string; stop(): Promise<void> }> {
  const g = globalThis as {
    Bun?: {
      serve(o: { port: number; hostname: string; fetch: (r: Request, s: unknown) => Promise<Response> }): {
        port: number;
        stop(force?: boolean): Promise<void>;
      };
    };
    Deno?: {
      serve(
        o: { port: number; hostname: string; onListen(): void },
        h: (r: Request, info: unknown) => Promise<Response>,
      ): { addr: { port: number }; shutdown(): Promise<void> };
    };
  };
  if (g.Bun) {
    const server = g.Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: hook.fetch });
    return { url: `http://127.0.0.1:${server.port}`, stop: () => server.stop(true) };
  }
  if (g.Deno) {
    const server = g.Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, hook.fetch);
    return { url: `http://127.0.0.1:${server.addr.port}`, stop: () => server.shutdown() };
  }
  const server = await detectRuntime().serve((request) => hook.fetch(request), { port: 0, hostname: "127.0.0.1" });
  return { url: `http://127.0.0.1:${server.port}`, stop: () => server.close() };
}

describe(`edgeImpulse served by ${rt}'s own server against the cluster peer`, {
  skip: clusterPeerSkip(),
  timeout: 120_000,
}, () => {
  let cluster: EdgeCluster | undefined;
  let served: { url: string; stop(): Promise<void> } | undefined;
  let tls: { close(): Promise<void> } | undefined;

  before(async () => {
    const peer = requireClusterPeer();
    if (!peer) return;
    cluster = await edgeCluster(peer, `edge-serve-${rt}`);
    const tlsFetch = detectRuntime().createTlsFetch({ ca: peer.caPem });
    tls = tlsFetch;
    const hook = edgeImpulse({
      verify: githubSignature({ secret: { secretKey: "WEBHOOK_SECRET" } }),
      toInputs: (payload) => ({ event: payload }),
      env: {
        BUBU_KUBE_API_URL: peer.url,
        BUBU_KUBE_TOKEN: cluster.token,
        WEBHOOK_SECRET: SECRET,
        BUBU_TARGET_STORY_NAME: cluster.story,
        BUBU_TARGET_STORY_NAMESPACE: cluster.ns,
        BUBU_IMPULSE_NAME: cluster.impulse,
        BUBU_IMPULSE_NAMESPACE: cluster.ns,
      },
      fetch: tlsFetch.fetch,
    });
    served = await serveNatively(hook);
  });

  after(async () => {
    await served?.stop();
    await tls?.close();
    await cluster?.close();
  });

  test("a verified delivery starts a StoryRun; its replay and a forgery start nothing; the Impulse counts one", async () => {
    if (!cluster || !served) return;
    const body = JSON.stringify({ action: "opened", number: 7 });
    const post = (headers: Record<string, string>): Promise<Response> =>
      fetch(`${served!.url}/webhook`, {
        method: "POST",
        body,
        headers: { "content-type": "application/json", ...headers },
      });

    const first = await post({ "x-hub-signature-256": sign(body) });
    const answer = (await first.json()) as { storyRun?: string };
    assert.equal(first.status, 202, JSON.stringify(answer));
    const name = answer.storyRun!.split("/")[1];
    const storyRun = await cluster.api.get<Json>(
      `/apis/runs.bubustack.io/v1alpha1/namespaces/${cluster.ns}/storyruns/${name}`,
    );
    assert.deepEqual((storyRun.spec as { inputs: unknown }).inputs, { event: { action: "opened", number: 7 } });

    const replay = await post({ "x-hub-signature-256": sign(body) });
    assert.deepEqual([replay.status, await replay.json()], [200, { storyRun: answer.storyRun, replayed: true }]);
    const forged = await post({ "x-hub-signature-256": sign(body, "guess") });
    assert.equal(forged.status, 403);
    await forged.body?.cancel();

    const { triggers, storyRuns } = await runsIn(cluster.api, cluster.ns);
    assert.deepEqual([triggers.length, storyRuns.length], [1, 1]);
    await waitFor(
      "the Impulse's trigger count",
      async () => {
        const impulse = await cluster!.api.get<Json>(
          `/apis/bubustack.io/v1alpha1/namespaces/${cluster!.ns}/impulses/${cluster!.impulse}`,
        );
        return (impulse.status as { triggersReceived?: number } | undefined)?.triggersReceived === 1 ? true : undefined;
      },
      { timeoutMs: 15_000 },
    );
  });
});
