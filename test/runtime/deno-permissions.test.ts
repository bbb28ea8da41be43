// Deno without --allow-env: the error says which permissions the SDK needs, and the process
// fails (exit 1) instead of running with half its settings.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { test } from "node:test";
import { repoRoot } from "../support/spawn.ts";

test("deno run without permissions names the flags to pass", { timeout: 60_000 }, () => {
  const r = spawnSync(
    resolve(repoRoot, ".cache/runtimes/deno"),
    ["run", "examples/hello-batch/engram.ts", "--inputs", '{"name":"x"}'],
    {
      cwd: repoRoot,
      encoding: "utf8",
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: process.env.HOME ?? "/root",
        NO_COLOR: "1",
        DENO_NO_PROMPT: "1",
      },
    },
  );
  assert.equal(r.status, 1, r.stderr);
  assert.match(
    r.stderr,
    /Requires env access.*run with -A, or name the permissions \(--allow-env on a laptop; in a cluster also --allow-read and --allow-net\)/,
  );
});
