// A Story that mixes a Go engram (bubu-sdk-go v0.1.5) and one of ours, run by the real operator:
// Go → TS → Go, each step reading the previous step's output through the operator's templates, so
// what each SDK writes into StepRun.status.output is what the other one reads as its inputs.

import assert from "node:assert/strict";
import { test } from "node:test";
import { clusterPeerSkip, requireClusterPeer } from "../peers/cluster/peer.ts";
import { currentRuntime } from "../support/spawn.ts";
import { registerE2eImages } from "./e2e-images.ts";
import { goProgramBinary } from "./go-probe.ts";
import { applyAll, describeNamespace, e2eNamespace, engram, engramTemplate, runStory, story } from "./story-run.ts";

const rt = currentRuntime();

test(`mixed Story (${rt}): Go → TS → Go, data flowing both ways`, {
  skip: clusterPeerSkip(),
  timeout: 900_000,
}, async (t) => {
  const peer = requireClusterPeer(t);
  if (!peer) return;
  registerE2eImages(peer, await goProgramBinary("go-engram"));
  const { api, ns, close } = await e2eNamespace(peer, `e2e-mixed-${rt}`);
  try {
    await applyAll(api, [
      engramTemplate("go-engram", ns, "bubu-e2e/go-engram"),
      engramTemplate("ts-engram", ns, `bubu-e2e/engram:${rt}`),
      engram("go", ns, "go-engram", { with: { mode: "mixed" } }),
      engram("ts", ns, "ts-engram", { with: { mode: "mixed" } }),
      story("mixed", ns, {
        steps: [
          { name: "go1", ref: { name: "go" }, with: { from: "{{ inputs.seed }}", text: "{{ inputs.text }}" } },
          {
            name: "ts2",
            ref: { name: "ts" },
            with: { from: "{{ steps.go1.output }}", text: "{{ steps.go1.output.upper }} & ünïcode" },
          },
          {
            name: "go3",
            ref: { name: "go" },
            with: { from: "{{ steps.ts2.output }}", text: "{{ steps.ts2.output.upper }}" },
          },
        ],
        output: { final: "{{ steps.go3.output }}" },
      }),
    ]);
    const seed = { n: 1, list: [1.5, "two", null, true], nested: { ключ: "значение" } };
    const run = await runStory(peer, api, ns, "mixed", { seed, text: "from the story" });
    const why = (): Promise<string> => describeNamespace(peer, api, ns, "mixed-run");
    assert.equal(run.status.phase, "Succeeded", await why());
    const go1 = { by: "go", got: seed, upper: "FROM THE STORY" };
    assert.deepEqual(run.steps.get("go1")?.status.output, go1, await why());
    const ts2 = { by: "ts", got: go1, upper: "FROM THE STORY & ÜNÏCODE" };
    assert.deepEqual(run.steps.get("ts2")?.status.output, ts2);
    const go3 = { by: "go", got: ts2, upper: "FROM THE STORY & ÜNÏCODE" };
    assert.deepEqual(run.steps.get("go3")?.status.output, go3);
    assert.deepEqual(run.status.output, { final: go3 });
    for (const id of ["go1", "ts2", "go3"]) assert.equal(run.steps.get(id)?.status.exitClass, "success", id);
  } finally {
    await close();
  }
});
