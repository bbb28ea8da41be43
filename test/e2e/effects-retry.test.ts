// Signals, effects and ctx.effects.once across a step the operator retries: attempt 1 emits a
// signal, runs the effect "charge" through ctx.effects.once, then fails retryably; the operator
// retries the step (policy maxRetries 2); attempt 2 emits again and finds the effect completed.
// What the operator shows: StepRun status.signals / signalEvents / effects and the EffectClaim.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { Json } from "../peers/cluster/kube-api.ts";
import { collectionPath } from "../peers/cluster/objects.ts";
import { clusterPeerSkip, requireClusterPeer } from "../peers/cluster/peer.ts";
import { currentRuntime } from "../support/spawn.ts";
import { e2eDirs, registerE2eImages } from "./e2e-images.ts";
import { applyAll, describeNamespace, e2eNamespace, engram, engramTemplate, runStory, story } from "./story-run.ts";

const rt = currentRuntime();

test(`effects across a retry (${rt}): the effect runs once; signals continue their count`, {
  skip: clusterPeerSkip(),
  timeout: 300_000,
}, async (t) => {
  const peer = requireClusterPeer(t);
  if (!peer) return;
  registerE2eImages(peer);
  const { api, ns, close } = await e2eNamespace(peer, `e2e-effects-${rt}`);
  try {
    await applyAll(api, [
      engramTemplate("ts-engram", ns, `bubu-e2e/engram:${rt}`),
      engram("charger", ns, "ts-engram", { with: { mode: "once-retry" } }),
      story("charge", ns, {
        steps: [
          {
            name: "charge",
            ref: { name: "charger" },
            execution: { retry: { maxRetries: 2, delay: "1s", backoff: "constant" } },
          },
        ],
      }),
    ]);
    const run = await runStory(peer, api, ns, "charge", {});
    const why = (): Promise<string> => describeNamespace(peer, api, ns, "charge-run");
    const st = run.steps.get("charge")?.status ?? {};
    assert.equal(run.status.phase, "Succeeded", await why());
    assert.equal(st.retries, 1, await why());
    assert.deepEqual(st.output, { attempt: 2, already: true, reason: "completed", charges: 1 });
    const charges = readFileSync(join(e2eDirs(peer).attempts, `${ns}_charge-run-charge.charges`), "utf8");
    assert.equal(charges.length, 1, "the effect ran once across both pods");

    // Signals: the latest value per key, and an event per emit; the retried pod continues the count.
    const events = (st.signalEvents ?? []) as { seq: number; key: string; payload?: unknown }[];
    assert.deepEqual(
      events.map((e) => [e.seq, e.key]),
      [
        [1, "attempt"],
        [2, "attempt"],
      ],
      JSON.stringify(st),
    );
    assert.ok((st.signals as Json | undefined)?.attempt !== undefined, JSON.stringify(st.signals));
    // Effects: one record for "charge", written by the first attempt.
    const effects = (st.effects ?? []) as { key: string; status?: string; seq: number; details?: unknown }[];
    assert.deepEqual(
      effects.map((e) => [e.key, e.status]),
      [["charge", "succeeded"]],
      JSON.stringify(st.effects),
    );
    assert.deepEqual(effects[0]!.details, { amount: 42, charges: 1 });
    // The claim that guarded it: one EffectClaim for the StepRun's key, completed.
    const claims = await api.get<{ items: Json[] }>(collectionPath("runs.bubustack.io/v1alpha1", "EffectClaim", ns));
    assert.equal(claims.items.length, 1, JSON.stringify(claims.items));
    const claim = claims.items[0]! as { spec: Json; status: Json };
    assert.equal(claim.spec.effectKey, "charge");
    assert.equal((claim.spec.stepRunRef as Json).name, "charge-run-charge");
    assert.equal(claim.spec.completionStatus, "completed");
    assert.deepEqual(claim.spec.details, { amount: 42, charges: 1 });
    assert.equal(claim.status.phase, "Completed", JSON.stringify(claim));
  } finally {
    await close();
  }
});
