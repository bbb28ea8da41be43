import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import process from "node:process";
import { describe, test } from "node:test";
import { collect, fixture, REPO, RUNTIME_KEYS, RUNTIMES } from "./helpers/bins.ts";

function start(rt: keyof typeof RUNTIMES, mode: string) {
  const [bin, ...pre] = RUNTIMES[rt];
  const child = spawn(bin!, [...pre, fixture("signal-child.ts"), mode], {
    cwd: REPO,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const done = collect(child);
  const ready = new Promise<void>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`${rt}: no "ready" within 15 s`)), 15_000);
    child.stdout!.on("data", (d: Buffer | string) => {
      out += String(d);
      if (out.includes("ready\n")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on("close", () => clearTimeout(timer));
  });
  return { child, done, ready };
}

describe("onSignal in a child process", () => {
  for (const rt of RUNTIME_KEYS) {
    test(`${rt}: SIGTERM runs async cleanup, then exit 143`, async () => {
      const { child, done, ready } = start(rt, "handle");
      await ready;
      // Not child.kill(): in Deno 2.9.6 it makes "close" report (null, "SIGTERM") even when the
      // child handled the signal and exited 143 itself.
      process.kill(child.pid!, "SIGTERM");
      const r = await done;
      assert.equal(r.stdout, "ready\ngot SIGTERM\ncleaned\n", r.stderr);
      assert.equal(r.code, 143);
      assert.equal(r.signal, null);
    });

    test(`${rt}: after unsubscribe, SIGTERM terminates by default`, async () => {
      const { child, done, ready } = start(rt, "unsubscribed");
      await ready;
      // Not child.kill(): in Deno 2.9.6 it makes "close" report (null, "SIGTERM") even when the
      // child handled the signal and exited 143 itself.
      process.kill(child.pid!, "SIGTERM");
      const r = await done;
      assert.equal(r.stdout, "ready\n", r.stderr);
      assert.equal(r.signal, "SIGTERM");
    });
  }
});
