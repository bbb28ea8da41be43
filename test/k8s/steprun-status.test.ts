import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";
import { KubernetesError } from "../../src/k8s/errors.ts";
import { InvalidPhaseTransitionError } from "../../src/k8s/phase.ts";
import { patchStepRunStatus, StepRunStatusPatchError, ZombiePodFencedError } from "../../src/k8s/steprun-status.ts";
import { clientFor, FakeApiServer, STEPRUN_PATH, status } from "./fake-apiserver.ts";

let server: FakeApiServer;

beforeEach(async () => {
  server = await new FakeApiServer().start();
});
afterEach(async () => {
  await server.stop();
});

function seed(status: Record<string, unknown> = { phase: "Running" }): void {
  server.put(STEPRUN_PATH, {
    apiVersion: "runs.bubustack.io/v1alpha1",
    kind: "StepRun",
    metadata: { name: "sr1", namespace: "ns1" },
    spec: { stepId: "s" },
    status,
  });
}

const stored = (): Record<string, unknown> => server.objects.get(STEPRUN_PATH)!["status"] as Record<string, unknown>;
const fixedRandom = (): number => 0.5;

describe("patchStepRunStatus", () => {
  test("GET then one merge PATCH to /status with the exact diff bytes and the precondition", async () => {
    seed({ phase: "Running", startedAt: "2026-05-01T10:00:00Z", retries: 0 });
    const rv = (server.objects.get(STEPRUN_PATH)!["metadata"] as Record<string, string>)["resourceVersion"];
    const client = clientFor(server);
    const result = await patchStepRunStatus(client, "ns1", "sr1", {
      phase: "Succeeded",
      finishedAt: "2026-05-01T10:00:05Z",
      duration: "5.12s",
      exitClass: "success",
      output: { status: "ok" },
    });
    assert.equal(result.patched, true);
    assert.equal(result.attempts, 1);
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.path}`),
      [`GET ${STEPRUN_PATH}`, `PATCH ${STEPRUN_PATH}/status`],
    );
    const patch = server.calls("PATCH")[0]!;
    assert.equal(patch.headers["content-type"], "application/merge-patch+json");
    assert.equal(patch.headers["user-agent"], "bubu-sdk-go");
    assert.equal(
      patch.body,
      `{"metadata":{"resourceVersion":"${rv}"},"status":{"duration":"5.12s","exitClass":"success","finishedAt":"2026-05-01T10:00:05Z","output":{"status":"ok"},"phase":"Succeeded"}}`,
    );
    assert.equal(result.body, patch.body);
    assert.equal(stored()["phase"], "Succeeded");
    assert.equal(stored()["startedAt"], "2026-05-01T10:00:00Z");
  });

  test("no change → no PATCH", async () => {
    seed({ phase: "Succeeded", exitClass: "success" });
    const result = await patchStepRunStatus(clientFor(server), "ns1", "sr1", {
      phase: "Succeeded",
      exitClass: "success",
    });
    assert.equal(result.patched, false);
    assert.equal(server.calls("PATCH").length, 0);
  });

  test("409 → re-GET → re-merge → re-PATCH keeps both writers' signal events", async () => {
    seed({ phase: "Running", signalEvents: [{ seq: 1, key: "a" }] });
    let injected = false;
    // Between our GET and our PATCH another writer appends an event.
    server.faults.push((req) => {
      if (req.method === "PATCH" && !injected) {
        injected = true;
        const obj = server.objects.get(STEPRUN_PATH)!;
        const st = structuredClone(obj["status"]) as Record<string, unknown>;
        (st["signalEvents"] as unknown[]).push({ seq: 2, key: "other-writer" });
        server.put(STEPRUN_PATH, { ...obj, status: st });
      }
      return false;
    });
    const result = await patchStepRunStatus(
      clientFor(server),
      "ns1",
      "sr1",
      { signals: { mine: { v: 1 } }, signalEvents: [{ seq: 0, key: "mine" }] },
      { random: fixedRandom },
    );
    assert.equal(result.conflicts, 1);
    assert.equal(result.attempts, 2);
    assert.deepEqual(
      server.requests.map((r) => r.method),
      ["GET", "PATCH", "GET", "PATCH"],
    );
    const events = stored()["signalEvents"] as { seq: number; key: string }[];
    assert.deepEqual(
      events.map((e) => [e.seq, e.key]),
      [
        [1, "a"],
        [2, "other-writer"],
        [3, "mine"],
      ],
    );
  });

  test("two concurrent appenders both keep their effects", async () => {
    seed({ phase: "Running" });
    const client = clientFor(server);
    await Promise.all([
      patchStepRunStatus(client, "ns1", "sr1", { effects: [{ seq: 0, key: "charge", status: "done" }] }),
      patchStepRunStatus(client, "ns1", "sr1", { effects: [{ seq: 0, key: "email", status: "sent" }] }),
    ]);
    const effects = stored()["effects"] as { seq: number; key: string }[];
    assert.deepEqual(effects.map((e) => e.key).sort(), ["charge", "email"]);
    assert.deepEqual(effects.map((e) => e.seq).sort(), [1, 2]);
  });

  test("500 then success: retried with a fresh GET", async () => {
    seed();
    let failures = 1;
    server.faults.push((req, res) => {
      if (req.method === "PATCH" && failures > 0) {
        failures--;
        status(res, 500, "InternalError", "etcd hiccup");
        return true;
      }
      return false;
    });
    const result = await patchStepRunStatus(
      clientFor(server),
      "ns1",
      "sr1",
      { phase: "Failed", exitCode: 1 },
      { random: fixedRandom },
    );
    assert.equal(result.attempts, 2);
    assert.deepEqual(
      server.requests.map((r) => r.method),
      ["GET", "PATCH", "GET", "PATCH"],
    );
    assert.equal(stored()["exitCode"], 1);
  });

  test("PATCH failures are bounded by 1 + maxRetries attempts, with Go's final message", async () => {
    seed();
    server.faults.push((req, res) => {
      if (req.method !== "PATCH") return false;
      status(res, 503, "ServiceUnavailable", "etcd leader changed");
      return true;
    });
    const started = Date.now();
    await assert.rejects(
      patchStepRunStatus(
        clientFor(server, { patchMaxRetries: 2 }),
        "ns1",
        "sr1",
        { phase: "Failed" },
        { random: fixedRandom },
      ),
      (err: unknown) => {
        assert.ok(err instanceof StepRunStatusPatchError);
        assert.equal(err.stage, "patch");
        assert.equal(err.attempts, 3);
        assert.equal(err.message, "failed to apply StepRun 'sr1' status in namespace 'ns1': etcd leader changed");
        assert.ok(err.cause instanceof KubernetesError && err.cause.status === 503);
        return true;
      },
    );
    assert.equal(server.calls("PATCH").length, 3);
    // Backoff 100ms + 200ms (jitter factor 1.0 with random 0.5).
    assert.ok(Date.now() - started >= 290, `took ${Date.now() - started}ms`);
  });

  test("a 4xx other than 409/429 stops at once (a 422 is not sent again)", async () => {
    seed();
    server.faults.push((req, res) => {
      if (req.method !== "PATCH") return false;
      status(res, 422, "Invalid", 'StepRun.runs.bubustack.io "sr1" is invalid: status.output: Invalid value: "string"');
      return true;
    });
    await assert.rejects(
      patchStepRunStatus(
        clientFor(server),
        "ns1",
        "sr1",
        { phase: "Failed" },
        { retryUntil: new AbortController().signal },
      ),
      (err: unknown) => {
        assert.ok(err instanceof StepRunStatusPatchError);
        assert.equal(err.attempts, 1);
        assert.match(
          err.message,
          /^failed to apply StepRun 'sr1' status in namespace 'ns1': StepRun\.runs\.bubustack\.io "sr1" is invalid/,
        );
        return true;
      },
    );
    assert.equal(server.calls("PATCH").length, 1);
  });

  test("BUBU_K8S_PATCH_MAX_RETRIES=0 → exactly one attempt", async () => {
    seed();
    server.faults.push((req, res) => req.method === "PATCH" && (status(res, 500, "InternalError", "x"), true));
    await assert.rejects(
      patchStepRunStatus(clientFor(server, { patchMaxRetries: 0 }), "ns1", "sr1", { phase: "Failed" }),
    );
    assert.equal(server.calls("PATCH").length, 1);
  });

  test("the operation budget bounds all attempts", async () => {
    seed();
    server.faults.push((req, res) => req.method === "PATCH" && (status(res, 500, "InternalError", "x"), true));
    const started = Date.now();
    await assert.rejects(
      patchStepRunStatus(
        clientFor(server),
        "ns1",
        "sr1",
        { phase: "Failed" },
        { operationTimeoutMs: 250, maxRetries: 50, random: fixedRandom },
      ),
      (err: unknown) =>
        err instanceof StepRunStatusPatchError &&
        err.stage === "aborted" &&
        err.message ===
          "status patch retry aborted due to context cancellation: context deadline exceeded; last error: x",
    );
    const took = Date.now() - started;
    assert.ok(took < 1500, `took ${took}ms`);
    assert.ok(server.calls("PATCH").length <= 3);
  });

  test("caller cancellation stops at once", async () => {
    seed();
    const ctl = new AbortController();
    ctl.abort();
    await assert.rejects(
      patchStepRunStatus(clientFor(server), "ns1", "sr1", { phase: "Failed" }, { signal: ctl.signal }),
      (err: unknown) => err instanceof StepRunStatusPatchError && /context canceled$/.test(err.message),
    );
    assert.equal(server.calls("PATCH").length, 0);
  });

  test("zombie fencing: different podName → no PATCH, clear error, no retry", async () => {
    seed({ phase: "Running", podName: "pod-new" });
    await assert.rejects(
      patchStepRunStatus(clientFor(server, { podName: "pod-old" }), "ns1", "sr1", { phase: "Failed" }),
      (err: unknown) =>
        err instanceof ZombiePodFencedError &&
        err.message === 'zombie pod fencing: current pod "pod-old" does not match existing "pod-new"; skipping patch',
    );
    assert.equal(server.calls("PATCH").length, 0);
    assert.equal(server.calls("GET").length, 1);
  });

  test("fencing applies only when both names are known (quirk B9)", async () => {
    seed({ phase: "Running" });
    await patchStepRunStatus(clientFor(server, { podName: "pod-a" }), "ns1", "sr1", { exitClass: "x" });
    seed({ phase: "Running", podName: "pod-b" });
    await patchStepRunStatus(clientFor(server, { podName: "" }), "ns1", "sr1", { exitClass: "y" });
    seed({ phase: "Running", podName: " pod-c " });
    await patchStepRunStatus(clientFor(server, { podName: "pod-c" }), "ns1", "sr1", { exitClass: "z" });
    assert.equal(server.calls("PATCH").length, 3);
  });

  test("invalid transition: no PATCH, no retry", async () => {
    seed({ phase: "Pending" });
    await assert.rejects(
      patchStepRunStatus(clientFor(server), "ns1", "sr1", { phase: "Succeeded" }),
      InvalidPhaseTransitionError,
    );
    assert.equal(server.requests.length, 1);
  });

  test("GET 404 is not retried and keeps Go's wording", async () => {
    await assert.rejects(
      patchStepRunStatus(clientFor(server), "ns1", "missing", { phase: "Failed" }),
      (err: unknown) =>
        err instanceof StepRunStatusPatchError &&
        err.stage === "get" &&
        err.attempts === 1 &&
        err.message ===
          `failed to get StepRun 'missing' in namespace 'ns1' for status patch: stepruns.runs.bubustack.io "missing" not found`,
    );
    assert.equal(server.requests.length, 1);
  });

  test("GET 429 is retried (retryable), then succeeds", async () => {
    seed();
    let left = 2;
    server.faults.push((req, res) => {
      if (req.method === "GET" && left > 0) {
        left--;
        status(res, 429, "TooManyRequests", "slow down");
        return true;
      }
      return false;
    });
    const result = await patchStepRunStatus(clientFor(server), "ns1", "sr1", { phase: "Failed" }, { random: () => 0 });
    assert.equal(result.attempts, 3);
  });

  test("GET 503 is retried (a 5xx is transient), then succeeds", async () => {
    seed();
    let left = 2;
    server.faults.push((req, res) => {
      if (req.method === "GET" && left > 0) {
        left--;
        status(res, 503, "ServiceUnavailable", "warming up");
        return true;
      }
      return false;
    });
    const result = await patchStepRunStatus(clientFor(server), "ns1", "sr1", { phase: "Failed" }, { random: () => 0 });
    assert.equal(result.attempts, 3);
    assert.equal(stored()["phase"], "Failed");
  });

  test("GET 403 is not retried", async () => {
    seed();
    server.faults.push((req, res) => req.method === "GET" && (status(res, 403, "Forbidden", "no"), true));
    await assert.rejects(
      patchStepRunStatus(clientFor(server), "ns1", "sr1", { phase: "Failed" }),
      /for status patch: no$/,
    );
    assert.equal(server.requests.length, 1);
  });

  test("retryUntil: attempts are not counted, a 500 storm is outlasted", async () => {
    seed();
    let failures = 4;
    server.faults.push((req, res) => {
      if (req.method === "PATCH" && failures > 0) {
        failures--;
        status(res, 500, "InternalError", "storm");
        return true;
      }
      return false;
    });
    const retries: { attempt: number; stage: string; delayMs: number }[] = [];
    const result = await patchStepRunStatus(
      clientFor(server, { patchMaxRetries: 1, operationTimeoutMs: 50 }),
      "ns1",
      "sr1",
      { phase: "Failed", exitCode: 1 },
      { retryUntil: AbortSignal.timeout(20_000), random: () => 0, onRetry: (r) => retries.push(r) },
    );
    // One retry allowed and a 50ms budget, yet five attempts: only the window counts.
    assert.equal(result.attempts, 5);
    assert.equal(stored()["exitCode"], 1);
    assert.deepEqual(
      retries.map((r) => [r.attempt, r.stage, r.delayMs]),
      [
        [1, "patch", 75],
        [2, "patch", 150],
        [3, "patch", 300],
        [4, "patch", 600],
      ],
    );
  });

  test("retryUntil: the window's end stops the write and names the last failure", async () => {
    seed();
    server.faults.push((req, res) => req.method === "GET" && (res.socket?.destroy(), true));
    const started = Date.now();
    await assert.rejects(
      patchStepRunStatus(
        clientFor(server),
        "ns1",
        "sr1",
        { phase: "Failed" },
        { retryUntil: AbortSignal.timeout(400) },
      ),
      (err: unknown) => {
        assert.ok(err instanceof StepRunStatusPatchError);
        assert.equal(err.stage, "aborted");
        assert.match(
          err.message,
          /^status patch retry aborted due to context cancellation: context deadline exceeded; last error: cannot reach the Kubernetes API server at http:\/\/127\.0\.0\.1:\d+: /,
        );
        return true;
      },
    );
    assert.ok(Date.now() - started < 2000);
    assert.ok(server.calls("GET").length >= 3);
  });

  test("one unanswered PATCH costs one attempt timeout, then the write is tried again", async () => {
    seed();
    let hung = false;
    server.faults.push((req) => {
      if (req.method !== "PATCH" || hung) return false;
      hung = true;
      return true; // never answers
    });
    const started = Date.now();
    const result = await patchStepRunStatus(
      clientFor(server),
      "ns1",
      "sr1",
      { phase: "Failed" },
      { attemptTimeoutMs: 200, random: () => 0 },
    );
    assert.equal(result.attempts, 2);
    assert.equal(stored()["phase"], "Failed");
    assert.ok(Date.now() - started < 1500, `took ${Date.now() - started}ms`);
  });

  test("a 409 storm: each refusal is followed by a fresh GET, until the write lands", async () => {
    seed();
    let left = 4;
    server.faults.push((req, res) => {
      if (req.method === "PATCH" && left > 0) {
        left--;
        status(res, 409, "Conflict", "the object has been modified");
        return true;
      }
      return false;
    });
    const result = await patchStepRunStatus(
      clientFor(server, { patchMaxRetries: 0 }),
      "ns1",
      "sr1",
      { phase: "Failed" },
      {
        retryUntil: AbortSignal.timeout(20_000),
        random: () => 0,
      },
    );
    assert.equal(result.conflicts, 4);
    assert.equal(result.attempts, 5);
    assert.deepEqual(
      server.requests.map((r) => r.method).join(","),
      "GET,PATCH,GET,PATCH,GET,PATCH,GET,PATCH,GET,PATCH",
    );
  });

  test("onComplete reports success and failure", async () => {
    seed();
    const outcomes: boolean[] = [];
    await patchStepRunStatus(
      clientFor(server),
      "ns1",
      "sr1",
      { exitClass: "x" },
      { onComplete: (o) => outcomes.push(o.success) },
    );
    await assert.rejects(
      patchStepRunStatus(
        clientFor(server),
        "ns1",
        "nope",
        { exitClass: "x" },
        { onComplete: (o) => outcomes.push(o.success) },
      ),
    );
    assert.deepEqual(outcomes, [true, false]);
  });
});
