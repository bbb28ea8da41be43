// An output over BUBU_MAX_INLINE_SIZE (4096 bytes by default) with the Story's storage policy
// pointing at the versitygw S3 peer: the SDK stores the large field in S3 and writes a
// $bubuStorageRef in its place; the operator passes the reference on to the next step as it is,
// and that step's SDK reads it back before `process` sees its inputs. A template that does more than
// pass the reference on (a Story output reading the step, a step input with a pipe) makes the
// operator run the `materialize` EngramTemplate, here an engram of ours (engrams/materialize.ts).

import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { Json } from "../peers/cluster/kube-api.ts";
import { clusterPeerSkip, requireClusterPeer } from "../peers/cluster/peer.ts";
import { requireS3Peer, s3PeerSkip } from "../peers/s3/peer.ts";
import { currentRuntime } from "../support/spawn.ts";
import { registerE2eImages } from "./e2e-images.ts";
import { applyStorageSecret, STORAGE_SECRET, s3StoragePolicy } from "./storage-secret.ts";
import { applyAll, describeNamespace, e2eNamespace, engram, engramTemplate, runStory, story } from "./story-run.ts";

const rt = currentRuntime();
const SIZE = 6000;

test(`S3 offload (${rt}): a large output goes to S3 and the next step reads it back`, {
  skip: clusterPeerSkip() || s3PeerSkip(),
  timeout: 300_000,
}, async (t) => {
  const peer = requireClusterPeer(t);
  const s3 = requireS3Peer(t);
  if (!peer || !s3) return;
  registerE2eImages(peer);
  const { api, ns, close } = await e2eNamespace(peer, `e2e-s3-${rt}`);
  try {
    await applyStorageSecret(api, s3);
    await applyAll(api, [
      engramTemplate("ts-engram", ns, `bubu-e2e/engram:${rt}`),
      engram("producer", ns, "ts-engram", { with: { mode: "big", size: SIZE } }),
      engram("consumer", ns, "ts-engram", { with: { mode: "consume" } }),
      story("offload", ns, {
        policy: s3StoragePolicy(s3),
        steps: [
          { name: "produce", ref: { name: "producer" } },
          { name: "consume", ref: { name: "consumer" }, with: { data: "{{ steps.produce.output.big }}" } },
        ],
        output: { length: "{{ steps.consume.output.length }}" },
      }),
    ]);
    const run = await runStory(peer, api, ns, "offload", {});
    const why = (): Promise<string> => describeNamespace(peer, api, ns, "offload-run");
    assert.equal(run.status.phase, "Succeeded", await why());
    const produced = run.steps.get("produce")?.status.output as Json;
    assert.equal(produced.size, SIZE, "small fields stay inline");
    const ref = produced.big as Json;
    assert.equal(typeof ref.$bubuStorageRef, "string", JSON.stringify(produced));
    // The object is in the bucket, holding the field's JSON value.
    const file = join(s3.dataDir, s3.bucket, ref.$bubuStorageRef as string);
    assert.ok(existsSync(file), `${file} exists`);
    const stored = JSON.parse(readFileSync(file, "utf8")) as { contentType?: string; data?: string };
    assert.equal(stored.contentType, "raw", "the storage envelope");
    assert.ok(stored.data === "x".repeat(SIZE), `the stored data is the field (${String(stored.data).length} chars)`);
    assert.deepEqual(run.steps.get("consume")?.status.output, { length: SIZE }, await why());
    assert.deepEqual(run.status.output, { length: SIZE });
  } finally {
    await close();
  }
});

test(`S3 offload (${rt}): templates that read a stored output run the materialize engram`, {
  skip: clusterPeerSkip() || s3PeerSkip(),
  timeout: 300_000,
}, async (t) => {
  const peer = requireClusterPeer(t);
  const s3 = requireS3Peer(t);
  if (!peer || !s3) return;
  registerE2eImages(peer);
  const { api, ns, close } = await e2eNamespace(peer, `e2e-mat-${rt}`);
  try {
    await applyStorageSecret(api, s3);
    // The operator looks for an EngramTemplate named exactly `materialize` (its config's default).
    await applyAll(api, [
      {
        apiVersion: "catalog.bubustack.io/v1alpha1",
        kind: "EngramTemplate",
        metadata: { name: "materialize" },
        spec: { version: "0.1.0", image: `bubu-e2e/materialize:${rt}`, supportedModes: ["job"] },
      },
      engramTemplate("ts-engram", ns, `bubu-e2e/engram:${rt}`),
      engram("producer", ns, "ts-engram", { with: { mode: "big", size: SIZE } }),
      engram("consumer", ns, "ts-engram", { with: { mode: "consume" } }),
      story("mat", ns, {
        policy: s3StoragePolicy(s3),
        steps: [
          { name: "produce", ref: { name: "producer" } },
          // A pipe on the stored value: the operator cannot pass the reference on as it is.
          { name: "consume", ref: { name: "consumer" }, with: { data: "{{ steps.produce.output.big | trunc 10 }}" } },
        ],
        // Any read of a step that holds a reference goes through materialize, even of an inline field.
        output: { length: "{{ len steps.produce.output.big }}", size: "{{ steps.produce.output.size }}" },
      }),
    ]);
    const run = await runStory(peer, api, ns, "mat", {});
    const why = (): Promise<string> => describeNamespace(peer, api, ns, "mat-run");
    assert.equal(run.status.phase, "Succeeded", await why());
    assert.deepEqual(run.steps.get("consume")?.status.output, { length: 10 }, await why());
    assert.deepEqual(run.status.output, { length: SIZE, size: SIZE });
    // The operator's materialize StepRuns, one per purpose, run by our engram.
    const ids = [...run.steps.keys()].filter((id) => id.startsWith("materialize-")).sort();
    assert.deepEqual(ids, ["materialize-step-input-consume", "materialize-story-output"], await why());
    for (const id of ids) assert.equal(run.steps.get(id)?.status.phase, "Succeeded", id);
  } finally {
    await close();
  }
});
