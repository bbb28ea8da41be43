// Stopping a running StoryRun the way ctx.stories.stop does (src/impulse/stop-story.ts: a merge
// patch of spec.cancelRequested), against the real operator. What it does (bobrapet v0.1.13):
// marks the StepRuns with the annotation bubustack.io/cancel-requested, waits for them up to the
// Story's gracefulShutdownTimeout, then deletes them (their Job and pod go with them: the engram
// gets SIGTERM and writes nothing), and ends the StoryRun as Finished (reason Canceled).

import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { stopStoryRun } from "../../src/impulse/stop-story.ts";
import { createKubeClient } from "../../src/k8s/create-client.ts";
import { detectRuntime } from "../../src/runtime/detect.ts";
import type { Json } from "../peers/cluster/kube-api.ts";
import { apply, collectionPath, podLogs, waitFor } from "../peers/cluster/objects.ts";
import { clusterPeerSkip, requireClusterPeer } from "../peers/cluster/peer.ts";
import { currentRuntime } from "../support/spawn.ts";
import { registerE2eImages } from "./e2e-images.ts";
import { applyAll, describeNamespace, e2eNamespace, engram, engramTemplate, story, TERMINAL } from "./story-run.ts";

const rt = currentRuntime();

test(`stop (${rt}): a running StoryRun asked to stop ends Finished; its pod gets SIGTERM and writes nothing`, {
  skip: clusterPeerSkip(),
  timeout: 300_000,
}, async (t) => {
  const peer = requireClusterPeer(t);
  if (!peer) return;
  registerE2eImages(peer);
  const { api, ns, close } = await e2eNamespace(peer, `e2e-stop-${rt}`);
  const home = mkdtempSync(join(tmpdir(), "e2e-stop-"));
  const runtime = detectRuntime();
  const kube = await createKubeClient({
    env: (n) => (n === "KUBECONFIG" ? peer.kubeconfigPath : undefined),
    fs: runtime.fs,
    homeDir: () => home,
    cwd: () => home,
    createTlsFetch: (o) => runtime.createTlsFetch(o),
  });
  try {
    await applyAll(api, [
      engramTemplate("ts-engram", ns, `bubu-e2e/engram:${rt}`),
      engram("waiter", ns, "ts-engram", { with: { mode: "hang" } }),
      story("long", ns, {
        policy: { timeouts: { gracefulShutdownTimeout: "1s" } },
        steps: [
          { name: "wait", ref: { name: "waiter" } },
          { name: "after", ref: { name: "waiter" }, needs: ["wait"] },
        ],
      }),
    ]);
    await apply(api, {
      apiVersion: "runs.bubustack.io/v1alpha1",
      kind: "StoryRun",
      metadata: { name: "long-run", namespace: ns },
      spec: { storyRef: { name: "long" } },
    });
    const path = `${collectionPath("runs.bubustack.io/v1alpha1", "StoryRun", ns)}/long-run`;
    const why = (): Promise<string> => describeNamespace(peer, api, ns, "long-run");
    // The engram is in `process` once it has done its input lookup.
    await waitFor(
      "the engram to reach process",
      async () => (podLogs(peer, ns).includes("Schema validation skipped") ? true : undefined),
      {
        timeoutMs: 60_000,
        describe: why,
      },
    );

    assert.equal(await stopStoryRun(kube, "long-run", ns, { operationTimeoutMs: 10_000 }), "requested");
    assert.equal(await stopStoryRun(kube, "long-run", ns, { operationTimeoutMs: 10_000 }), "already-requested");
    const stepPath = `${collectionPath("runs.bubustack.io/v1alpha1", "StepRun", ns)}/long-run-wait`;
    const annotated = await waitFor(
      "the StepRun to carry the cancel annotation",
      async () => {
        const res = await api.raw("GET", stepPath);
        if (res.status !== 200) return undefined;
        const ann =
          ((JSON.parse(res.body) as Json).metadata as { annotations?: Record<string, string> }).annotations ?? {};
        return ann["bubustack.io/cancel-requested"] === "true" ? true : undefined;
      },
      { timeoutMs: 30_000, describe: why },
    );
    assert.ok(annotated);

    const ended = await waitFor(
      "the StoryRun to end",
      async () => {
        const sr = await api.get<Json>(path);
        const phase = (sr.status as { phase?: string } | undefined)?.phase;
        return phase !== undefined && TERMINAL.has(phase) ? sr : undefined;
      },
      { timeoutMs: 120_000, describe: why },
    );
    const status = ended.status as { phase: string; message?: string; conditions?: { type: string; reason: string }[] };
    assert.equal(status.phase, "Finished", JSON.stringify(status));
    assert.equal(status.message, "StoryRun gracefully canceled");
    assert.ok(
      status.conditions?.some((c) => c.reason === "Canceled"),
      JSON.stringify(status.conditions),
    );
    assert.equal((ended.spec as Json).cancelRequested, true);
    // After the grace the operator deleted the StepRun; the next step never started.
    await waitFor(
      "the StepRun to be gone",
      async () => ((await api.raw("GET", stepPath)).status === 404 ? true : undefined),
      { timeoutMs: 60_000, describe: why },
    );
    assert.equal(
      (await api.raw("GET", `${collectionPath("runs.bubustack.io/v1alpha1", "StepRun", ns)}/long-run-after`)).status,
      404,
    );
    // The pod was stopped with SIGTERM; the SDK wrote no status for it (only the operator did).
    const exit = await waitFor(
      "the pod to exit",
      async () => {
        const dirs = readdirSync(peer.podsDir).filter((d) => d.startsWith(`${ns}_long-run-wait-`));
        try {
          return dirs.length === 1 ? readFileSync(join(peer.podsDir, dirs[0]!, "exit"), "utf8").trim() : undefined;
        } catch {
          return undefined;
        }
      },
      { timeoutMs: 60_000, describe: why },
    );
    assert.equal(exit, "143", "the SDK exits 143 after SIGTERM");
    const sdkWrites = readFileSync(peer.auditLog, "utf8")
      .split("\n")
      .filter(
        (l) =>
          l.includes(`system:serviceaccount:${ns}:`) &&
          l.includes('"subresource":"status"') &&
          l.includes('"verb":"patch"'),
      );
    assert.deepEqual(sdkWrites, [], "no status written by the pod");
    assert.equal(await stopStoryRun(kube, "long-run", ns, { operationTimeoutMs: 10_000 }), "terminal");
  } finally {
    await kube.close();
    rmSync(home, { recursive: true, force: true });
    await close();
  }
});
