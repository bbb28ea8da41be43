// What the real operator (bobrapet v0.1.13) retries, pinned with an engram that writes a chosen
// StepRun status and exit code (engrams/raw-probe.ts, no SDK). The SDK's batch lifecycle relies on
// these facts: a status with a final phase ends the step whatever its exitClass says; failure
// details without a phase let the step's retry policy decide; a pod that dies without a status is
// retried. Step policy everywhere: maxRetries 2, delay 1s, constant.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { Json } from "../peers/cluster/kube-api.ts";
import { clusterPeerSkip, requireClusterPeer } from "../peers/cluster/peer.ts";
import { currentRuntime } from "../support/spawn.ts";
import { registerProbeImages } from "./probe-images.ts";
import { failureStatus, type Observed, type ProbeCase, runProbe } from "./probe-run.ts";

const rt = currentRuntime();
const SUCCEEDED = { status: { phase: "Succeeded", exitClass: "success", output: { ok: true } }, exit: 0 };

async function observe(
  t: { skip?: (m?: string) => void },
  c: Omit<ProbeCase, "probe" | "what">,
): Promise<Observed | undefined> {
  const peer = requireClusterPeer(t);
  if (!peer) return undefined;
  registerProbeImages(peer);
  return runProbe(peer, rt, { ...c, probe: "raw", what: c.name });
}

const opts = { skip: clusterPeerSkip(), timeout: 180_000 };
const show = (o: Observed): string => JSON.stringify(o, null, 1);

test(`operator (${rt}): a status with phase Failed is final, even with exitClass retry`, opts, async (t) => {
  const o = await observe(t, {
    name: "failed-retry",
    with: {
      attempts: [{ status: { phase: "Failed", ...failureStatus(1, "retry", "transient") }, exit: 1 }, SUCCEEDED],
    },
  });
  if (!o) return;
  assert.equal(o.stepRun.phase, "Failed", show(o));
  assert.equal(o.stepRun.retries, 0, show(o));
  assert.equal(o.podsStarted, 1, show(o));
  assert.equal(o.storyRun.phase, "Failed");
});

test(`operator (${rt}): failure details without a phase are retried by the step's policy`, opts, async (t) => {
  const o = await observe(t, {
    name: "nophase-retry",
    with: { attempts: [{ status: failureStatus(1, "retry", "transient"), exit: 1 }, SUCCEEDED] },
  });
  if (!o) return;
  assert.equal(o.storyRun.phase, "Succeeded", show(o));
  assert.equal(o.stepRun.phase, "Succeeded");
  assert.equal(o.stepRun.retries, 1);
  assert.equal(o.podsStarted, 2);
  assert.ok(o.events.includes("JobRetryScheduled: Scheduled retry 1/2 in 1s"), show(o));
  // The first attempt's failure details stay unless the success clears them.
  assert.equal(o.stepRun.lastFailureMsg, "transient");
});

test(
  `operator (${rt}): once the retries are spent the operator ends the step (Timeout for exit 124) and keeps status.error`,
  opts,
  async (t) => {
    const status = failureStatus(124, "retry", "timed out after 4s", "timeout");
    const o = await observe(t, { name: "nophase-timeout", with: { attempts: [{ status, exit: 124 }] } });
    if (!o) return;
    assert.equal(o.stepRun.phase, "Timeout", show(o));
    assert.equal(o.stepRun.retries, 2);
    assert.equal(o.podsStarted, 3);
    // Usually the operator's fallback text replaces the SDK's; once in a while (a CI run under
    // Deno) the SDK's text stayed: the same race between the operator's writers as below.
    assert.ok(
      ["Job execution timed out. Check step timeout configuration and pod logs.", "timed out after 4s"].includes(
        String(o.stepRun.lastFailureMsg),
      ),
      show(o),
    );
    assert.deepEqual(o.stepRun.error, status.error);
    assert.equal(o.storyRun.phase, "Failed");
    const failed = (o.storyRun.error as { failedSteps?: Json[] } | undefined)?.failedSteps;
    // The StoryRun copies the step's message when it sees the step end: the SDK's text, or the
    // operator's fallback text if the StoryRun controller reads the StepRun after the fallback landed
    // (a race between the two controllers; both were seen).
    assert.equal(failed?.length, 1, show(o));
    assert.deepEqual({ ...failed![0], message: "-" }, { message: "-", name: "probe", phase: "Timeout" });
    assert.ok(
      ["timed out after 4s", "Job execution timed out. Check step timeout configuration and pod logs."].includes(
        String(failed![0]!.message),
      ),
      show(o),
    );
  },
);

test(`operator (${rt}): a pod killed by SIGTERM without writing a status is retried`, opts, async (t) => {
  const o = await observe(t, {
    name: "sigterm",
    with: { attempts: [{ sleepMs: 120_000, exit: 0 }, SUCCEEDED] },
    deletePod: true,
  });
  if (!o) return;
  assert.equal(o.storyRun.phase, "Succeeded", show(o));
  assert.equal(o.stepRun.retries, 1);
  assert.equal(o.podsStarted, 2);
  assert.ok(o.podExits.includes("143 SIGTERM"), show(o));
});
