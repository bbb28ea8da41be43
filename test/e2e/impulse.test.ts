// An impulse of ours as the Impulse's pod: the operator runs impulses as Deployments (the
// controller-manager's deployment and replicaset controllers make the pod; the process kubelet
// runs it). It calls ctx.stories.start without a token and twice with the same token; each call
// goes through a StoryTrigger that the real operator resolves. The same token twice gives one
// StoryRun.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { Json } from "../peers/cluster/kube-api.ts";
import { collectionPath, waitFor } from "../peers/cluster/objects.ts";
import { clusterPeerSkip, requireClusterPeer } from "../peers/cluster/peer.ts";
import { currentRuntime } from "../support/spawn.ts";
import { e2eDirs, registerE2eImages } from "./e2e-images.ts";
import { applyAll, describeNamespace, e2eNamespace, engram, engramTemplate, story, TERMINAL } from "./story-run.ts";

const rt = currentRuntime();

interface Reported {
  target?: { name: string; namespace: string };
  dedupe: string;
  results: { what: string; storyRun?: string; namespace?: string; error?: string }[];
}

test(`impulse (${rt}): ctx.stories.start from the Impulse's Deployment pod, resolved by the operator`, {
  skip: clusterPeerSkip(),
  timeout: 300_000,
}, async (t) => {
  const peer = requireClusterPeer(t);
  if (!peer) return;
  registerE2eImages(peer);
  const { api, ns, close } = await e2eNamespace(peer, `e2e-impulse-${rt}`);
  const templateName = `e2e-impulse-${ns}`;
  try {
    await applyAll(api, [
      engramTemplate("ts-engram", ns, `bubu-e2e/engram:${rt}`),
      engram("greeter", ns, "ts-engram", { with: { mode: "ok" } }),
      story("greet", ns, { steps: [{ name: "greet", ref: { name: "greeter" }, with: { name: "{{ inputs.name }}" } }] }),
      {
        apiVersion: "catalog.bubustack.io/v1alpha1",
        kind: "ImpulseTemplate",
        metadata: { name: templateName },
        spec: { version: "0.1.0", image: `bubu-e2e/impulse:${rt}`, supportedModes: ["deployment"] },
      },
      {
        apiVersion: "bubustack.io/v1alpha1",
        kind: "Impulse",
        metadata: { name: "starter", namespace: ns },
        spec: { templateRef: { name: templateName }, storyRef: { name: "greet" }, with: { token: "order-42" } },
      },
    ]);
    const why = (): Promise<string> => describeNamespace(peer, api, ns);
    const file = join(e2eDirs(peer).attempts, `${ns}_impulse.json`);
    const reported = await waitFor(
      "the impulse to report its starts",
      async () => {
        try {
          return JSON.parse(readFileSync(file, "utf8")) as Reported;
        } catch {
          return undefined;
        }
      },
      { timeoutMs: 120_000, describe: why },
    );
    // The pod belongs to the Impulse's Deployment (through its ReplicaSet).
    const deployments = await api.get<{ items: Json[] }>(collectionPath("apps/v1", "Deployment", ns));
    assert.equal(deployments.items.length, 1, JSON.stringify(deployments.items.map((d) => d.metadata)));
    const pods = await api.get<{ items: Json[] }>(`/api/v1/namespaces/${ns}/pods`);
    const impulsePod = pods.items.find((p) =>
      ((p.metadata as { ownerReferences?: { kind: string }[] }).ownerReferences ?? []).some(
        (o) => o.kind === "ReplicaSet",
      ),
    );
    assert.ok(impulsePod, "a ReplicaSet pod runs the impulse");

    assert.deepEqual(reported.target, { name: "greet", namespace: ns });
    const [none, first, again] = reported.results;
    assert.ok(none?.storyRun && !none.error, JSON.stringify(reported));
    assert.ok(first?.storyRun && !first.error, JSON.stringify(reported));
    assert.equal(
      again?.storyRun,
      first.storyRun,
      `the same token gives the same StoryRun: ${JSON.stringify(reported)}`,
    );
    assert.notEqual(none.storyRun, first.storyRun);

    // Two StoryRuns from two StoryTriggers, both Created by the operator: the repeated token found
    // its StoryTrigger (same deterministic name) and read the StoryRun from its status. Both runs succeed.
    const runs = await api.get<{ items: Json[] }>(collectionPath("runs.bubustack.io/v1alpha1", "StoryRun", ns));
    assert.deepEqual(
      runs.items.map((r) => (r.metadata as { name: string }).name).sort(),
      [none.storyRun, first.storyRun].sort(),
    );
    const triggers = await api.get<{ items: Json[] }>(collectionPath("runs.bubustack.io/v1alpha1", "StoryTrigger", ns));
    const decisions = triggers.items.map((tr) => (tr.status as { decision?: string } | undefined)?.decision);
    assert.deepEqual(decisions, ["Created", "Created"], JSON.stringify(triggers.items.map((x) => x.status)));
    const identities = triggers.items.map((tr) => (tr.spec as Json).deliveryIdentity as { mode: string; key?: string });
    assert.deepEqual(identities.map((i) => i.mode).sort(), ["none", "token"]);
    assert.equal(identities.find((i) => i.mode === "token")?.key, "order-42");
    for (const name of [none.storyRun, first.storyRun]) {
      const path = `${collectionPath("runs.bubustack.io/v1alpha1", "StoryRun", ns)}/${name}`;
      const sr = await waitFor(
        `StoryRun ${name} to end`,
        async () => {
          const s = await api.get<Json>(path);
          const phase = (s.status as { phase?: string } | undefined)?.phase;
          return phase !== undefined && TERMINAL.has(phase) ? s : undefined;
        },
        { timeoutMs: 120_000, describe: why },
      );
      assert.equal((sr.status as { phase: string }).phase, "Succeeded", await why());
      assert.deepEqual((sr.spec as { impulseRef?: { name: string } }).impulseRef?.name, "starter");
    }
  } finally {
    await api.raw("DELETE", `${collectionPath("catalog.bubustack.io/v1alpha1", "ImpulseTemplate")}/${templateName}`);
    await close();
  }
});
