// `bun build --compile` of the example, with the README's flags (--bytecode --format=esm), gives one
// binary that behaves like `bun run` of the same file.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { repoRoot, runScript } from "../support/spawn.ts";

const bun = join(repoRoot, "node_modules/.bin/bun");
const outDir = join(repoRoot, ".cache/compile");

test("bun build --compile of hello-batch runs and prints the same output", { timeout: 180_000 }, async () => {
  mkdirSync(outDir, { recursive: true });
  const bin = join(outDir, `hello-batch-${process.pid}`);
  const build = spawnSync(
    bun,
    ["build", "--compile", "--bytecode", "--format=esm", "examples/hello-batch/engram.ts", "--outfile", bin],
    {
      cwd: repoRoot,
      encoding: "utf8",
    },
  );
  assert.equal(build.status, 0, build.stderr);
  assert.ok(statSync(bin).size > 1_000_000);
  const env = { PATH: "/usr/bin:/bin", HOME: "/nonexistent" };
  const compiled = spawnSync(bin, ["--inputs", '{"name":"binary","times":2}'], { encoding: "utf8", env });
  const interpreted = await runScript("examples/hello-batch/engram.ts", {
    runtime: "bun",
    args: ["--inputs", '{"name":"binary","times":2}'],
  });
  assert.equal(compiled.status, 0, compiled.stderr);
  assert.equal(compiled.stdout, interpreted.stdout);
  assert.deepEqual(JSON.parse(compiled.stdout), { message: "Hello, binary. Hello, binary.", length: 29 });
  const bad = spawnSync(bin, ["--inputs", '{"name":""}'], { encoding: "utf8", env });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /"type":"validation_error"/);
  spawnSync("rm", ["-f", bin]);
});
