// Stories run by the real operator (bobrapet v0.1.13) on the cluster peer, with
// examples/hello-batch/engram.ts as the Job's container: a local process under the runtime that
// runs this file (bun test → bun, deno test → deno, node --test → node), started by the process
// kubelet with the service-account files at the in-cluster path.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { parse as parseYaml } from "yaml";
import type { Json } from "../peers/cluster/kube-api.ts";
import { clusterPeerSkip, requireClusterPeer } from "../peers/cluster/peer.ts";
import { currentRuntime } from "../support/spawn.ts";
import { applyAll, describeNamespace, e2eNamespace, engram, engramTemplate, runStory, story } from "./story-run.ts";

const rt = currentRuntime();
const image = `bubu-test/hello-batch:${rt}`;
/** The example's own EngramTemplate (schemas included); only the image is the test's. */
const exampleTemplate = parseYaml(
  readFileSync(new URL("../../examples/hello-batch/Engram.yaml", import.meta.url), "utf8"),
) as {
  spec: Json;
};

/** The audit events of the SDK's status patches on the namespace's StepRuns. */
function statusPatches(auditLog: string, ns: string): { user: string; body: Json; code: number }[] {
  return readFileSync(auditLog, "utf8")
    .split("\n")
    .filter((l) => l.includes(`"namespace":"${ns}"`) && l.includes('"subresource":"status"'))
    .map((l) => JSON.parse(l) as Json)
    .filter((e) => e.verb === "patch" && (e.objectRef as Json).resource === "stepruns")
    .map((e) => ({
      user: (e.user as { username: string }).username,
      body: (e.requestObject ?? {}) as Json,
      code: (e.responseStatus as { code: number }).code,
    }));
}

test(`hello-batch under ${rt}: one step, the operator keeps the SDK's status`, {
  skip: clusterPeerSkip(),
  timeout: 180_000,
}, async (t) => {
  const peer = requireClusterPeer(t);
  if (!peer) return;
  const { api, ns, close } = await e2eNamespace(peer, `e2e-hello-${rt}`);
  try {
    await applyAll(api, [
      engramTemplate("hello-batch", ns, image, { ...exampleTemplate.spec, image }),
      engram("hello", ns, "hello-batch", { with: { greeting: "Hi", excited: true } }),
      story("greet", ns, {
        steps: [{ name: "greet", ref: { name: "hello" }, with: { name: "{{ inputs.name }}", times: 2 } }],
        output: { message: "{{ steps.greet.output.message }}" },
      }),
    ]);
    const run = await runStory(peer, api, ns, "greet", { name: "Ada" });
    const why = (): Promise<string> => describeNamespace(peer, api, ns, "greet-run");
    assert.equal(run.status.phase, "Succeeded", await why());
    const step = run.steps.get("greet");
    assert.ok(step, await why());
    assert.equal(step.status.phase, "Succeeded");
    assert.deepEqual(step.status.output, { message: "Hi, Ada! Hi, Ada!", length: 17 });
    assert.equal(step.status.exitClass, "success");
    assert.deepEqual(run.status.output, { message: "Hi, Ada! Hi, Ada!" });

    // The SDK wrote that status itself, with the pod's bound service-account token read from
    // /var/run/secrets/kubernetes.io/serviceaccount (in-cluster config), not an admin credential.
    const patches = statusPatches(peer.auditLog, ns).filter(
      (p) => (p.body.status as Json | undefined)?.phase === "Succeeded",
    );
    assert.equal(patches.length, 1, `SDK status patches: ${JSON.stringify(statusPatches(peer.auditLog, ns))}`);
    assert.equal(patches[0]!.user, `system:serviceaccount:${ns}:greet-run-engram-runner`);
    assert.equal(patches[0]!.code, 200);
    assert.deepEqual((patches[0]!.body.status as Json).output, { message: "Hi, Ada! Hi, Ada!", length: 17 });
  } finally {
    await close();
  }
});

test(`hello-batch under ${rt}: a 3-step chain templates each step's output into the next and the Story output`, {
  skip: clusterPeerSkip(),
  timeout: 240_000,
}, async (t) => {
  const peer = requireClusterPeer(t);
  if (!peer) return;
  const { api, ns, close } = await e2eNamespace(peer, `e2e-chain-${rt}`);
  try {
    await applyAll(api, [
      engramTemplate("hello-batch", ns, image, { ...exampleTemplate.spec, image }),
      engram("hello", ns, "hello-batch"),
      story("chain", ns, {
        steps: [
          { name: "first", ref: { name: "hello" }, with: { name: "{{ inputs.name }}" } },
          { name: "second", ref: { name: "hello" }, with: { name: "{{ steps.first.output.message }}" } },
          // A template that is one expression keeps its type: times stays a number.
          {
            name: "third",
            ref: { name: "hello" },
            with: { name: "{{ steps.second.output.message }}", times: "{{ inputs.times }}" },
          },
        ],
        output: { final: "{{ steps.third.output.message }}", firstLength: "{{ steps.first.output.length }}" },
      }),
    ]);
    const run = await runStory(peer, api, ns, "chain", { name: "Ada", times: 2 });
    const why = (): Promise<string> => describeNamespace(peer, api, ns, "chain-run");
    assert.equal(run.status.phase, "Succeeded", await why());
    const out = (id: string): unknown => run.steps.get(id)?.status.output;
    assert.deepEqual(out("first"), { message: "Hello, Ada.", length: 11 }, await why());
    assert.deepEqual(out("second"), { message: "Hello, Hello, Ada..", length: 19 });
    const third = "Hello, Hello, Hello, Ada...";
    assert.deepEqual(out("third"), { message: `${third} ${third}`, length: 55 });
    assert.deepEqual(run.status.output, { final: `${third} ${third}`, firstLength: 11 });
  } finally {
    await close();
  }
});
