// Integration tests of src/k8s against the real Kubernetes API peer (etcd + apiextensions-apiserver,
// test/peers/k8s/start.sh) through the runtime's TLS fetch. Skipped with a message when the peer is
// absent; under CI=true they fail instead.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { stringify as toYaml } from "yaml";
import type { KubeClient } from "../../src/k8s/client.ts";
import { createKubeClient, type KubeRuntime } from "../../src/k8s/create-client.ts";
import { KubernetesError } from "../../src/k8s/errors.ts";
import { resourcePath, STEP_RUNS } from "../../src/k8s/resources.ts";
import type { SignalEvent } from "../../src/k8s/steprun-merge.ts";
import { patchStepRunStatus, StepRunStatusPatchError } from "../../src/k8s/steprun-status.ts";
import type { Runtime } from "../../src/runtime/types.ts";
import { type K8sPeer, k8sPeerSkip, requireK8sPeer } from "../peers/k8s/peer.ts";

const skip = k8sPeerSkip();
const ns = `it-${randomBytes(3).toString("hex")}`;
let peer: K8sPeer | undefined;
let runtime: Runtime | undefined;
let dir = "";
const clients: KubeClient[] = [];

/** The runtime with a controlled environment (no in-cluster variables leak in). */
function kubeRuntime(env: Record<string, string>): KubeRuntime {
  const rt = runtime!;
  return {
    env: (n) => env[n],
    fs: rt.fs,
    homeDir: () => dir,
    cwd: () => dir,
    createTlsFetch: (o) => rt.createTlsFetch(o),
  };
}

async function client(
  kubeconfigPath: string = peer!.kubeconfigPath,
  env: Record<string, string> = {},
): Promise<KubeClient> {
  const c = await createKubeClient(kubeRuntime({ BUBU_STEPRUN_NAMESPACE: ns, BUBU_K8S_TIMEOUT: "10s", ...env }), {
    kubeconfigPath,
  });
  clients.push(c);
  return c;
}

/**
 * Creates a StepRun and initialises its status as the controller does before the pod starts: the
 * CRD requires `status.retries`, and the SDK (like Go) never sends it, so a status-less StepRun
 * could not be patched at all.
 */
async function createStepRun(c: KubeClient, name: string, phase = "Running"): Promise<void> {
  await c.create(STEP_RUNS, ns, {
    apiVersion: "runs.bubustack.io/v1alpha1",
    kind: "StepRun",
    metadata: { name, namespace: ns },
    spec: { stepId: "it", storyRunRef: { name: "it-run" } },
  });
  await c.patchStatus(STEP_RUNS, ns, name, { status: { phase, retries: 0 } });
}

/** Writes a variant of the peer's kubeconfig (cluster/user fields replaced). */
async function variantKubeconfig(
  name: string,
  cluster: Record<string, unknown>,
  user: Record<string, unknown>,
): Promise<string> {
  const path = join(dir, name);
  await writeFile(
    path,
    toYaml({
      apiVersion: "v1",
      kind: "Config",
      "current-context": "c",
      contexts: [{ name: "c", context: { cluster: "k", user: "u" } }],
      clusters: [{ name: "k", cluster: { server: peer!.url, ...cluster } }],
      users: [{ name: "u", user }],
    }),
  );
  return path;
}

const b64 = (s: string): string => Buffer.from(s).toString("base64");

/** Lazily finds the peer and the runtime; throws under CI when the peer is missing. */
async function setup(): Promise<void> {
  if (runtime !== undefined) return;
  peer = requireK8sPeer();
  if (!peer) throw new Error("unreachable: the test is skipped without a peer");
  dir = await mkdtemp(join(tmpdir(), "k8s-it-"));
  // The runtime adapters are another module; a missing one is a real failure when the peer runs.
  const { detectRuntime } = await import("../../src/runtime/detect.ts");
  runtime = detectRuntime();
}

describe("k8s client against the real API server", () => {
  after(async () => {
    for (const c of clients) await c.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test("create a StepRun and patch its status through the kubeconfig the peer wrote", { skip }, async () => {
    await setup();
    const c = await client();
    assert.equal(c.config.source, "kubeconfig");
    assert.ok(c.config.server.startsWith("https://"));
    const name = `sr-${randomBytes(4).toString("hex")}`;
    await createStepRun(c, name, "Pending");
    const running = await patchStepRunStatus(c, ns, name, { phase: "Running" });
    assert.equal(running.patched, true);
    const done = await patchStepRunStatus(c, ns, name, {
      phase: "Succeeded",
      finishedAt: "2026-05-01T10:00:05Z",
      duration: "5.12s",
      exitClass: "success",
      output: { status: "ok", n: 1 },
    });
    assert.match(
      done.body!,
      /^\{"metadata":\{"resourceVersion":"\d+"\},"status":\{"duration":"5\.12s","exitClass":"success","finishedAt":"2026-05-01T10:00:05Z","output":\{"n":1,"status":"ok"\},"phase":"Succeeded"\}\}$/,
    );
    const got = await c.get(STEP_RUNS, ns, name);
    const status = got["status"] as Record<string, unknown>;
    assert.equal(status["phase"], "Succeeded");
    assert.deepEqual(status["output"], { status: "ok", n: 1 });
    assert.equal(status["exitClass"], "success");
    assert.equal(status["finishedAt"], "2026-05-01T10:00:05Z");
    await c.request("DELETE", resourcePath(STEP_RUNS, ns, name));
  });

  test("concurrent appenders from two clients keep every signal event", { skip }, async () => {
    await setup();
    const a = await client();
    const b = await client();
    const name = `sr-${randomBytes(4).toString("hex")}`;
    await createStepRun(a, name);
    const writes = [];
    for (let i = 0; i < 4; i++) {
      for (const [who, c] of [
        ["a", a],
        ["b", b],
      ] as const) {
        writes.push(
          patchStepRunStatus(
            c,
            ns,
            name,
            {
              signals: { [`${who}${i}`]: { i } },
              signalEvents: [{ seq: 0, key: `${who}${i}`, emittedAt: "2026-05-01T10:00:00Z", payload: { i } }],
            },
            { maxRetries: 20 },
          ),
        );
      }
    }
    const results = await Promise.all(writes);
    const got = await a.get(STEP_RUNS, ns, name);
    const status = got["status"] as { signals: Record<string, unknown>; signalEvents: SignalEvent[] };
    assert.deepEqual(status.signalEvents.map((e) => e.key).sort(), ["a0", "a1", "a2", "a3", "b0", "b1", "b2", "b3"]);
    assert.deepEqual(
      status.signalEvents.map((e) => e.seq).sort((x, y) => x - y),
      [1, 2, 3, 4, 5, 6, 7, 8],
    );
    assert.equal(Object.keys(status.signals).length, 8);
    const conflicts = results.reduce((n, r) => n + r.conflicts, 0);
    console.log(`concurrent appenders: ${conflicts} conflict(s) resolved by re-merge`);
    await a.request("DELETE", resourcePath(STEP_RUNS, ns, name));
  });

  test("a schema-invalid status (non-object output) fails at once with the API server's reason (a 422 is not retried)", {
    skip,
  }, async () => {
    await setup();
    const c = await client();
    const name = `sr-${randomBytes(4).toString("hex")}`;
    await createStepRun(c, name);
    await assert.rejects(
      patchStepRunStatus(c, ns, name, { output: "plain string" }, { maxRetries: 3 }),
      (err: unknown) => {
        assert.ok(err instanceof StepRunStatusPatchError);
        assert.equal(err.attempts, 1);
        assert.match(
          err.message,
          new RegExp(`^failed to apply StepRun '${name}' status in namespace '${ns}': .*output`),
        );
        assert.ok(err.cause instanceof KubernetesError && err.cause.status === 422);
        return true;
      },
    );
    await c.request("DELETE", resourcePath(STEP_RUNS, ns, name));
  });

  test("wrong CA → clear TLS verification error", { skip }, async () => {
    await setup();
    // The client certificate is a valid PEM certificate but not the CA that signed the server.
    const path = await variantKubeconfig(
      "wrong-ca",
      { "certificate-authority-data": b64(peer!.certPem) },
      {
        "client-certificate-data": b64(peer!.certPem),
        "client-key-data": b64(peer!.keyPem),
      },
    );
    const c = await client(path);
    await assert.rejects(c.get(STEP_RUNS, ns, "anything"), (err: unknown) => {
      assert.ok(err instanceof KubernetesError, String(err));
      assert.equal(err.kind, "tls", err.message);
      assert.equal(err.retryable, false);
      assert.ok(
        err.message.startsWith(
          `TLS certificate verification failed contacting ${peer!.url} (trusted CA: certificate-authority-data of cluster "k"): `,
        ),
        err.message,
      );
      return true;
    });
  });

  test("an invalid token (static or from a token file) → clear 401", { skip }, async () => {
    await setup();
    // Anonymous requests are not usable here: the peer's authorizer webhook points nowhere, so they
    // end as 500 (test/peers/k8s). A token that the authenticator rejects is a real 401.
    await writeFile(join(dir, "bad-token"), "not-a-real-token\n");
    const ca = { "certificate-authority-data": b64(peer!.caPem) };
    const staticToken = await client(await variantKubeconfig("token", ca, { token: "not-a-real-token" }));
    const tokenFile = await client(await variantKubeconfig("token-file", ca, { tokenFile: "bad-token" }));
    for (const c of [staticToken, tokenFile]) {
      await assert.rejects(c.get(STEP_RUNS, ns, "anything"), (err: unknown) => {
        assert.ok(err instanceof KubernetesError, String(err));
        assert.equal(err.status, 401, err.message);
        assert.equal(err.reason, "Unauthorized");
        assert.equal(err.message, "unauthorized: the API server rejected the credentials (expired or invalid token?)");
        return true;
      });
    }
  });

  test("kubeconfig file variants (relative CA/cert/key files) reach the server", { skip }, async () => {
    await setup();
    await writeFile(join(dir, "ca.pem"), peer!.caPem);
    await writeFile(join(dir, "client.pem"), peer!.certPem);
    await writeFile(join(dir, "client.key"), peer!.keyPem);
    const path = await variantKubeconfig(
      "files",
      { "certificate-authority": "ca.pem" },
      {
        "client-certificate": "client.pem",
        "client-key": "client.key",
      },
    );
    assert.ok((await readFile(path, "utf8")).includes("ca.pem"));
    const c = await client(path);
    const list = await c.request<Record<string, unknown>>("GET", resourcePath(STEP_RUNS, ns), {
      query: { limit: "1" },
    });
    assert.equal(list["kind"], "StepRunList");
  });
});
