/**
 * A real batch engram process in cluster mode whose inputs hold `$bubuSecretRef` and
 * `$bubuConfigMapRef`: it gets the values, and a Secret value never shows in its stdout/stderr
 * even when the engram logs its inputs or throws an error containing the value. One loopback
 * fake API server holds the StepRun (status patches) and the core v1 objects (the real peer
 * serves no core v1; see kube-refs-api.test.ts).
 */

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { FakeApiServer } from "../k8s/fake-apiserver.ts";
import { type RunResult, runScript } from "../support/spawn.ts";
import { CoreV1Objects } from "./fake-core-v1.ts";

const FIXTURE = "test/storage/fixtures/kube-ref-engram.ts";
const NS = "team-a";
const TOKEN = "tok-9a8b7c6d5e4f-SECRET";
const PASSWORD = "pw-correct-horse-battery";
const STEPRUNS = `/apis/runs.bubustack.io/v1alpha1/namespaces/${NS}/stepruns`;

let server: FakeApiServer;
let core: CoreV1Objects;
let dir = "";
let kubeconfig = "";

function stepRun(name: string): void {
  server.put(`${STEPRUNS}/${name}`, {
    apiVersion: "runs.bubustack.io/v1alpha1",
    kind: "StepRun",
    metadata: { name, namespace: NS },
    spec: { stepId: "step" },
    status: { phase: "Running", retries: 0 },
  });
}

function statusOf(name: string): Record<string, unknown> {
  return (server.objects.get(`${STEPRUNS}/${name}`)?.status ?? {}) as Record<string, unknown>;
}

function run(name: string, inputs: unknown, env: Record<string, string> = {}): Promise<RunResult> {
  return runScript(FIXTURE, {
    timeoutMs: 60_000,
    env: {
      KUBECONFIG: kubeconfig,
      BUBU_STEPRUN_NAME: name,
      BUBU_STEPRUN_NAMESPACE: NS,
      BUBU_POD_NAMESPACE: NS,
      BUBU_TRIGGER_DATA: JSON.stringify(inputs),
      BUBU_K8S_OPERATION_TIMEOUT: "10s",
      ...env,
    },
  });
}

function assertNoSecret(r: RunResult): void {
  for (const secret of [TOKEN, PASSWORD]) {
    assert.ok(!r.stdout.includes(secret), `stdout leaks a secret:\n${r.stdout}`);
    assert.ok(!r.stderr.includes(secret), `stderr leaks a secret:\n${r.stderr}`);
  }
}

describe("batch engram process with $bubuSecretRef inputs", () => {
  before(async () => {
    server = await new FakeApiServer().start();
    core = new CoreV1Objects()
      .secret(NS, "api-creds", { token: TOKEN, creds: JSON.stringify({ user: "svc", password: PASSWORD }) })
      .configMap(NS, "app-config", { mode: "ok" });
    server.faults = [core.fault()];
    dir = mkdtempSync(join(tmpdir(), "kube-ref-proc-"));
    kubeconfig = join(dir, "kubeconfig");
    writeFileSync(
      kubeconfig,
      `apiVersion: v1\nkind: Config\ncurrent-context: t\ncontexts:\n- name: t\n  context: {cluster: c, user: u}\nclusters:\n- name: c\n  cluster: {server: "${server.url}"}\nusers:\n- name: u\n  user: {token: test-token}\n`,
    );
  });
  after(async () => {
    await server.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("the engram gets the values; its logged inputs show [REDACTED], never the value", async () => {
    stepRun("ok");
    const r = await run(
      "ok",
      {
        mode: { $bubuConfigMapRef: "app-config:mode" },
        token: { $bubuSecretRef: "api-creds:token" },
        creds: { $bubuSecretRef: { name: "api-creds", key: "creds", format: "json" } },
      },
      { BUBU_DEBUG: "true" },
    );
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const s = statusOf("ok");
    assert.equal(s.phase, "Succeeded");
    assert.deepEqual(s.output, { tokenLength: TOKEN.length, creds: "object" });
    assertNoSecret(r);
    const logged = r.stdout.split("\n").filter((l) => l.includes('"msg":"inputs received"'));
    assert.equal(logged.length, 1, r.stdout);
    const line = JSON.parse(logged[0]!) as {
      token: string;
      inputs: { token: string; creds: { user: string; password: string } };
    };
    assert.equal(line.token, "[REDACTED]");
    assert.equal(line.inputs.token, "[REDACTED]");
    assert.deepEqual(line.inputs.creds, { user: "svc", password: "[REDACTED]" });
    assert.deepEqual(
      core.requests.map((q) => q.path),
      [
        `/api/v1/namespaces/${NS}/configmaps/app-config`,
        `/api/v1/namespaces/${NS}/secrets/api-creds`,
        `/api/v1/namespaces/${NS}/secrets/api-creds`,
      ],
    );
  });

  test("an error that contains the value: Failed, and the value is not in the process output", async () => {
    stepRun("throws");
    const r = await run("throws", { mode: "throw", token: { $bubuSecretRef: "api-creds:token" } });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.equal(statusOf("throws").phase, "Failed");
    assertNoSecret(r);
    assert.match(r.stdout, /upstream rejected token \[REDACTED\]/);
  });

  test("a missing Secret: Failed before process, exit 1, terminal execution_error naming the ref", async () => {
    stepRun("missing");
    const r = await run("missing", { mode: "ok", token: { $bubuSecretRef: "nope:token" } });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const s = statusOf("missing");
    const message = `failed to hydrate inputs: failed to read Secret ${NS}/nope: secrets "nope" not found`;
    assert.equal(s.phase, "Failed");
    assert.equal(s.exitCode, 1);
    assert.equal(s.exitClass, "terminal");
    assert.equal(s.lastFailureMsg, message);
    assert.deepEqual(s.error, {
      version: "v1",
      type: "execution_error",
      message,
      retryable: false,
      exitCode: 1,
      exitClass: "terminal",
      code: "NotFound",
      details: { kind: "Secret", key: "token", name: "nope", namespace: NS, status: 404 },
    });
    assert.doesNotMatch(r.stdout, /inputs received/);
  });
});
