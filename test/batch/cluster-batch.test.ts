// Real batch engrams, as child processes of the runtime under test, against the real Kubernetes
// API peer (test/peers/k8s): the exact StepRun status after each outcome, fencing, TLS and
// credential failures, and the API server going away mid-run.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import { type K8sPeer, k8sPeerSkip, requireK8sPeer } from "../peers/k8s/peer.ts";
import { requireS3Peer, s3PeerSkip } from "../peers/s3/peer.ts";
import { type RunResult, runScript } from "../support/spawn.ts";
import { peerRequest } from "./peer-request.ts";

const FIXTURE = "test/batch/fixtures/fixture-engram.ts";
const skip = k8sPeerSkip();
const ns = `batch-${randomBytes(3).toString("hex")}`;
let peer: K8sPeer;
let dir = "";

const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const DURATION = /^(\d+(\.\d+)?(ms|s)|\d+m\d+(\.\d+)?s)$/;

async function createStepRun(
  name: string,
  status: Record<string, unknown> = { phase: "Running", retries: 0 },
  spec: Record<string, unknown> = {},
): Promise<void> {
  const base = `/apis/runs.bubustack.io/v1alpha1/namespaces/${ns}/stepruns`;
  await peerRequest(peer, "POST", base, {
    apiVersion: "runs.bubustack.io/v1alpha1",
    kind: "StepRun",
    metadata: { name },
    spec: { stepId: "step", storyRunRef: { name: "run" }, ...spec },
  });
  // The controller initialises status before the pod starts (the CRD requires status.retries).
  await peerRequest(peer, "PATCH", `${base}/${name}/status`, { status });
}

async function statusOf(name: string): Promise<Record<string, unknown>> {
  const sr = await peerRequest(peer, "GET", `/apis/runs.bubustack.io/v1alpha1/namespaces/${ns}/stepruns/${name}`);
  return (sr.status ?? {}) as Record<string, unknown>;
}

function run(
  name: string,
  inputs: unknown,
  env: Record<string, string> = {},
  opts: Parameters<typeof runScript>[1] = {},
): Promise<RunResult> {
  return runScript(FIXTURE, {
    ...opts,
    env: {
      KUBECONFIG: peer.kubeconfigPath,
      BUBU_STEPRUN_NAME: name,
      BUBU_STEPRUN_NAMESPACE: ns,
      BUBU_TRIGGER_DATA: JSON.stringify(inputs),
      BUBU_K8S_OPERATION_TIMEOUT: "10s",
      ...env,
    },
  });
}

/** Checks the volatile fields' format, then returns the status without them. */
function stable(status: Record<string, unknown>): Record<string, unknown> {
  assert.match(String(status.finishedAt), TIME);
  assert.match(String(status.duration), DURATION);
  const { finishedAt: _f, duration: _d, ...rest } = status;
  return rest;
}

describe("batch engrams against the real API server", () => {
  before(() => {
    const p = requireK8sPeer();
    if (p) peer = p;
    dir = mkdtempSync(join(tmpdir(), "batch-it-"));
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("success: Succeeded, output, exitClass success, no exitCode", { skip }, async () => {
    await createStepRun("ok");
    const r = await run("ok", { mode: "ok", value: { n: 1, s: "é" } });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(stable(await statusOf("ok")), {
      phase: "Succeeded",
      retries: 0,
      exitClass: "success",
      output: { ok: true, value: { n: 1, s: "é" } },
    });
    // In a pod the logs are JSON lines on stdout.
    assert.match(r.stdout, /"level":"INFO","msg":"engram completed","phase":"Succeeded"/);
  });

  test("failure: Failed, exit 1, terminal, structured error", { skip }, async () => {
    await createStepRun("fail");
    const r = await run("fail", { mode: "throw" });
    assert.equal(r.code, 1);
    assert.deepEqual(stable(await statusOf("fail")), {
      phase: "Failed",
      retries: 0,
      exitCode: 1,
      exitClass: "terminal",
      lastFailureMsg: "process exploded",
      error: {
        version: "v1",
        type: "execution_error",
        message: "process exploded",
        retryable: false,
        exitCode: 1,
        exitClass: "terminal",
      },
    });
  });

  test("validation error: Failed with the field path", { skip }, async () => {
    await createStepRun("invalid");
    const r = await run("invalid", { value: 1 });
    assert.equal(r.code, 1);
    const s = stable(await statusOf("invalid"));
    assert.equal(s.phase, "Failed");
    assert.equal(s.exitCode, 1);
    assert.equal(s.exitClass, "terminal");
    const e = s.error as Record<string, unknown>;
    assert.equal(e.type, "validation_error");
    assert.equal((e.details as { path: string }).path, "mode");
    assert.match(
      String(s.lastFailureMsg),
      /^failed to unmarshal inputs into the target type: inputs validation failed at mode: /,
    );
  });

  test("timeout on the last attempt: Timeout, 124, retry, process exits 124", { skip }, async () => {
    // No retries left (maxRetries 0): the SDK ends the step itself.
    await createStepRun("slow", undefined, { retry: { maxRetries: 0 } });
    const r = await run(
      "slow",
      { mode: "hang" },
      { BUBU_STEP_TIMEOUT: "500ms", BUBU_SDK_GRACEFUL_SHUTDOWN_TIMEOUT: "200ms" },
    );
    assert.equal(r.code, 124, r.stdout + r.stderr);
    const s = stable(await statusOf("slow"));
    assert.deepEqual(s, {
      phase: "Timeout",
      retries: 0,
      exitCode: 124,
      exitClass: "retry",
      lastFailureMsg:
        "batch execution timed out after 500ms: engram did not return within 200ms after its signal was aborted",
      error: {
        version: "v1",
        type: "timeout",
        message:
          "batch execution timed out after 500ms: engram did not return within 200ms after its signal was aborted",
        retryable: true,
        exitCode: 124,
        exitClass: "retry",
      },
    });
  });

  test("timeout with retries left: the details without a phase (the operator retries), exit 124", {
    skip,
  }, async () => {
    await createStepRun("slow-retry", { phase: "Running", retries: 0 }, { retry: { maxRetries: 2 } });
    const r = await run(
      "slow-retry",
      { mode: "hang" },
      { BUBU_STEP_TIMEOUT: "500ms", BUBU_SDK_GRACEFUL_SHUTDOWN_TIMEOUT: "200ms" },
    );
    assert.equal(r.code, 124, r.stdout + r.stderr);
    const s = await statusOf("slow-retry");
    assert.equal(s.phase, "Running", "no final phase: the operator decides");
    assert.equal(s.finishedAt, undefined);
    assert.equal(s.exitCode, 124);
    assert.equal(s.exitClass, "retry");
    assert.equal((s.error as Record<string, unknown>).type, "timeout");
  });

  test("SIGTERM: nothing written (the operator retries a stopped pod), process exits 143", { skip }, async () => {
    await createStepRun("term");
    let sent = false;
    const r = await run(
      "term",
      { mode: "wait-abort" },
      {},
      {
        onOutput: (text, child) => {
          if (!sent && text.includes("waiting for abort")) {
            sent = true;
            child.kill("SIGTERM");
          }
        },
      },
    );
    assert.equal(r.code, 143, r.stdout + r.stderr);
    assert.deepEqual(await statusOf("term"), { phase: "Running", retries: 0 });
  });

  test("config deeper than BUBU_MAX_RECURSION_DEPTH fails in a pod as it does locally, without refs or templates", {
    skip,
  }, async () => {
    await createStepRun("deepconfig");
    const nested = `${"[".repeat(11)}${"]".repeat(11)}`;
    const r = await run("deepconfig", { mode: "ok" }, { BUBU_STEP_CONFIG: `{"a":${nested}}` });
    assert.equal(r.code, 1);
    const s = stable(await statusOf("deepconfig"));
    assert.equal(s.phase, "Failed");
    assert.equal(s.lastFailureMsg, "failed to hydrate config: maximum recursion depth (10) exceeded during hydration");
  });

  test("malformed BUBU_TRIGGER_DATA is reported to the StepRun too", { skip }, async () => {
    await createStepRun("badjson");
    const r = await runScript(FIXTURE, {
      env: {
        KUBECONFIG: peer.kubeconfigPath,
        BUBU_STEPRUN_NAME: "badjson",
        BUBU_STEPRUN_NAMESPACE: ns,
        BUBU_TRIGGER_DATA: "{nope",
      },
    });
    assert.equal(r.code, 1);
    const s = stable(await statusOf("badjson"));
    assert.equal(s.phase, "Failed");
    assert.match(String(s.lastFailureMsg), /^failed to load execution context: BUBU_TRIGGER_DATA: invalid JSON/);
  });

  test("fenced pod: another pod owns the StepRun, nothing is written, exit 1", { skip }, async () => {
    await createStepRun("fenced", { phase: "Running", retries: 0, podName: "pod-a" });
    const r = await run("fenced", { mode: "ok" }, { BUBU_POD_NAME: "pod-b" });
    assert.equal(r.code, 1);
    assert.match(
      r.stdout,
      /zombie pod fencing: current pod \\"pod-b\\" does not match existing \\"pod-a\\"; skipping patch/,
    );
    assert.deepEqual(await statusOf("fenced"), { phase: "Running", retries: 0, podName: "pod-a" });
  });

  test("wrong CA: clear TLS error, exit 1", { skip }, async () => {
    await createStepRun("wrongca");
    const kc = parseYaml(readFileSync(peer.kubeconfigPath, "utf8"));
    // A self-signed certificate that did not sign the server certificate.
    const otherCa = readFileSync(new URL("../k8s-peer/fixtures/foreign-client.crt", import.meta.url), "utf8");
    for (const c of kc.clusters) c.cluster["certificate-authority-data"] = Buffer.from(otherCa).toString("base64");
    const path = join(dir, "wrong-ca.yaml");
    writeFileSync(path, toYaml(kc));
    const r = await run("wrongca", { mode: "ok" }, { KUBECONFIG: path, BUBU_K8S_OPERATION_TIMEOUT: "3s" });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /TLS|certificate/i);
    assert.equal((await statusOf("wrongca")).phase, "Running");
  });

  test("invalid token: clear 401, exit 1", { skip }, async () => {
    await createStepRun("badtoken");
    const kc = parseYaml(readFileSync(peer.kubeconfigPath, "utf8"));
    for (const u of kc.users) u.user = { token: "not-a-real-token" };
    const path = join(dir, "bad-token.yaml");
    writeFileSync(path, toYaml(kc));
    const r = await run("badtoken", { mode: "ok" }, { KUBECONFIG: path, BUBU_K8S_OPERATION_TIMEOUT: "3s" });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /unauthorized: the API server rejected the credentials/);
    assert.equal(r.stdout.includes("not-a-real-token"), false);
  });

  test("API server gone mid-run: retried until the step's window ends, clear failure, exit 1", { skip }, async () => {
    await createStepRun("gone");
    const proxy = await tcpProxy(new URL(peer.url));
    const kc = parseYaml(readFileSync(peer.kubeconfigPath, "utf8"));
    for (const c of kc.clusters) c.cluster.server = `https://127.0.0.1:${proxy.port}`;
    const path = join(dir, "proxied.yaml");
    writeFileSync(path, toYaml(kc));
    let closed = false;
    const t0 = Date.now();
    // The terminal write keeps trying until the step's deadline plus the grace window (at least
    // the 3s operation budget), whatever BUBU_K8S_PATCH_MAX_RETRIES says.
    const env = {
      KUBECONFIG: path,
      BUBU_K8S_OPERATION_TIMEOUT: "3s",
      BUBU_K8S_PATCH_MAX_RETRIES: "3",
      BUBU_STEP_TIMEOUT: "4s",
      BUBU_SDK_GRACEFUL_SHUTDOWN_TIMEOUT: "1s",
    };
    const r = await run("gone", { mode: "sleep", value: 1500 }, env, {
      onOutput: (text) => {
        if (!closed && text.includes("sleeping")) {
          closed = true;
          proxy.close();
        }
      },
    });
    assert.equal(closed, true);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.ok(Date.now() - t0 < 15_000, "the failure is bounded by the step's window");
    assert.match(r.stdout, /StepRun status patch failed/);
    assert.equal((await statusOf("gone")).phase, "Running");
  });
});

describe("batch engrams with S3 storage against the real API server and versitygw", () => {
  const skipBoth = k8sPeerSkip() || s3PeerSkip();

  test("large output is offloaded (status holds the ref), captured logs are published", {
    skip: skipBoth,
  }, async () => {
    peer = requireK8sPeer() as K8sPeer;
    const s3 = requireS3Peer();
    if (!s3) throw new Error("unreachable: skipped without the S3 peer");
    await createStepRun("big");
    const big = "x".repeat(5000);
    const r = await run(
      "big",
      { mode: "ok", value: big },
      {
        BUBU_STORAGE_PROVIDER: "s3",
        BUBU_STORAGE_S3_BUCKET: s3.bucket,
        BUBU_STORAGE_S3_ENDPOINT: s3.endpoint,
        BUBU_STORAGE_S3_REGION: s3.region,
        BUBU_S3_TLS: "false",
        BUBU_S3_ACCESS_KEY_ID: s3.accessKey,
        BUBU_S3_SECRET_ACCESS_KEY: s3.secretKey,
        BUBU_STORYRUN_ID: "run-1",
        BUBU_STEP_NAME: "step-1",
      },
    );
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const s = await statusOf("big");
    assert.equal(s.phase, "Succeeded");
    const output = s.output as Record<string, unknown>;
    assert.equal(output.ok, true);
    const ref = output.value as Record<string, unknown>;
    assert.match(String(ref.$bubuStorageRef), new RegExp(`^outputs/${ns}/big/`));
    assert.equal(r.stdout.includes(big), false, "the offloaded value is not logged");
    const logs = s.logs as Record<string, unknown>;
    assert.match(String(logs.$bubuStorageRef), new RegExp(`^${ns}/logs/run-1/step-1/big/\\d+\\.log$`));
    assert.equal(logs.$bubuStorageContentType, "application/x-ndjson");
  });
});

/** A loopback TCP proxy to `target`; `close()` drops the listener and every connection. */
function tcpProxy(target: URL): Promise<{ port: number; close(): void }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      resolve({
        port,
        close: () => {
          server.close();
          for (const s of sockets) s.destroy();
        },
      });
    });
  });
}
