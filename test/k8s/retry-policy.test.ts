import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { KubernetesError } from "../../src/k8s/errors.ts";
import { attemptTimeoutMs, MAX_BACKOFF_MS, nextBackoff, retryDecision } from "../../src/k8s/retry-policy.ts";

const answer = (status: number, reason = ""): KubernetesError =>
  new KubernetesError({ kind: "status", status, reason, message: `HTTP ${status}` });

describe("retryDecision", () => {
  test("409 is a conflict; 429 and 5xx are transient; other 4xx stop", () => {
    assert.equal(retryDecision(answer(409, "Conflict")), "conflict");
    for (const s of [429, 500, 502, 503, 504]) assert.equal(retryDecision(answer(s)), "retry", String(s));
    for (const s of [400, 401, 403, 404, 410, 415, 422]) assert.equal(retryDecision(answer(s)), "stop", String(s));
    // The API server's own timeout reasons, whatever the status.
    assert.equal(retryDecision(answer(400, "ServerTimeout")), "retry");
  });

  test("no answer is transient; TLS, a cancelled caller and foreign errors stop", () => {
    for (const kind of ["timeout", "connection", "protocol"] as const) {
      assert.equal(retryDecision(new KubernetesError({ kind, message: kind })), "retry", kind);
    }
    // A connection failure without a system code (Deno reports some only in text) is still transient.
    assert.equal(
      retryDecision(new KubernetesError({ kind: "connection", message: "connection closed before message completed" })),
      "retry",
    );
    assert.equal(retryDecision(new KubernetesError({ kind: "tls", message: "bad cert" })), "stop");
    assert.equal(retryDecision(new KubernetesError({ kind: "canceled", message: "context canceled" })), "stop");
    assert.equal(retryDecision(new Error("boom")), "stop");
    assert.equal(retryDecision("boom"), "stop");
  });
});

describe("attempt timeout and backoff", () => {
  test("an attempt takes BUBU_K8S_TIMEOUT, at most 10s", () => {
    assert.equal(attemptTimeoutMs(1_000), 1_000);
    assert.equal(attemptTimeoutMs(30_000), 10_000);
  });

  test("the pause doubles up to 5s", () => {
    const seen: number[] = [];
    for (let ms = 100; seen.length < 9; ms = nextBackoff(ms)) seen.push(ms);
    assert.deepEqual(seen, [100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000]);
    assert.equal(MAX_BACKOFF_MS, 5_000);
  });
});
