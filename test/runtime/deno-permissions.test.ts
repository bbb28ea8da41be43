// Deno without --allow-env: the error says which permissions the SDK needs, in one line without a
// stack, and the process fails (exit 1) instead of running with half its settings. Without
// --allow-read, an --inputs file gets the same kind of hint.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { test } from "node:test";
import { repoRoot } from "../support/spawn.ts";

function denoRun(args: readonly string[]) {
  return spawnSync(resolve(repoRoot, ".cache/runtimes/deno"), ["run", ...args], {
    cwd: repoRoot,
    encoding: "utf8",
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/root",
      NO_COLOR: "1",
      DENO_NO_PROMPT: "1",
    },
  });
}

test("deno run without permissions names the flags to pass", { timeout: 60_000 }, () => {
  const r = denoRun(["examples/hello-batch/engram.ts", "--inputs", '{"name":"x"}']);
  assert.equal(r.status, 1, r.stderr);
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `one line, no stack:\n${r.stderr}`);
  const line = JSON.parse(lines[0]!) as { level: string; msg: string; error: string };
  assert.equal(line.level, "ERROR");
  assert.equal(line.msg, "cannot read the environment");
  assert.match(
    line.error,
    /^Requires env access.*run with -A, or name the permissions \(--allow-env on a laptop; in a cluster also --allow-read and --allow-net\)$/,
  );
});

test("deno run --allow-env with an --inputs file names --allow-read", { timeout: 60_000 }, () => {
  const r = denoRun(["--allow-env", "examples/hello-batch/engram.ts", "--inputs", "examples/hello-batch/Engram.yaml"]);
  assert.equal(r.status, 2, r.stderr);
  const error = JSON.parse(r.stderr.split("\n")[0]!) as { message: string };
  assert.equal(
    error.message,
    '--inputs: cannot read file "examples/hello-batch/Engram.yaml" (NotCapable): run with --allow-read (or -A) to let the SDK read it',
  );
});
