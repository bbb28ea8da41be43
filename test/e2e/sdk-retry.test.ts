// The SDK's batch lifecycle against the real operator's retry policy (bobrapet v0.1.13). Step
// policy everywhere: maxRetries 2, delay 1s, constant. What the SDK writes (see
// src/batch/retry-aware-status.ts) must let the operator do what the Story's author asked:
// retry a retryable failure, a timeout and a SIGTERM'd pod; never retry a terminal failure; and
// keep the SDK's real error message on the last attempt.

import assert from "node:assert/strict";
import { test } from "node:test";
import { clusterPeerSkip, requireClusterPeer } from "../peers/cluster/peer.ts";
import { currentRuntime } from "../support/spawn.ts";
import { registerProbeImages } from "./probe-images.ts";
import { type Observed, type ProbeCase, RETRY, runProbe } from "./probe-run.ts";

const rt = currentRuntime();
const opts = { skip: clusterPeerSkip(), timeout: 240_000 };
const show = (o: Observed): string => JSON.stringify(o, null, 1);

async function observe(
  t: { skip?: (m?: string) => void },
  c: Omit<ProbeCase, "probe" | "what">,
): Promise<Observed | undefined> {
  const peer = requireClusterPeer(t);
  if (!peer) return undefined;
  registerProbeImages(peer);
  return runProbe(peer, rt, { ...c, probe: "sdk", what: c.name });
}

test(
  `sdk (${rt}): a retryable failure is retried by the step's policy; the success clears the earlier failure`,
  opts,
  async (t) => {
    const o = await observe(t, { name: "sdk-retryable", with: { attempts: ["throw-retryable", "ok"] } });
    if (!o) return;
    assert.equal(o.storyRun.phase, "Succeeded", show(o));
    assert.equal(o.stepRun.phase, "Succeeded");
    assert.equal(o.stepRun.retries, 1);
    assert.equal(o.podsStarted, 2);
    assert.deepEqual(o.stepRun.output, { attempt: 2 });
    assert.equal(o.stepRun.lastFailureMsg, undefined, "the first attempt's failure is cleared");
    assert.equal(o.stepRun.error, undefined);
    const first = o.statusWrites.find((w) => !w.by.startsWith("bubu-test-admin"));
    assert.equal(
      (first?.status as { phase?: string }).phase,
      undefined,
      "the retryable failure was written without a phase",
    );
  },
);

test(
  `sdk (${rt}): the last attempt of a retryable failure ends the step with the SDK's own message`,
  opts,
  async (t) => {
    const o = await observe(t, { name: "sdk-exhausted", with: { attempts: ["throw-retryable"] } });
    if (!o) return;
    assert.equal(o.stepRun.phase, "Failed", show(o));
    assert.equal(o.stepRun.retries, 2);
    assert.equal(o.podsStarted, 3);
    assert.equal(o.stepRun.lastFailureMsg, "transient failure on attempt 3");
    assert.equal(o.storyRun.phase, "Failed");
  },
);

test(`sdk (${rt}): a terminal failure is not retried`, opts, async (t) => {
  const o = await observe(t, { name: "sdk-terminal", with: { attempts: ["throw-terminal", "ok"] } });
  if (!o) return;
  assert.equal(o.stepRun.phase, "Failed", show(o));
  assert.equal(o.stepRun.retries, 0);
  assert.equal(o.podsStarted, 1);
  assert.equal(o.stepRun.exitClass, "terminal");
  assert.equal(o.stepRun.lastFailureMsg, "terminal failure on attempt 1");
});

test(`sdk (${rt}): a timeout is retried, and the retry succeeds`, opts, async (t) => {
  const o = await observe(t, {
    name: "sdk-timeout",
    with: { attempts: ["hang", "ok"] },
    execution: { retry: RETRY, timeout: "4s" },
  });
  if (!o) return;
  assert.equal(o.storyRun.phase, "Succeeded", show(o));
  assert.equal(o.stepRun.retries, 1);
  assert.equal(o.podsStarted, 2);
});

test(`sdk (${rt}): a pod deleted mid-step (SIGTERM) writes nothing and is retried`, opts, async (t) => {
  const o = await observe(t, { name: "sdk-sigterm", with: { attempts: ["hang", "ok"] }, deletePod: true });
  if (!o) return;
  assert.equal(o.storyRun.phase, "Succeeded", show(o));
  assert.equal(o.stepRun.retries, 1);
  assert.equal(o.podsStarted, 2);
  assert.ok(
    o.podExits.some((e) => e.startsWith("143")),
    show(o),
  );
});
