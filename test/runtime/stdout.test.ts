import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { describe, test } from "node:test";
import { collect, fixture, REPO, RUNTIME_KEYS, RUNTIMES, type RuntimeKey } from "./helpers/bins.ts";

const MIB = 1024 * 1024;

// The child writes into a pipe whose reader starts 0.3 s late, so the 64 KiB pipe is full
// when the child calls exit. Prints the bytes received; pipefail keeps the child's code.
async function slowPipe(rt: RuntimeKey, mode: string): Promise<{ bytes: number; code: number | null }> {
  const child = spawn(
    "bash",
    ["-c", 'set -o pipefail; "$@" | { sleep 0.3; wc -c; }', "_", ...RUNTIMES[rt], fixture("stdout-child.ts"), mode],
    { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] },
  );
  const r = await collect(child);
  return { bytes: Number(r.stdout.trim()), code: r.code };
}

// Same with the pipe's write end set O_NONBLOCK before the child starts (python3).
const NONBLOCK_READER = `
import os, subprocess, sys, time
r, w = os.pipe()
os.set_blocking(w, False)
p = subprocess.Popen(sys.argv[1:], stdout=w)
os.close(w)
time.sleep(0.3)
n = 0
while True:
    c = os.read(r, 65536)
    if not c: break
    n += len(c)
print(n, p.wait())
`;

function hasPython(): boolean {
  try {
    execFileSync("python3", ["-c", "pass"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

describe("writeStdout then exit loses nothing on a full pipe", () => {
  for (const rt of RUNTIME_KEYS) {
    for (const mode of ["adapter", "after-console"]) {
      test(`${rt}: 1 MiB (${mode})`, async () => {
        assert.deepEqual(await slowPipe(rt, mode), { bytes: MIB + (mode === "after-console" ? 6 : 0), code: 0 });
      });
    }

    const python = hasPython();
    test(`${rt}: 1 MiB into a non-blocking pipe, no byte lost or doubled`, {
      skip: !python && process.env.CI !== "true" ? "python3 not installed" : false,
    }, async () => {
      const child = spawn("python3", ["-c", NONBLOCK_READER, ...RUNTIMES[rt], fixture("stdout-child.ts"), "adapter"], {
        cwd: REPO,
        stdio: ["ignore", "pipe", "pipe"],
      });
      const r = await collect(child);
      assert.equal(r.stdout.trim(), `${MIB} 0`, r.stderr);
    });
  }

  test("control: node's process.stdout.write then process.exit does lose bytes", async () => {
    const r = await slowPipe("node", "naive");
    assert.equal(r.code, 0);
    assert.ok(r.bytes < MIB, `expected a loss, got ${r.bytes} bytes`);
  });
});
