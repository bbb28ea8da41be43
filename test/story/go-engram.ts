// The Go batch engram of the Story runner tests (go-hello/, bubu-sdk-go v0.1.5), built once into
// .cache/ and keyed by a hash of its sources. Without Go: the test skips locally and fails under
// CI=true.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import process from "node:process";
import { findGo } from "../interop/streaming/go-engram.ts";
import { repoRoot } from "../support/spawn.ts";

const DIR = resolve(repoRoot, "test/story/go-hello");

function binaryPath(): string {
  const h = createHash("sha256");
  for (const f of ["main.go", "go.mod", "go.sum"])
    h.update(`${f}\0`)
      .update(readFileSync(resolve(DIR, f)))
      .update("\0");
  return resolve(repoRoot, ".cache", `go-hello-${h.digest("hex").slice(0, 16)}`);
}

/** For a test's `skip` option. */
export function goHelloSkip(): string | false {
  if (existsSync(binaryPath()) || findGo() !== undefined || process.env.CI === "true") return false;
  return "Go toolchain not found (PATH, /usr/local/go/bin): the Go batch engram cannot be built";
}

/** Builds the Go engram if needed and returns its path. */
export async function goHelloBinary(): Promise<string> {
  const out = binaryPath();
  if (existsSync(out)) return out;
  const go = findGo();
  if (go === undefined)
    throw new Error("Go toolchain not found (PATH, /usr/local/go/bin): cannot build test/story/go-hello");
  mkdirSync(resolve(repoRoot, ".cache"), { recursive: true });
  const tmp = `${out}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    await new Promise<void>((ok, fail) => {
      execFile(
        go,
        ["build", "-o", tmp, "."],
        { cwd: DIR, timeout: 600_000, maxBuffer: 16 << 20 },
        (err, _o, stderr) => {
          if (err) fail(new Error(`go build (test/story/go-hello) failed: ${err.message}\n${stderr}`));
          else ok();
        },
      );
    });
    renameSync(tmp, out);
  } finally {
    rmSync(tmp, { force: true });
  }
  return out;
}
