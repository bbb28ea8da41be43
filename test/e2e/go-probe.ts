// The Go engrams of the e2e tests (bubu-sdk-go v0.1.5), each built once into .cache/, keyed by a
// hash of its sources (as test/interop/streaming/go-engram.ts does for the echo engram):
//   go-probe/   the retry probe (probe-run.ts)
//   go-engram/  the mode-by-mode twin of engrams/e2e-engram.ts (parity and mixed Stories)
//   node test/e2e/go-probe.ts [go-probe|go-engram]     builds it and prints the path
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { findGo } from "../interop/streaming/go-engram.ts";
import { repoRoot } from "../support/spawn.ts";

export type GoProgram = "go-probe" | "go-engram";

export function goProgramPath(program: GoProgram = "go-probe"): string {
  const dir = resolve(repoRoot, "test/e2e", program);
  const h = createHash("sha256");
  for (const f of ["main.go", "go.mod", "go.sum"])
    h.update(`${f}\0`)
      .update(readFileSync(join(dir, f)))
      .update("\0");
  return resolve(repoRoot, ".cache", `${program}-${h.digest("hex").slice(0, 16)}`);
}

/** Builds the program if its binary is missing and returns its path. */
export async function goProgramBinary(program: GoProgram = "go-probe"): Promise<string> {
  const out = goProgramPath(program);
  if (existsSync(out)) return out;
  const go = findGo();
  if (go === undefined)
    throw new Error(`Go toolchain not found (PATH, /usr/local/go/bin): cannot build test/e2e/${program}`);
  mkdirSync(resolve(repoRoot, ".cache"), { recursive: true });
  const tmp = `${out}.tmp-${process.pid}`;
  try {
    await new Promise<void>((ok, fail) => {
      execFile(
        go,
        ["build", "-o", tmp, "."],
        { cwd: resolve(repoRoot, "test/e2e", program), timeout: 900_000, maxBuffer: 16 << 20 },
        (err, _o, stderr) =>
          err ? fail(new Error(`go build (test/e2e/${program}) failed: ${err.message}\n${stderr}`)) : ok(),
      );
    });
    renameSync(tmp, out);
  } finally {
    rmSync(tmp, { force: true });
  }
  return out;
}

/** The retry probe. */
export function goProbePath(): string {
  return goProgramPath("go-probe");
}

export function goProbeBinary(): Promise<string> {
  return goProgramBinary("go-probe");
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const program = (process.argv[2] ?? "go-probe") as GoProgram;
  if (program !== "go-probe" && program !== "go-engram") throw new Error(`unknown program ${program}`);
  console.log(await goProgramBinary(program));
}
