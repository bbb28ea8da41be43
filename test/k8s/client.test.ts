import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, test } from "node:test";
import { isAlreadyExists, isRetryableKubernetesError, KubernetesError } from "../../src/k8s/errors.ts";
import { STEP_RUNS, STORY_RUNS } from "../../src/k8s/resources.ts";
import { errorFromFetchFailure } from "../../src/k8s/transport-error.ts";
import { clientFor, FakeApiServer, json, STEPRUN_PATH, status } from "./fake-apiserver.ts";

let server: FakeApiServer;
let dir: string;

beforeEach(async () => {
  server = await new FakeApiServer().start();
  dir = await mkdtemp(join(tmpdir(), "k8s-client-"));
});
afterEach(async () => {
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("KubeClient requests", () => {
  test("get/create/mergePatch use the GVR paths, headers and content types", async () => {
    const client = clientFor(server, { token: "t0", userAgent: "custom-ua" });
    const created = await client.create(STORY_RUNS, "ns1", { metadata: { name: "run1" }, spec: {} });
    assert.equal((created["metadata"] as Record<string, unknown>)["name"], "run1");
    await client.mergePatch(STORY_RUNS, "ns1", "run1", { spec: { cancelRequested: true } });
    const got = await client.get(STORY_RUNS, "ns1", "run1");
    assert.deepEqual(got["spec"], { cancelRequested: true });
    const [post, patch, get] = server.requests;
    assert.equal(post!.path, "/apis/runs.bubustack.io/v1alpha1/namespaces/ns1/storyruns");
    assert.equal(post!.headers["content-type"], "application/json");
    assert.equal(patch!.path, "/apis/runs.bubustack.io/v1alpha1/namespaces/ns1/storyruns/run1");
    assert.equal(patch!.headers["content-type"], "application/merge-patch+json");
    assert.equal(patch!.body, '{"spec":{"cancelRequested":true}}');
    assert.equal(get!.headers["authorization"], "Bearer t0");
    assert.equal(get!.headers["user-agent"], "custom-ua");
    assert.equal(get!.headers["accept"], "application/json");
  });

  test("request() adds query parameters and returns undefined for an empty body", async () => {
    server.faults.push((req, res) => {
      res.writeHead(200);
      res.end("");
      return true;
    });
    const out = await clientFor(server).request("GET", "/apis/x", {
      query: { labelSelector: "a=b c", skip: undefined },
    });
    assert.equal(out, undefined);
    assert.equal(server.requests[0]!.path, "/apis/x?labelSelector=a%3Db+c");
  });

  test("409 AlreadyExists is recognisable", async () => {
    const client = clientFor(server);
    await client.create(STORY_RUNS, "ns1", { metadata: { name: "dup" } });
    await assert.rejects(client.create(STORY_RUNS, "ns1", { metadata: { name: "dup" } }), (err: unknown) =>
      isAlreadyExists(err),
    );
  });

  test("401 gives a clear unauthorized message", async () => {
    server.acceptedTokens = ["good"];
    await assert.rejects(clientFor(server, { token: "bad" }).get(STEP_RUNS, "ns1", "sr1"), (err: unknown) => {
      assert.ok(err instanceof KubernetesError);
      assert.equal(err.status, 401);
      assert.equal(err.reason, "Unauthorized");
      assert.equal(err.message, "unauthorized: the API server rejected the credentials (expired or invalid token?)");
      assert.equal(err.retryable, false);
      return true;
    });
  });

  test("403 keeps the API server's message and reason", async () => {
    server.faults.push((_req, res) => {
      status(
        res,
        403,
        "Forbidden",
        'engrams.bubustack.io "e" is forbidden: User "system:serviceaccount:ns1:runner" cannot get resource "engrams"',
      );
      return true;
    });
    await assert.rejects(clientFor(server).get(STEP_RUNS, "ns1", "x"), (err: unknown) => {
      assert.ok(err instanceof KubernetesError);
      assert.equal(err.status, 403);
      assert.equal(err.reason, "Forbidden");
      assert.match(err.message, /is forbidden: User "system:serviceaccount:ns1:runner" cannot get resource "engrams"/);
      return true;
    });
  });

  test("403 without a Status body still says forbidden", async () => {
    server.faults.push((_req, res) => {
      res.writeHead(403);
      res.end();
      return true;
    });
    await assert.rejects(
      clientFor(server).get(STEP_RUNS, "ns1", "x"),
      /^KubernetesError: forbidden: the API server refused GET/,
    );
  });

  test("non-Status error bodies are summarised; non-JSON success is a protocol error", async () => {
    server.faults.push((_req, res) => {
      res.writeHead(502, { "content-type": "text/html" });
      res.end("<html>bad gateway</html>");
      return true;
    });
    await assert.rejects(clientFor(server).get(STEP_RUNS, "ns1", "x"), /HTTP 502: <html>bad gateway<\/html>/);
    server.faults = [(_req, res) => (res.writeHead(200), res.end("not json"), true)];
    await assert.rejects(
      clientFor(server).get(STEP_RUNS, "ns1", "x"),
      (err: unknown) => err instanceof KubernetesError && err.kind === "protocol",
    );
  });

  test("per-request timeout → retryable timeout error", async () => {
    server.faults.push(() => true); // never answers
    const started = Date.now();
    await assert.rejects(clientFor(server, { timeoutMs: 150 }).get(STEP_RUNS, "ns1", "sr1"), (err: unknown) => {
      assert.ok(err instanceof KubernetesError);
      assert.equal(err.kind, "timeout");
      assert.equal(err.retryable, true);
      assert.match(err.message, /request timed out after 150ms \(BUBU_K8S_TIMEOUT\)/);
      return true;
    });
    assert.ok(Date.now() - started < 2000);
  });

  test("caller abort → canceled error", async () => {
    server.faults.push(() => true);
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 50);
    await assert.rejects(
      clientFor(server).get(STEP_RUNS, "ns1", "sr1", { signal: ctl.signal }),
      (err: unknown) =>
        err instanceof KubernetesError && err.kind === "canceled" && /context canceled$/.test(err.message),
    );
  });

  test("connection refused → retryable connection error naming the server", async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", () => r()));
    const port = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
    const client = clientFor(server, { server: `http://127.0.0.1:${port}` });
    await assert.rejects(client.get(STEP_RUNS, "ns1", "sr1"), (err: unknown) => {
      assert.ok(err instanceof KubernetesError);
      assert.equal(err.kind, "connection");
      assert.equal(err.code, "ECONNREFUSED");
      assert.equal(err.retryable, true);
      assert.match(
        err.message,
        new RegExp(`^cannot reach the Kubernetes API server at http://127\\.0\\.0\\.1:${port}: `),
      );
      return true;
    });
  });

  test("retryable classification follows the Go list", async () => {
    const cases: [number, string, boolean][] = [
      [429, "TooManyRequests", true],
      [504, "", true],
      [500, "ServerTimeout", true],
      [500, "InternalError", false],
      [503, "ServiceUnavailable", false],
      [409, "Conflict", false],
      [404, "NotFound", false],
    ];
    for (const [code, reason, retryable] of cases) {
      server.faults = [(_req, res) => (reason ? status(res, code, reason, "m") : json(res, code, {}), true)];
      const err = await clientFor(server)
        .get(STEP_RUNS, "ns1", "x")
        .catch((e: unknown) => e);
      assert.equal(isRetryableKubernetesError(err), retryable, `${code} ${reason}`);
    }
  });
});

describe("transport error mapping by code", () => {
  const ctx = {
    method: "GET",
    url: "https://10.0.0.1:6443/api",
    timedOut: false,
    timeoutMs: 1000,
    caSource: "/ca.crt",
  };
  test("Node (cause.code) and Bun (code) TLS verification codes → tls, not retryable", () => {
    const node = errorFromFetchFailure(
      new TypeError("fetch failed", {
        cause: Object.assign(new Error("self-signed certificate"), { code: "DEPTH_ZERO_SELF_SIGNED_CERT" }),
      }),
      ctx,
    );
    assert.equal(node.kind, "tls");
    assert.equal(node.retryable, false);
    assert.equal(
      node.message,
      "TLS certificate verification failed contacting https://10.0.0.1:6443 (trusted CA: /ca.crt): self-signed certificate",
    );
    const bun = errorFromFetchFailure(
      Object.assign(new TypeError("unable to verify the first certificate"), {
        code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
      }),
      ctx,
    );
    assert.equal(bun.kind, "tls");
  });
  test("Deno: errno in the message and rustls wording", () => {
    const refused = errorFromFetchFailure(
      new TypeError("fetch failed", {
        cause: new Error("client error (Connect): tcp connect error: Connection refused (os error 111)"),
      }),
      ctx,
    );
    assert.equal(refused.code, "ECONNREFUSED");
    assert.equal(refused.retryable, true);
    const tls = errorFromFetchFailure(
      new TypeError("fetch failed", {
        cause: new Error("client error (Connect): invalid peer certificate: UnknownIssuer"),
      }),
      ctx,
    );
    assert.equal(tls.kind, "tls");
  });
});

describe("token rotation", () => {
  test("refresh interval 0: the next request carries the rewritten token", async () => {
    const tokenFile = join(dir, "token");
    await writeFile(tokenFile, "tok-1\n");
    server.put(STEPRUN_PATH, { metadata: { name: "sr1" } });
    const client = clientFor(server, { tokenFile }, { tokenRefreshMs: 0 });
    await client.get(STEP_RUNS, "ns1", "sr1");
    await writeFile(tokenFile, "tok-2\n");
    await client.get(STEP_RUNS, "ns1", "sr1");
    assert.deepEqual(
      server.requests.map((r) => r.headers["authorization"]),
      ["Bearer tok-1", "Bearer tok-2"],
    );
  });

  test("default interval: a 401 re-reads the file and retries once with the new token", async () => {
    const tokenFile = join(dir, "token");
    await writeFile(tokenFile, "tok-1");
    server.put(STEPRUN_PATH, { metadata: { name: "sr1" } });
    server.acceptedTokens = ["tok-1"];
    const client = clientFor(server, { tokenFile });
    await client.get(STEP_RUNS, "ns1", "sr1");
    await writeFile(tokenFile, "tok-2");
    server.acceptedTokens = ["tok-2"]; // the old token was revoked
    const got = await client.get(STEP_RUNS, "ns1", "sr1");
    assert.equal((got["metadata"] as Record<string, unknown>)["name"], "sr1");
    assert.deepEqual(
      server.requests.map((r) => r.headers["authorization"]),
      ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2"],
    );
  });

  test("a 401 with an unchanged token file is reported, not looped", async () => {
    const tokenFile = join(dir, "token");
    await writeFile(tokenFile, "stale");
    server.acceptedTokens = ["other"];
    await assert.rejects(
      clientFor(server, { tokenFile }).get(STEP_RUNS, "ns1", "sr1"),
      /^KubernetesError: unauthorized/,
    );
    assert.equal(server.requests.length, 1);
  });

  test("an unreadable token file later keeps the last good token", async () => {
    const tokenFile = join(dir, "token");
    await writeFile(tokenFile, "tok-1");
    server.put(STEPRUN_PATH, { metadata: { name: "sr1" } });
    const client = clientFor(server, { tokenFile }, { tokenRefreshMs: 0 });
    await client.get(STEP_RUNS, "ns1", "sr1");
    await rm(tokenFile);
    await client.get(STEP_RUNS, "ns1", "sr1");
    assert.deepEqual(
      server.requests.map((r) => r.headers["authorization"]),
      ["Bearer tok-1", "Bearer tok-1"],
    );
  });
});
