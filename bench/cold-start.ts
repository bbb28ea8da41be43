// Cold start per runtime: wall time from spawning the process to `process()` being entered, and
// from spawn to exit; plus a `bun build --compile` binary against `bun run` of the same file.
// Run: node bench/cold-start.ts [runs=10]   (uses the runtimes installed in node_modules)
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { median } from "./support.ts";

const root = resolve(import.meta.dirname, "..");
const runs = Number(process.argv[2] ?? 10);
const bin = {
  node: join(root, ".cache/node/node_modules/.bin/node"),
  bun: join(root, "node_modules/.bin/bun"),
  deno: join(root, ".cache/runtimes/deno"),
};
const env = { PATH: "/usr/bin:/bin", HOME: process.env.HOME ?? "/root" };

function measure(cmd: string, args: string[]): { toProcess: number; toExit: number } {
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, env, encoding: "utf8" });
  const toExit = Date.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr}`);
  return { toProcess: JSON.parse(r.stdout).processAt - t0, toExit };
}

function series(label: string, cmd: string, args: string[]): void {
  measure(cmd, args); // warm the file cache
  const results = Array.from({ length: runs }, () => measure(cmd, args));
  const tp = median(results.map((r) => r.toProcess));
  const te = median(results.map((r) => r.toExit));
  console.log(
    `${label.padEnd(28)} start→process() ${String(tp).padStart(5)} ms   start→exit ${String(te).padStart(5)} ms   (median of ${runs})`,
  );
}

const engram = "bench/fixtures/cold-start-engram.ts";
series("node (type stripping)", bin.node, [engram]);
series("bun run", bin.bun, ["run", engram]);
series("deno run", bin.deno, ["run", "-A", engram]);

const outDir = join(root, ".cache/bench");
mkdirSync(outDir, { recursive: true });
const exe = join(outDir, "cold-start-engram");
const build = spawnSync(bin.bun, ["build", "--compile", engram, "--outfile", exe], { cwd: root, encoding: "utf8" });
if (build.status !== 0) throw new Error(build.stderr);
console.log(`compiled binary size: ${(statSync(exe).size / 1024 / 1024).toFixed(1)} MiB`);
series("bun build --compile binary", exe, []);
rmSync(exe, { force: true });
