// The Go probe engram (go-probe/, bubu-sdk-go v0.1.5) built once into .cache/, keyed by a hash of
// its sources (as test/interop/streaming/go-engram.ts does for the echo engram).
//   node test/e2e/go-probe.ts     builds it and prints the path
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { findGo } from "../interop/streaming/go-engram.ts";
import { repoRoot } from "../support/spawn.ts";

const DIR = resolve(repoRoot, "test/e2e/go-probe");

export function goProbePath(): string {
  const h = createHash("sha256");
  for (const f of ["main.go", "go.mod", "go.sum"]) h.update(`${f}\0`).update(readFileSync(join(DIR, f))).update("\0");
  return resolve(repoRoot, ".cache", `go-probe-${h.digest("hex").slice(0, 16)}`);
}

/** Builds the probe if its binary is missing and returns its path. */
export async function goProbeBinary(): Promise<string> {
  const out = goProbePath();
  if (existsSync(out)) return out;
  const go = findGo();
  if (go === undefined) throw new Error("Go toolchain not found (PATH, /usr/local/go/bin): cannot build test/e2e/go-probe");
  mkdirSync(resolve(repoRoot, ".cache"), { recursive: true });
  const tmp = `${out}.tmp-${process.pid}`;
  try {
    await new Promise<void>((ok, fail) => {
      execFile(go, ["build", "-o", tmp, "."], { cwd: DIR, timeout: 900_000, maxBuffer: 16 << 20 }, (err, _o, stderr) =>
        err ? fail(new Error(`go build (test/e2e/go-probe) failed: ${err.message}\n${stderr}`)) : ok());
    });
    renameSync(tmp, out);
  } finally {
    rmSync(tmp, { force: true });
  }
  return out;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(await goProbeBinary());
}
