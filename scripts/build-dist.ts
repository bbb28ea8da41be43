// Builds dist/, what Node imports from the npm package (the `default` condition of every
// package.json export): the declarations from tsc, and the JavaScript bundled by `bun build`, one
// file per entry point plus shared chunks (code shared by several entry points lives in one chunk,
// so a class is the same class whichever entry point it comes through; lazy imports stay lazy).
// Node's ES module loader costs a fixed amount per module: a batch engram that loaded 162 modules
// from a per-file build loads 36 from the bundle, and its start-up needs about 30 ms less CPU
// (bench/cluster-status.ts). Dependencies and Node built-ins stay imports.
// Usage: node scripts/build-dist.ts [outDir=dist]   (npm run build; needs bun: scripts/ensure-runtimes.sh)
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";

const repo = resolve(import.meta.dirname, "..");
const out = resolve(repo, process.argv[2] ?? "dist");
const bin = (name: string): string => join(repo, "node_modules/.bin", name);

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { cwd: repo, stdio: "inherit" });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited with ${r.status}`);
}

// The entry points' sources: deno.json's exports (JSR publishes the same subpaths as TypeScript).
const entries = Object.values(
  (JSON.parse(readFileSync(join(repo, "deno.json"), "utf8")) as { exports: Record<string, string> }).exports,
);

rmSync(out, { recursive: true, force: true });
run(bin("tsc"), ["-p", "tsconfig.build.json", "--emitDeclarationOnly", "--outDir", out]);
run(bin("bun"), [
  "build",
  ...entries,
  "--target=node",
  "--format=esm",
  "--splitting",
  "--packages=external",
  "--root=src",
  `--outdir=${out}`,
  "--chunk-naming=chunks/[name]-[hash].[ext]",
]);
