// Smoke test of the Kubernetes API peer (test/peers/k8s/start.sh): the real apiextensions-apiserver
// serves the BubuStack CRDs with client-certificate auth, status merge patches, schema validation and
// resourceVersion conflicts. node:https is used because it takes ca/cert/key the same way in Bun, Deno
// and Node.

import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { request } from "node:https";
import { test } from "node:test";
import { type K8sPeer, k8sPeerSkip, requireK8sPeer } from "../peers/k8s/peer.ts";

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

interface CallOptions {
  body?: unknown;
  contentType?: string;
  /** null: no client certificate; default: the peer's. */
  client?: { certPem: string; keyPem: string } | null;
}

/** One HTTPS request to the peer; no keep-alive so that nothing outlives the test. */
function call(peer: K8sPeer, method: string, path: string, opts: CallOptions = {}): Promise<Reply> {
  const client = opts.client === undefined ? peer : opts.client;
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = request(
      `${peer.url}${path}`,
      {
        method,
        agent: false,
        ca: peer.caPem,
        cert: client?.certPem,
        key: client?.keyPem,
        timeout: 10_000,
        headers: {
          accept: "application/json",
          ...(payload === undefined
            ? {}
            : {
                "content-type": opts.contentType ?? "application/json",
                "content-length": String(Buffer.byteLength(payload)),
              }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let body: Record<string, unknown> = {};
          try {
            body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
          } catch {
            body = { raw: text };
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${method} ${path}: timed out`)));
    req.on("error", reject);
    req.end(payload);
  });
}

const group = "/apis/runs.bubustack.io/v1alpha1";
const stepruns = `${group}/namespaces/default/stepruns`;
const skip = k8sPeerSkip();

function field(obj: unknown, ...keys: string[]): unknown {
  let cur: unknown = obj;
  for (const k of keys) cur = (cur as Record<string, unknown> | undefined)?.[k];
  return cur;
}

test("the peer serves runs.bubustack.io/v1alpha1 with stepruns and their status subresource", { skip }, async (t) => {
  const peer = requireK8sPeer(t);
  if (!peer) return;
  const r = await call(peer, "GET", group);
  assert.equal(r.status, 200);
  assert.equal(r.body.kind, "APIResourceList");
  const names = (r.body.resources as { name: string }[]).map((x) => x.name);
  assert.ok(names.includes("stepruns"), `stepruns missing from ${names.join(",")}`);
  assert.ok(names.includes("stepruns/status"));
  const list = await call(peer, "GET", `${stepruns}?limit=1`);
  assert.equal(list.status, 200);
  assert.equal(list.body.kind, "StepRunList");
});

test("StepRun: create, status merge patch, read back, stale resourceVersion is a 409", { skip }, async (t) => {
  const peer = requireK8sPeer(t);
  if (!peer) return;
  const name = `smoke-${randomBytes(4).toString("hex")}`;
  const created = await call(peer, "POST", stepruns, {
    body: {
      apiVersion: "runs.bubustack.io/v1alpha1",
      kind: "StepRun",
      metadata: { name },
      spec: { stepId: "smoke", storyRunRef: { name: "smoke-run" }, notInSchema: true },
    },
  });
  try {
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(field(created.body, "spec", "stepId"), "smoke");
    // The real schema prunes unknown fields and applies defaults.
    assert.equal(field(created.body, "spec", "notInSchema"), undefined);
    const staleRv = field(created.body, "metadata", "resourceVersion");
    assert.equal(typeof staleRv, "string");

    // The StepRun schema requires status.retries, so a status-less StepRun cannot take a phase-only
    // patch; in a cluster the controller writes the first status. Play the controller here.
    const early = await call(peer, "PATCH", `${stepruns}/${name}/status`, {
      contentType: "application/merge-patch+json",
      body: { status: { phase: "Running" } },
    });
    assert.equal(early.status, 422, JSON.stringify(early.body));
    assert.match(String(early.body.message), /status\.retries: Required value/);
    const init = await call(peer, "PATCH", `${stepruns}/${name}/status`, {
      contentType: "application/merge-patch+json",
      body: { status: { retries: 0 } },
    });
    assert.equal(init.status, 200, JSON.stringify(init.body));

    const patched = await call(peer, "PATCH", `${stepruns}/${name}/status`, {
      contentType: "application/merge-patch+json",
      body: { status: { phase: "Running" } },
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.equal(field(patched.body, "status", "phase"), "Running");
    assert.notEqual(field(patched.body, "metadata", "resourceVersion"), staleRv);

    const got = await call(peer, "GET", `${stepruns}/${name}`);
    assert.equal(got.status, 200);
    assert.equal(field(got.body, "status", "phase"), "Running");
    assert.equal(field(got.body, "spec", "storyRunRef", "name"), "smoke-run");

    const stale = await call(peer, "PATCH", `${stepruns}/${name}/status`, {
      contentType: "application/merge-patch+json",
      body: { metadata: { resourceVersion: staleRv }, status: { phase: "Succeeded" } },
    });
    assert.equal(stale.status, 409, JSON.stringify(stale.body));
    assert.equal(stale.body.kind, "Status");
    assert.equal(stale.body.reason, "Conflict");

    const after = await call(peer, "GET", `${stepruns}/${name}`);
    assert.equal(field(after.body, "status", "phase"), "Running", "a rejected patch must not apply");
  } finally {
    if (created.status === 201) await call(peer, "DELETE", `${stepruns}/${name}`);
  }
});

test("StepRun: the CRD schema rejects bad input", { skip }, async (t) => {
  const peer = requireK8sPeer(t);
  if (!peer) return;
  // spec.stepId is required.
  const noStep = await call(peer, "POST", stepruns, {
    body: {
      apiVersion: "runs.bubustack.io/v1alpha1",
      kind: "StepRun",
      metadata: { name: `smoke-bad-${randomBytes(4).toString("hex")}` },
      spec: { storyRunRef: { name: "smoke-run" } },
    },
  });
  assert.equal(noStep.status, 422, JSON.stringify(noStep.body));
  assert.equal(noStep.body.reason, "Invalid");

  const name = `smoke-${randomBytes(4).toString("hex")}`;
  const created = await call(peer, "POST", stepruns, {
    body: {
      apiVersion: "runs.bubustack.io/v1alpha1",
      kind: "StepRun",
      metadata: { name },
      spec: { stepId: "smoke", storyRunRef: { name: "smoke-run" } },
    },
  });
  try {
    assert.equal(created.status, 201);
    const init = await call(peer, "PATCH", `${stepruns}/${name}/status`, {
      contentType: "application/merge-patch+json",
      body: { status: { retries: 0 } },
    });
    assert.equal(init.status, 200, JSON.stringify(init.body));
    // status.phase is an enum; status.output must be an object.
    const badPhase = await call(peer, "PATCH", `${stepruns}/${name}/status`, {
      contentType: "application/merge-patch+json",
      body: { status: { phase: "Bogus" } },
    });
    assert.equal(badPhase.status, 422, JSON.stringify(badPhase.body));
    const badOutput = await call(peer, "PATCH", `${stepruns}/${name}/status`, {
      contentType: "application/merge-patch+json",
      body: { status: { output: "not an object" } },
    });
    assert.equal(badOutput.status, 422, JSON.stringify(badOutput.body));
  } finally {
    if (created.status === 201) await call(peer, "DELETE", `${stepruns}/${name}`);
  }
});

/** Opens a watch and resolves with the first event whose object has the given name. */
function watchFor(
  peer: K8sPeer,
  path: string,
  name: string,
): { ready: Promise<void>; event: Promise<Record<string, unknown>> } {
  let onReady: () => void = () => {};
  const ready = new Promise<void>((r) => (onReady = r));
  const event = new Promise<Record<string, unknown>>((resolve, reject) => {
    const req = request(
      `${peer.url}${path}`,
      {
        agent: false,
        ca: peer.caPem,
        cert: peer.certPem,
        key: peer.keyPem,
        timeout: 15_000,
        headers: { accept: "application/json" },
      },
      (res) => {
        if (res.statusCode !== 200) {
          req.destroy();
          reject(new Error(`watch: HTTP ${res.statusCode}`));
          return;
        }
        onReady();
        let buf = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          buf += chunk;
          let nl: number;
          while ((nl = buf.indexOf("\n")) >= 0) {
            const ev = JSON.parse(buf.slice(0, nl)) as Record<string, unknown>;
            buf = buf.slice(nl + 1);
            if (field(ev, "object", "metadata", "name") === name) {
              resolve(ev);
              req.destroy();
              return;
            }
          }
        });
        res.on("end", () => reject(new Error("watch ended without the event")));
        res.on("error", () => {});
      },
    );
    req.on("timeout", () => req.destroy(new Error("watch timed out")));
    req.on("error", (err) => reject(err));
    req.end();
  });
  return { ready, event };
}

test("watch streams an ADDED event from the resourceVersion of a list (etcd 3.4 under the v0.36 apiserver)", {
  skip,
}, async (t) => {
  const peer = requireK8sPeer(t);
  if (!peer) return;
  const list = await call(peer, "GET", stepruns);
  assert.equal(list.status, 200);
  const rv = field(list.body, "metadata", "resourceVersion");
  const name = `smoke-${randomBytes(4).toString("hex")}`;
  const w = watchFor(peer, `${stepruns}?watch=true&resourceVersion=${rv}&timeoutSeconds=10`, name);
  await w.ready;
  const created = await call(peer, "POST", stepruns, {
    body: {
      apiVersion: "runs.bubustack.io/v1alpha1",
      kind: "StepRun",
      metadata: { name },
      spec: { stepId: "w", storyRunRef: { name: "r" } },
    },
  });
  try {
    assert.equal(created.status, 201);
    const ev = await w.event;
    assert.equal(ev.type, "ADDED");
    assert.equal(
      field(ev, "object", "metadata", "resourceVersion"),
      field(created.body, "metadata", "resourceVersion"),
    );
  } finally {
    if (created.status === 201) await call(peer, "DELETE", `${stepruns}/${name}`);
  }
});

test("a request without a client certificate is rejected", { skip }, async (t) => {
  const peer = requireK8sPeer(t);
  if (!peer) return;
  const r = await call(peer, "GET", stepruns, { client: null });
  // Anonymous requests reach the delegated authorizer, whose webhook address is a dummy: the peer
  // answers 500 with a plain-text body (not 403). Either way nothing is served.
  assert.ok([401, 403, 500].includes(r.status), `expected 401/403/500, got ${r.status}`);
  assert.notEqual(r.body.kind, "StepRunList");
  assert.equal(r.body.items, undefined);
});

test("a system:masters certificate from a foreign CA is rejected with 401", { skip }, async (t) => {
  const peer = requireK8sPeer(t);
  if (!peer) return;
  const dir = new URL("./fixtures/", import.meta.url);
  const foreign = {
    certPem: readFileSync(new URL("foreign-client.crt", dir), "utf8"),
    keyPem: readFileSync(new URL("foreign-client.key", dir), "utf8"),
  };
  const r = await call(peer, "GET", stepruns, { client: foreign });
  assert.equal(r.status, 401, JSON.stringify(r.body));
  // The same request with the peer's own certificate is allowed.
  assert.equal((await call(peer, "GET", stepruns)).status, 200);
});
