// Builds dist/, what Node imports from the npm package (the `default` condition of every
// package.json export): the declarations from tsc, and the JavaScript bundled by `bun build`, one
// file per entry point plus shared chunks (code shared by several entry points lives in one chunk,
// so a class is the same class whichever entry point it comes through; lazy imports stay lazy).
// Node's ES module loader costs a fixed amount per module (about 0.45 ms of CPU each on the bench
// machine, whatever its size), and bun's splitting cuts the root entry's code into one chunk per
// set of entry points that share it: a batch engram loaded 43 modules at import and 56 by its
// status patch. So rollup then joins bun's chunks again: everything the root entry imports
// statically is one chunk ("core"), and everything the batch run in a cluster loads lazily (its
// Kubernetes client, storage, status writer) is another ("cluster"). Other entry points import
// what they share from those two. Dependencies and Node built-ins stay imports.
// Usage: node scripts/build-dist.ts [outDir=dist]   (npm run build; needs bun: scripts/ensure-runtimes.sh)
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type GetModuleInfo, rollup } from "rollup";

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
/** `./src/k8s/mod.ts` → `k8s/mod`: the entry's path in dist/ without `.js`. */
const entryName = (src: string): string => src.replace(/^\.\/src\//, "").replace(/\.ts$/, "");

/**
 * The modules the "cluster" chunk starts from (bun names a dynamic import's chunk after its file):
 * what a batch run in a pod imports lazily before its status patch.
 */
const CLUSTER_LAZY = ["create-client", "storage-services", "cluster-services", "emit"];

rmSync(out, { recursive: true, force: true });
run(bin("tsc"), ["-p", "tsconfig.build.json", "--emitDeclarationOnly", "--outDir", out]);
const split = mkdtempSync(join(tmpdir(), "bubu-build-dist-"));
try {
  run(bin("bun"), [
    "build",
    ...entries,
    "--target=node",
    "--format=esm",
    "--splitting",
    "--packages=external",
    "--root=src",
    `--outdir=${split}`,
    "--chunk-naming=chunks/[name]-[hash].[ext]",
  ]);
  const input = Object.fromEntries(entries.map((e) => [entryName(e), join(split, `${entryName(e)}.js`)]));
  const bundle = await rollup({
    input,
    // Packages and node: built-ins; the chunks are all relative.
    external: (id) => !id.startsWith(".") && !id.startsWith("/"),
    // Each entry keeps exactly its exports; bun has already dropped unused code.
    preserveEntrySignatures: "strict",
    treeshake: false,
    onwarn(warning, warn) {
      // Bun leaves a few imports of names it inlined; harmless.
      if (warning.code !== "UNUSED_EXTERNAL_IMPORT") warn(warning);
    },
  });
  let groups: Map<string, string> | undefined;
  await bundle.write({
    dir: out,
    format: "es",
    entryFileNames: "[name].js",
    // Bun's hash is in the name already; one is enough.
    chunkFileNames: (c) => `chunks/${c.name.replace(/-[a-z0-9]{8}$/, "")}-[hash].js`,
    manualChunks(id, { getModuleInfo }) {
      groups ??= chunkGroups(input["mod"]!, getModuleInfo);
      return groups.get(id);
    },
  });
  await bundle.close();
} finally {
  rmSync(split, { recursive: true, force: true });
}

/** Which bun chunk goes into "core" and which into "cluster" (the rest stay as bun made them). */
function chunkGroups(root: string, info: GetModuleInfo): Map<string, string> {
  const closure = (from: readonly string[], skip: ReadonlyMap<string, string>): Set<string> => {
    const seen = new Set<string>();
    const todo = [...from];
    while (todo.length > 0) {
      const id = todo.pop()!;
      if (seen.has(id) || skip.has(id)) continue;
      seen.add(id);
      for (const dep of info(id)?.importedIds ?? []) if (dep.startsWith("/")) todo.push(dep);
    }
    return seen;
  };
  const groups = new Map<string, string>();
  for (const id of closure([root], groups)) if (id !== root) groups.set(id, "core");
  // The lazy modules of the batch path: dynamic imports anywhere in "core" whose chunk is named
  // in CLUSTER_LAZY, with what they import that "core" does not have.
  const lazy = [...groups.keys()]
    .flatMap((id) => info(id)?.dynamicallyImportedIds ?? [])
    .filter((id) => CLUSTER_LAZY.some((n) => new RegExp(`/chunks/${n}-[a-z0-9]{8}\\.js$`).test(id)));
  const found = new Set(lazy.map((id) => id.replace(/^.*\/chunks\/(.*)-[a-z0-9]{8}\.js$/, "$1")));
  const missing = CLUSTER_LAZY.filter((n) => !found.has(n));
  // A renamed module would quietly undo the grouping: fail the build instead.
  if (missing.length > 0) throw new Error(`build-dist: no lazy chunk named ${missing.join(", ")} in the root's graph`);
  for (const id of closure(lazy, groups)) groups.set(id, "cluster");
  return groups;
}
