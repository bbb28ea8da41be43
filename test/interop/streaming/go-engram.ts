// The Go echo engram (go-echo/, bubu-sdk-go v0.1.5) built once into .cache/, keyed by a hash of
// its sources so a stale binary is rebuilt. Safe when several test processes race: each builds to
// a temp name and renames it into place. Without Go: tests skip locally and fail under CI=true.
//   node test/interop/streaming/go-engram.ts     builds it (scripts/test.sh) and prints the path
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { repoRoot } from "../../support/spawn.ts";

/** The Go program's folder. */
export const GO_ECHO_DIR: string = resolve(repoRoot, "test/interop/streaming/go-echo");

const SOURCES = ["main.go", "go.mod", "go.sum"];

/** The `go` command: on PATH, else /usr/local/go/bin/go; undefined when neither exists. */
export function findGo(): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(delimiter).filter((d) => d !== ""), "/usr/local/go/bin"];
  for (const d of dirs) {
    const p = join(d, "go");
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** Where the binary for the current sources lives. */
export function goEchoPath(): string {
  const h = createHash("sha256");
  for (const f of SOURCES)
    h.update(`${f}\0`)
      .update(readFileSync(join(GO_ECHO_DIR, f)))
      .update("\0");
  return resolve(repoRoot, ".cache", `go-echo-${h.digest("hex").slice(0, 16)}`);
}

/**
 * For a test's `skip` option: a reason when neither Go nor a built binary is there and this is
 * not CI (under CI=true a missing toolchain must fail the test, never skip it).
 */
export function goEngramSkip(): string | false {
  if (existsSync(goEchoPath()) || findGo() !== undefined || process.env.CI === "true") return false;
  return "Go toolchain not found (PATH, /usr/local/go/bin): the Go reference engram cannot be built";
}

let building: Promise<string> | undefined;

/** Builds the Go echo engram if its binary is missing and returns its path. */
export function goEchoBinary(): Promise<string> {
  building ??= build().catch((err: unknown) => {
    building = undefined;
    throw err;
  });
  return building;
}

async function build(): Promise<string> {
  const out = goEchoPath();
  if (existsSync(out)) return out;
  const go = findGo();
  if (go === undefined) {
    throw new Error("Go toolchain not found (PATH, /usr/local/go/bin): cannot build test/interop/streaming/go-echo");
  }
  mkdirSync(resolve(repoRoot, ".cache"), { recursive: true });
  const tmp = `${out}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    await new Promise<void>((resolveBuild, reject) => {
      execFile(
        go,
        ["build", "-o", tmp, "."],
        { cwd: GO_ECHO_DIR, timeout: 600_000, maxBuffer: 16 << 20 },
        (err, _stdout, stderr) => {
          if (err) reject(new Error(`go build (test/interop/streaming/go-echo) failed: ${err.message}\n${stderr}`));
          else resolveBuild();
        },
      );
    });
    renameSync(tmp, out); // atomic: a racing build of the same sources writes the same bytes
  } finally {
    rmSync(tmp, { force: true });
  }
  // Binaries of older sources are dead weight (~30 MB each).
  const current = out.slice(out.lastIndexOf("/") + 1);
  for (const f of readdirSync(resolve(repoRoot, ".cache"))) {
    if (/^go-echo-[0-9a-f]{16}$/.test(f) && f !== current) rmSync(resolve(repoRoot, ".cache", f), { force: true });
  }
  return out;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(await goEchoBinary());
}
