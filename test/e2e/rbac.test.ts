// RBAC as the operator grants it: the per-StoryRun runner Role lets a pod read and patch its StepRun
// and claim effects, but not read Engrams. Both SDKs then skip their own schema validation with one
// log line per lookup and the step still succeeds; the operator validates against the template
// itself. Go looks the Engram up twice (inputs, then output), ours once per run.

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { Json } from "../peers/cluster/kube-api.ts";
import { clusterPeerSkip, requireClusterPeer } from "../peers/cluster/peer.ts";
import { currentRuntime } from "../support/spawn.ts";
import { registerE2eImages } from "./e2e-images.ts";
import { goProgramBinary } from "./go-probe.ts";
import { applyAll, describeNamespace, e2eNamespace, engram, engramTemplate, runStory, story } from "./story-run.ts";

const rt = currentRuntime();
const SKIPPED = "Schema validation skipped: Engram lookup forbidden; controller-side validation remains authoritative";

test(`rbac (${rt}): the runner Role cannot read Engrams; both SDKs skip the schema lookup the same way`, {
  skip: clusterPeerSkip(),
  timeout: 900_000,
}, async (t) => {
  const peer = requireClusterPeer(t);
  if (!peer) return;
  registerE2eImages(peer, await goProgramBinary("go-engram"));
  const { api, ns, close } = await e2eNamespace(peer, `e2e-rbac-${rt}`);
  try {
    const schema = { type: "object", properties: { name: { type: "string" } } };
    await applyAll(api, [
      engramTemplate("go-engram", ns, "bubu-e2e/go-engram", { inputSchema: schema }),
      engramTemplate("ts-engram", ns, `bubu-e2e/engram:${rt}`, { inputSchema: schema }),
      engram("go", ns, "go-engram", { with: { mode: "ok" } }),
      engram("ts", ns, "ts-engram", { with: { mode: "ok" } }),
      story("rbac", ns, {
        steps: [
          { name: "go", ref: { name: "go" }, with: { name: "{{ inputs.name }}" } },
          { name: "ts", ref: { name: "ts" }, with: { name: "{{ inputs.name }}" } },
        ],
      }),
    ]);
    const run = await runStory(peer, api, ns, "rbac", { name: "Ada" });
    const why = (): Promise<string> => describeNamespace(peer, api, ns, "rbac-run");
    assert.equal(run.status.phase, "Succeeded", await why());
    for (const id of ["go", "ts"]) assert.deepEqual(run.steps.get(id)?.status.output, { message: "hello Ada" }, id);

    // The Role the operator made for this StoryRun.
    const role = await api.get<{ rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] }>(
      `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles/rbac-run-engram-runner`,
    );
    const grants = (group: string, resource: string, verb: string): boolean =>
      role.rules.some((r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb));
    assert.ok(grants("runs.bubustack.io", "stepruns", "get"), JSON.stringify(role.rules));
    assert.ok(grants("runs.bubustack.io", "stepruns/status", "patch"), JSON.stringify(role.rules));
    assert.ok(!grants("bubustack.io", "engrams", "get"), JSON.stringify(role.rules));

    // The Go pod asked for its Engram twice (inputs, output), ours once; each was refused and said so.
    const user = `system:serviceaccount:${ns}:rbac-run-engram-runner`;
    const engramGets = readFileSync(peer.auditLog, "utf8")
      .split("\n")
      .filter((l) => l.includes(user))
      .map((l) => JSON.parse(l) as Json)
      .filter((e) => (e.objectRef as { resource?: string } | undefined)?.resource === "engrams")
      .map(
        (e) =>
          `${e.verb} ${(e.responseStatus as { code: number }).code} ${(e.user as { extra?: Record<string, string[]> }).extra?.["authentication.kubernetes.io/pod-name"]?.[0]?.replace(/-[a-z0-9]+$/, "")}`,
      );
    assert.deepEqual(engramGets.sort(), ["get 403 rbac-run-go", "get 403 rbac-run-go", "get 403 rbac-run-ts"]);
    for (const step of ["go", "ts"]) {
      const dir: string | undefined = readdirSync(peer.podsDir).find((d) => d.startsWith(`${ns}_rbac-run-${step}-`));
      assert.ok(dir, `pod dir of ${step}`);
      const lines: string[] = readFileSync(join(peer.podsDir, dir, "stdout.log"), "utf8")
        .split("\n")
        .filter((l) => l.includes(SKIPPED));
      assert.equal(lines.length, step === "go" ? 2 : 1, `${step}: ${lines.join("\n")}`);
    }
  } finally {
    await close();
  }
});
