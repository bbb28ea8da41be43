// `import "@bubustack/sdk"` (a plain batch engram) must not load gRPC, the generated stubs, the
// streaming session, YAML, the OpenTelemetry API or Node built-ins: they cost cold start and live
// behind their own entry points or lazy imports. A whole cluster batch run (status written, the
// EngramTemplate lookup forbidden as by the operator's RBAC, no OpenTelemetry registered) must not
// load them either, nor a JSON Schema validator, a storage backend or the template engine.
// Checked with Node's module resolve hook in a child process (the graph is the same on every
// runtime; Node is the one whose hook lists it).

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { FakeApiServer, STEPRUN_PATH, status } from "../k8s/fake-apiserver.ts";
import { repoRoot, runScript } from "../support/spawn.ts";

/** A script that records every module the code after `body` resolves, and prints the list. */
function hookScript(body: string): string {
  return `
    import { registerHooks } from "node:module";
    const seen = [];
    registerHooks({ resolve(spec, ctx, next) { const r = next(spec, ctx); seen.push(r.url); return r; } });
    ${body}
    process.stdout.write(JSON.stringify([...new Set(seen)]));
  `;
}

const SDK = JSON.stringify(pathToFileURL(resolve(repoRoot, "src/mod.ts")).href);
const OTEL = /@opentelemetry\//;

test("the root entry point loads no gRPC, protobuf, streaming, YAML, JSON Schema, templating, storage backend, OpenTelemetry API or Node built-in", async () => {
  const dir = mkdtempSync(join(tmpdir(), "bubu-root-import-"));
  try {
    const script = join(dir, "check.mjs");
    writeFileSync(script, hookScript(`await import(${SDK});`));
    const r = await runScript(script, { runtime: "node", timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    const urls = JSON.parse(r.stdout) as string[];
    assert.ok(
      urls.some((u) => u.endsWith("/src/batch/start-batch.ts")),
      "the hook saw the graph",
    );
    const heavy = urls.filter((u) =>
      /@connectrpc|@bufbuild|\/src\/gen\/|\/src\/streaming\/|\/node_modules\/yaml\/|@cfworker|\/src\/templating\/|\/src\/storage\/(s3\/|manager)/.test(
        u,
      ),
    );
    assert.deepEqual(heavy, []);
    // Without a registered provider every span and measurement would be a no-op (otel-gate.ts).
    assert.deepEqual(
      urls.filter((u) => OTEL.test(u)),
      [],
    );
    // No Node built-in either: on Deno each one loads Deno's Node compatibility layer (the runtime
    // adapters reach built-ins through process.getBuiltinModule when first used), and node:http
    // alone is a large share of Node's and Bun's import time.
    assert.deepEqual(
      urls.filter((u) => u.startsWith("node:")),
      [],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a cluster batch run (schema lookup forbidden, no OpenTelemetry) loads no validator, storage backend, templating, streaming or OpenTelemetry API", async () => {
  const dir = mkdtempSync(join(tmpdir(), "bubu-run-import-"));
  const server = await new FakeApiServer().start();
  try {
    server.put(STEPRUN_PATH, {
      metadata: { name: "sr1" },
      spec: { stepId: "s" },
      status: { phase: "Running", retries: 0 },
    });
    // The operator's engram-runner Role does not grant Engram reads.
    server.faults.push(
      (req, res) => req.path.includes("/engrams/") && (status(res, 403, "Forbidden", "forbidden"), true),
    );
    // A kubeconfig, because a test cannot mount the in-cluster files (it loads the YAML parser).
    const kubeconfig = join(dir, "kubeconfig.json");
    writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "c", cluster: { server: server.url } }],
        users: [{ name: "u", user: { token: "t" } }],
        contexts: [{ name: "x", context: { cluster: "c", user: "u", namespace: "ns1" } }],
        "current-context": "x",
      }),
    );
    const script = join(dir, "run.mjs");
    writeFileSync(
      script,
      hookScript(`
      const { defineBatch, start } = await import(${SDK});
      const out = await start(defineBatch({ process: (ctx, inputs) => ({ echoed: inputs }) }), { exit: false });
      if (out.exitCode !== 0) throw new Error("exit " + out.exitCode + ": " + String(out.error));
    `),
    );
    const r = await runScript(script, {
      runtime: "node",
      timeoutMs: 60_000,
      env: {
        KUBECONFIG: kubeconfig,
        BUBU_STEPRUN_NAME: "sr1",
        BUBU_STEPRUN_NAMESPACE: "ns1",
        BUBU_ENGRAM_NAME: "eng",
        BUBU_TRIGGER_DATA: '{"a":1}',
      },
    });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const urls = JSON.parse(r.stdout.split("\n").at(-1)!) as string[]; // after the run's log lines
    assert.ok(
      urls.some((u) => u.endsWith("/src/k8s/client.ts")),
      "the run used the Kubernetes client",
    );
    const patched = server.calls("PATCH", "/status").map((c) => JSON.parse(c.body) as { status: { phase?: string } });
    assert.equal(
      patched.at(-1)?.status.phase,
      "Succeeded",
      JSON.stringify(server.requests.map((q) => `${q.method} ${q.path}`)),
    );
    const heavy = urls.filter(
      (u) =>
        /@connectrpc|@bufbuild|\/src\/gen\/|\/src\/streaming\/|@cfworker|\/src\/schema\/validate|\/src\/templating\/|\/src\/storage\/(s3\/|file-store)/.test(
          u,
        ) || OTEL.test(u),
    );
    assert.deepEqual(heavy, []);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
