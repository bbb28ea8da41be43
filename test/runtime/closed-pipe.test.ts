// A reader that went away (stderr or stdout closed) cannot change the exit code: a batch engram
// that times out with its stderr pipe closed still exits 124, one that succeeds with stdout
// closed still exits 0.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { test } from "node:test";
import { commandFor, currentRuntime, repoRoot } from "../support/spawn.ts";

const FIXTURE = resolve(repoRoot, "test/batch/fixtures/fixture-engram.ts");

function runWithClosed(
  stream: "stdout" | "stderr",
  inputs: string,
  env: Record<string, string>,
): Promise<number | null> {
  const [cmd, args] = commandFor(currentRuntime(), FIXTURE, ["--inputs", inputs]);
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/root", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    // Close our end at once: every write of the child to it fails with EPIPE.
    child[stream].destroy();
    child[stream === "stdout" ? "stderr" : "stdout"].resume();
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", fail);
    child.on("close", (code) => {
      clearTimeout(timer);
      done(code);
    });
  });
}

test("a timeout with stderr closed still exits 124", { timeout: 90_000 }, async () => {
  assert.equal(await runWithClosed("stderr", '{"mode":"hang"}', { BUBU_STEP_TIMEOUT: "300ms" }), 124);
});

test("a success with stdout closed still exits 0", { timeout: 90_000 }, async () => {
  assert.equal(await runWithClosed("stdout", '{"mode":"ok","value":"' + "x".repeat(100_000) + '"}', {}), 0);
});
