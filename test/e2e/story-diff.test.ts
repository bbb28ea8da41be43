// Differential tests: every Story of story-diff-corpus.ts runs on the cluster peer (the real
// operator, bobrapet v0.1.13) and through the local runner (`runStory`), with the same manifests
// and the same engram file (engrams/story-diff-engram.ts, under the runtime that runs this test).
// Compared per step: its phase and message, how many pods ran, the StepRun spec and status, and
// every variable of every pod's environment; per run: phase, reason, message, error, output and
// allowed failures. A difference must be a row of KNOWN (story-diff-known.ts), and every row must
// still be needed. Needs the cluster peer and the S3 peer (the offload Story's storage).

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { test } from "node:test";
import { registerImages } from "../peers/cluster/objects.ts";
import { clusterPeerSkip, requireClusterPeer } from "../peers/cluster/peer.ts";
import { requireS3Peer, s3PeerSkip } from "../peers/s3/peer.ts";
import { commandFor, currentRuntime, repoRoot } from "../support/spawn.ts";
import { coveredBy, type Difference, differences } from "./story-diff-compare.ts";
import { CORPUS, corpusResources } from "./story-diff-corpus.ts";
import { KNOWN } from "./story-diff-known.ts";
import { runLocally, runOnCluster, type SideRun } from "./story-diff-run.ts";
import { applyAll, e2eNamespace } from "./story-run.ts";

const rt = currentRuntime();
const image = `bubu-diff/engram:${rt}`;

/** Limits how many runs go at once on one side (each starts processes; the cores are shared). */
function limiter(n: number): <T>(f: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  return async (f) => {
    if (active >= n) await new Promise<void>((r) => queue.push(r));
    active++;
    try {
      return await f();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}

/** How many engram processes ran in a run and its sub-runs. */
function pods(run: SideRun): number {
  return Object.values(run.steps).reduce((n, s) => n + s.envs.length + (s.sub ? pods(s.sub) : 0), 0);
}

/** A run's phase and message and each step's phase, for a failure message. */
function brief(run: SideRun): string {
  const steps = Object.entries(run.steps).map(
    ([n, s]) =>
      `${n}=${String(s.phase)}${s.envs.length > 0 ? `×${s.envs.length}` : ""}${s.sub ? ` (${brief(s.sub)})` : ""}`,
  );
  return `${String(run.phase)} "${String(run.message)}" ${steps.join(" ")}`;
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? "(absent)" : s.length > 300 ? `${s.slice(0, 300)}…` : s;
}

test(`story-diff (${rt}): the local runner matches the operator on the corpus, except the known rows`, {
  skip: clusterPeerSkip() || s3PeerSkip(),
  timeout: 900_000,
}, async (t) => {
  const peer = requireClusterPeer(t);
  const s3 = requireS3Peer(t);
  if (!peer || !s3) return;
  const [cmd, args] = commandFor(rt, join(repoRoot, "test/e2e/engrams/story-diff-engram.ts"));
  const clusterDir = mkdtempSync(join(peer.stateDir, `story-diff-${rt}-`));
  const localDir = mkdtempSync(join(tmpdir(), `story-diff-${rt}-`));
  registerImages(peer, `story-diff-${rt}`, {
    [image]: {
      command: [cmd, ...args],
      env: { BUBU_DIFF_DIR: clusterDir, AWS_ACCESS_KEY_ID: s3.accessKey, AWS_SECRET_ACCESS_KEY: s3.secretKey },
      cwd: repoRoot,
    },
  });
  const { api, ns, close } = await e2eNamespace(peer, `story-diff-${rt}`);
  const pending: Promise<unknown>[] = [];
  try {
    const resources = corpusResources(ns, { endpoint: s3.endpoint, region: s3.region, bucket: s3.bucket }, image);
    await applyAll(api, [...resources.templates, ...resources.engrams, ...resources.stories] as never[]);

    const onCluster = limiter(3);
    const locally = limiter(2);
    // STORY_DIFF_ONLY=a,b runs only those Stories (while debugging one).
    const only = process.env.STORY_DIFF_ONLY?.split(",");
    const corpus = only ? CORPUS.filter((c) => only.includes(c.story)) : CORPUS;
    const runs = corpus.map((c) => {
      const cluster = onCluster(() => runOnCluster(peer, api, ns, c.story, c.inputs, clusterDir));
      const local = locally(() => runLocally(resources, ns, c.story, c.inputs, [cmd, ...args], localDir, repoRoot));
      pending.push(cluster, local);
      return { c, cluster, local };
    });
    const all: Difference[] = [];
    const sides: Record<string, { cluster: SideRun; local: SideRun }> = {};
    for (const r of runs) {
      const [cluster, local] = [await r.cluster, await r.local];
      sides[r.c.story] = { cluster, local };
      all.push(...differences(r.c.story, cluster, local));
    }
    // STORY_DIFF_DUMP=file.json keeps both sides and every difference, for a look at them.
    if (process.env.STORY_DIFF_DUMP)
      writeFileSync(process.env.STORY_DIFF_DUMP, JSON.stringify({ sides, differences: all }, null, 1));

    // The corpus does what it is meant to on both sides (else the same failure on both would pass).
    for (const c of corpus) {
      for (const side of ["cluster", "local"] as const) {
        const run = sides[c.story]![side];
        assert.deepEqual({ phase: run.phase, pods: pods(run) }, c.expect, `${c.story} on the ${side}: ${brief(run)}`);
      }
    }
    // Offloading happened: the ref is in the StepRun, the next step read the whole blob.
    const offload = sides.offload;
    if (offload) {
      const big = offload.cluster.steps.big?.stepRun?.output as { blob?: Record<string, unknown> } | undefined;
      assert.equal(typeof big?.blob?.$bubuStorageRef, "string", show(big));
      assert.deepEqual(offload.cluster.output, { lengths: { blob: 6000, mode: 7, tag: 2 } });
    }
    const uncovered = all.filter((d) => !coveredBy(d, KNOWN));
    assert.deepEqual(
      uncovered.map((d) => `${d.story} ${d.path}: cluster ${show(d.cluster)} · local ${show(d.local)}`),
      [],
      "differences that are neither fixed nor a row of the known table",
    );
    if (only) return;
    const unused = KNOWN.filter((k) => !k.mayMatch && !all.some((d) => coveredBy(d, [k]) === k));
    assert.deepEqual(
      unused.map((k) => k.name),
      [],
      "rows of the known table that no difference needs any more",
    );
  } finally {
    // Nothing may still run (or write) when the namespace goes.
    await Promise.allSettled(pending);
    await close();
    rmSync(localDir, { recursive: true, force: true });
    rmSync(clusterDir, { recursive: true, force: true });
  }
});
