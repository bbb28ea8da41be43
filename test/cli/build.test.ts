// bubu build's compile script (bun build --compile --bytecode --format=esm through Bun.build): an
// optional package named missing becomes a stub, so the binary starts and the dynamic import that
// reaches it rejects with what to install; bubu build runs the script from a temporary file, so
// it works from the bundled dist/ too.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { parseArgs } from "../../src/cli/args.ts";
import { BUILD_FLAGS, buildCommand, findBun } from "../../src/cli/build-command.ts";
import { BUN_COMPILE_SCRIPT } from "../../src/cli/bun-compile.ts";
import { repoRoot } from "../support/spawn.ts";

// The SDK's shape: a module loaded on demand imports the optional package statically.
const LAZY = `import { createClient } from "@connectrpc/connect";
export const client = typeof createClient;
`;
const ENTRY = `const answer = await Promise.resolve(42);
let missing = "";
try {
  const lazy = await import("./lazy.ts");
  missing = lazy.client;
} catch (err) {
  missing = err instanceof Error ? err.message : String(err);
}
console.log(JSON.stringify({ answer, missing }));
`;

function scratch(): string {
  mkdirSync(join(repoRoot, ".cache"), { recursive: true });
  return mkdtempSync(join(repoRoot, ".cache/cli-build-"));
}

test("the compile script: the binary starts without a missing optional package, its import says what to install", {
  timeout: 180_000,
}, () => {
  const bun = findBun(repoRoot);
  assert.ok(bun, "bun is a devDependency");
  const dir = scratch();
  try {
    writeFileSync(join(dir, "entry.ts"), ENTRY);
    writeFileSync(join(dir, "lazy.ts"), LAZY);
    writeFileSync(join(dir, "compile.mjs"), BUN_COMPILE_SCRIPT);
    const bin = join(dir, "entry-bin");
    const r = spawnSync(bun, [join(dir, "compile.mjs"), join(dir, "entry.ts"), bin, "@connectrpc/connect"], {
      cwd: dir,
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
    const run = spawnSync(bin, [], { cwd: tmpdir(), encoding: "utf8", env: { PATH: "/usr/bin:/bin" } });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), {
      answer: 42,
      missing:
        "@connectrpc/connect is not installed: this feature of @bubustack/sdk needs it (npm install @connectrpc/connect, then build again)",
    });
    const usage = spawnSync(bun, [join(dir, "compile.mjs")], { encoding: "utf8" });
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /^usage: bun <script> <entry> <outfile>/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("bubu build: the binary runs; the temporary script is removed", { timeout: 180_000 }, () => {
  const dir = scratch();
  const before = new Set(readdirSync(tmpdir()).filter((f) => f.startsWith("bubu-build-")));
  try {
    writeFileSync(join(dir, "entry.ts"), ENTRY);
    writeFileSync(join(dir, "lazy.ts"), LAZY);
    const lines: string[] = [];
    const r = buildCommand(
      parseArgs(["entry.ts", "--outfile", "out/entry"], BUILD_FLAGS),
      dir,
      (l) => void lines.push(l),
    );
    assert.equal(r.tool, "bun");
    assert.ok(existsSync(join(dir, "out/entry")));
    assert.match(lines.at(-1)!, /^built .*out\/entry \(\d+\.\d MiB\)\n$/);
    // In this repository @connectrpc/connect is installed: no stub, the import is the package.
    const run = spawnSync(join(dir, "out/entry"), [], {
      cwd: tmpdir(),
      encoding: "utf8",
      env: { PATH: "/usr/bin:/bin" },
    });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), { answer: 42, missing: "function" });
    const left = readdirSync(tmpdir()).filter((f) => f.startsWith("bubu-build-") && !before.has(f));
    assert.deepEqual(left, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
