// bubu build's compile script (bun build --compile --bytecode --format=esm through Bun.build): an
// optional package named missing becomes a stub, so the binary starts and the dynamic import that
// reaches it rejects with what to install; bubu build runs the script from a temporary file, so
// it works from the bundled dist/ too. The binary starts the file's exported component once, as
// bubu run does, whether or not the file starts it itself.

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

// A component (as bubu run finds it) whose handler imports the lazy module; `self` adds the
// scaffold's own start under import.meta.main, and a line per load and per run on stderr.
function component(self: boolean): string {
  return `import { defineBatch, start } from ${JSON.stringify(join(repoRoot, "src/mod.ts"))};
console.error("module loaded");
export const probe = defineBatch({
  async process(_ctx, inputs) {
    console.error("process ran");
    let missing = "";
    try {
      missing = (await import("./lazy.ts")).client;
    } catch (err) {
      missing = err instanceof Error ? err.message : String(err);
    }
    return { answer: 42, missing, inputs };
  },
});
${self ? "if (import.meta.main) await start(probe);\n" : ""}`;
}

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

test("bubu build: the binary starts the exported component once, with or without its own start", {
  timeout: 300_000,
}, async () => {
  const dir = scratch();
  const before = new Set(readdirSync(tmpdir()).filter((f) => f.startsWith("bubu-build-")));
  try {
    writeFileSync(join(dir, "lazy.ts"), LAZY);
    writeFileSync(join(dir, "nomain.ts"), component(false));
    writeFileSync(join(dir, "selfmain.ts"), component(true));
    for (const [file, debug] of [
      ["nomain.ts", false],
      ["selfmain.ts", true],
    ] as const) {
      const lines: string[] = [];
      const out = `out/${file.replace(".ts", "")}`;
      const r = await buildCommand(parseArgs([file, "--outfile", out], BUILD_FLAGS), dir, (l) => void lines.push(l), {
        debug,
      });
      assert.equal(r.tool, "bun");
      assert.ok(existsSync(join(dir, out)));
      // One line says what is built from what; the compiler's command line only with debug.
      assert.equal(lines[0], `building ${out} from ${file} (export probe) with bun build --compile\n`);
      assert.equal(
        lines.some((l) => l.includes("bun-compile.mjs")),
        debug,
        lines.join(""),
      );
      assert.match(lines.at(-1)!, /^built out\/\w+ \(\d+\.\d MiB\)\n$/);
      const run = spawnSync(join(dir, out), ["--inputs", '{"n":1}'], {
        cwd: tmpdir(),
        encoding: "utf8",
        env: { PATH: "/usr/bin:/bin" },
      });
      assert.equal(run.status, 0, run.stderr);
      // In this repository @connectrpc/connect is installed: no stub, the import is the package.
      assert.deepEqual(JSON.parse(run.stdout), { answer: 42, missing: "function", inputs: { n: 1 } });
      assert.equal(count(run.stderr, "module loaded"), 1, run.stderr);
      assert.equal(count(run.stderr, "process ran"), 1, run.stderr);
    }
    const left = readdirSync(tmpdir()).filter((f) => f.startsWith("bubu-build-") && !before.has(f));
    assert.deepEqual(left, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("bubu build: a file without a component is refused before compiling", { timeout: 60_000 }, async () => {
  const dir = scratch();
  try {
    writeFileSync(join(dir, "script.ts"), "export const answer = 42;\n");
    const lines: string[] = [];
    await assert.rejects(
      buildCommand(parseArgs(["script.ts"], BUILD_FLAGS), dir, (l) => void lines.push(l)),
      (err: Error) => err.name === "UsageError" && /the module exports no component/.test(err.message),
    );
    assert.deepEqual(lines, []);
    assert.equal(existsSync(join(dir, "dist")), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
