// A Kubernetes Secret mapped on the Engram the operator's way (EngramTemplate `secretSchema`, Engram
// `secrets`) reaches `init` and `process` as ctx.secrets, both as env keys and as a mounted file;
// the engram then tries to leak the values into a log line, a span attribute, a signal and a
// thrown error, and none of them may show up in a pod log, a StepRun or StoryRun status, the
// SDK's API requests or a span.

import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { Json } from "../peers/cluster/kube-api.ts";
import { apply } from "../peers/cluster/objects.ts";
import { clusterPeerSkip, requireClusterPeer } from "../peers/cluster/peer.ts";
import { currentRuntime } from "../support/spawn.ts";
import { e2eDirs, registerE2eImages } from "./e2e-images.ts";
import { applyAll, describeNamespace, e2eNamespace, engram, engramTemplate, runStory, story } from "./story-run.ts";

const rt = currentRuntime();

function randomValue(prefix: string): string {
  return `${prefix}-${crypto.randomUUID()}`;
}

test(`secrets (${rt}): mapped Secrets reach ctx.secrets and never leave the process`, {
  skip: clusterPeerSkip(),
  timeout: 300_000,
}, async (t) => {
  const peer = requireClusterPeer(t);
  if (!peer) return;
  registerE2eImages(peer);
  const { api, ns, close } = await e2eNamespace(peer, `e2e-secret-${rt}`);
  const token = randomValue("tok");
  const pem = randomValue("pem");
  try {
    await apply(api, {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "api-creds", namespace: ns },
      stringData: { token },
    });
    await apply(api, {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "tls-bits", namespace: ns },
      stringData: { "key.pem": pem },
    });
    await applyAll(api, [
      engramTemplate("ts-engram", ns, `bubu-e2e/engram:${rt}`, {
        secretSchema: {
          api: { required: true, mountType: "env", expectedKeys: ["token"] },
          // The process kubelet mounts volumes under /run only (a private tmpfs per pod).
          tls: { mountType: "file", mountPath: "/var/run/bubu/secrets/tls" },
        },
      }),
      engram("user", ns, "ts-engram", { with: { mode: "secret" }, secrets: { api: "api-creds", tls: "tls-bits" } }),
      engram("leaker", ns, "ts-engram", {
        with: { mode: "secret-fail" },
        secrets: { api: "api-creds", tls: "tls-bits" },
      }),
      story("secrets", ns, {
        steps: [
          { name: "use", ref: { name: "user" } },
          {
            name: "leak",
            ref: { name: "leaker" },
            needs: ["use"],
            allowFailure: true,
            execution: { retry: { maxRetries: 0 } },
          },
        ],
      }),
    ]);
    const run = await runStory(peer, api, ns, "secrets", {});
    const why = (): Promise<string> => describeNamespace(peer, api, ns, "secrets-run");
    const use = run.steps.get("use")?.status ?? {};
    assert.equal(use.phase, "Succeeded", await why());
    // Both mappings arrive, each under its key: `token` from the env mapping (BUBU_SECRET_api=env:api_),
    // `key.pem` from the mounted file (BUBU_SECRET_tls=file:<mountPath>).
    assert.deepEqual(use.output, { names: ["key.pem", "token"], lengths: [pem.length, token.length] });
    const leak = run.steps.get("leak")?.status ?? {};
    assert.equal(leak.phase, "Failed", await why());
    assert.match(String(leak.lastFailureMsg), /the service refused token .*\[REDACTED\]/);

    // Nowhere outside the process: pod logs, statuses, the SDK's own requests, spans.
    const places: [string, string][] = [];
    for (const d of readdirSync(peer.podsDir).filter((x) => x.startsWith(`${ns}_`))) {
      for (const f of ["stdout.log", "stderr.log"]) {
        const p = join(peer.podsDir, d, f);
        if (existsSync(p)) places.push([`${d}/${f}`, readFileSync(p, "utf8")]);
      }
    }
    assert.ok(
      places.some(([, text]) => text.includes("process uses a secret")),
      "the engram logged its attempt",
    );
    for (const [id, s] of run.steps) places.push([`StepRun ${id}`, JSON.stringify(s.status)]);
    places.push(["StoryRun", JSON.stringify(run.status)]);
    const podRequests = readFileSync(peer.auditLog, "utf8")
      .split("\n")
      .filter((l) => l.includes(`"system:serviceaccount:${ns}:`));
    assert.ok(podRequests.length > 0, "the pods' requests are in the audit log");
    places.push(["audit log (pod requests)", podRequests.join("\n")]);
    const spans = e2eDirs(peer).spans;
    const spanFiles = existsSync(spans) ? readdirSync(spans).filter((f) => f.startsWith("secrets-run-")) : [];
    const spanText = spanFiles.map((f) => readFileSync(join(spans, f), "utf8")).join("\n");
    assert.ok(spanText.includes('"use-secret"'), `the engram's span was exported (${spanFiles.join(", ")})`);
    assert.ok(spanText.includes("[REDACTED]"), "the span attribute was scrubbed");
    places.push(["spans", spanText]);
    for (const [where, text] of places) {
      assert.ok(!text.includes(token), `the token leaked into ${where}`);
      assert.ok(!text.includes(pem), `the file secret leaked into ${where}`);
    }
    // The secret-seen signal is stored as a summary, never as the value.
    const signals = (use.signals ?? {}) as Record<string, Json>;
    assert.ok(signals["secret-seen"], JSON.stringify(use));
  } finally {
    await close();
  }
});
