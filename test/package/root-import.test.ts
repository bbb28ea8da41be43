// `import "@bubustack/sdk"` (a plain batch engram) must not load gRPC, the generated stubs, the
// streaming session or YAML: they cost cold start and live behind their own entry points or lazy
// imports. Checked with Node's module resolve hook in a child process (the graph is the same on
// every runtime; Node is the one whose hook lists it).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { repoRoot, runScript } from "../support/spawn.ts";

test("the root entry point loads no gRPC, protobuf, streaming, YAML, JSON Schema, templating, storage backend code or Node built-in", async () => {
  const dir = mkdtempSync(join(tmpdir(), "bubu-root-import-"));
  try {
    const script = join(dir, "check.mjs");
    writeFileSync(script, `
      import { registerHooks } from "node:module";
      const seen = [];
      registerHooks({ resolve(spec, ctx, next) { const r = next(spec, ctx); seen.push(r.url); return r; } });
      await import(${JSON.stringify(pathToFileURL(resolve(repoRoot, "src/mod.ts")).href)});
      process.stdout.write(JSON.stringify([...new Set(seen)]));
    `);
    const r = await runScript(script, { runtime: "node", timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    const urls = JSON.parse(r.stdout) as string[];
    assert.ok(urls.some((u) => u.endsWith("/src/batch/start-batch.ts")), "the hook saw the graph");
    const heavy = urls.filter((u) => /@connectrpc|@bufbuild|\/src\/gen\/|\/src\/streaming\/|\/node_modules\/yaml\/|@cfworker|\/src\/templating\/|\/src\/storage\/(s3\/|manager)/.test(u));
    assert.deepEqual(heavy, []);
    // No Node built-in either: on Deno each one loads Deno's Node compatibility layer (the runtime
    // adapters reach built-ins through process.getBuiltinModule when first used), and node:http
    // alone is a large share of Node's and Bun's import time.
    assert.deepEqual(urls.filter((u) => u.startsWith("node:")), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
