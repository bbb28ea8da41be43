// Fails when the folders of src/ import each other in a cycle, other than the cycles listed in
// scripts/import-cycles.allow, or when that list names a cycle that is gone (then shorten the list).
// A folder is the first directory under src/ (src/mod.ts is "(root)"); type-only imports count.
// The import graph comes from `deno info --json` (a real parser: comments, strings and dynamic imports are handled).
// Usage: node scripts/check-import-cycles.ts [--all]   (--all lists every import behind each cycle)
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describeCycle, type FolderEdge, findCycles, judgeCycles, parseAllowlist } from "./lib/folder-cycles.ts";

const repo = resolve(import.meta.dirname, "..");
const src = join(repo, "src");
const allowlistPath = join(repo, "scripts/import-cycles.allow");

interface DenoDependency {
  readonly code?: { readonly specifier: string; readonly span: { readonly start: { readonly line: number } } };
  readonly type?: { readonly specifier: string; readonly span: { readonly start: { readonly line: number } } };
}
interface DenoModule {
  readonly specifier: string;
  readonly dependencies?: readonly DenoDependency[];
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const path = join(dir, d.name);
    if (d.isDirectory()) return sourceFiles(path);
    return d.name.endsWith(".ts") ? [path] : [];
  });
}

function folderOf(file: string): string {
  const parts = relative(src, file).split("/");
  return parts.length === 1 ? "(root)" : parts[0]!;
}

// One root that imports every file, so that files no entry point reaches are in the graph too.
const work = join(repo, ".cache/import-cycles");
mkdirSync(work, { recursive: true });
const root = join(work, "all.ts");
writeFileSync(
  root,
  sourceFiles(src)
    .map((f) => `import ${JSON.stringify(pathToFileURL(f).href)};\n`)
    .join(""),
);
const info = spawnSync(join(repo, "node_modules/.bin/deno"), ["info", "--json", root], {
  cwd: repo,
  encoding: "utf8",
  maxBuffer: 256 << 20,
});
if (info.status !== 0) {
  console.error(info.stderr);
  console.error("check-import-cycles: deno info failed");
  process.exit(1);
}
const modules = (JSON.parse(info.stdout) as { modules: DenoModule[] }).modules;

const edges: FolderEdge[] = [];
const srcUrl = pathToFileURL(src).href + "/";
for (const m of modules) {
  if (!m.specifier.startsWith(srcUrl)) continue;
  const file = fileURLToPath(m.specifier);
  for (const dep of m.dependencies ?? []) {
    // `code` is set for a runtime import; a type-only import sets only `type`.
    const target = dep.code ?? dep.type;
    if (target === undefined || !target.specifier.startsWith(srcUrl)) continue;
    const from = folderOf(file);
    const to = folderOf(fileURLToPath(target.specifier));
    if (from === to) continue;
    const at = `${relative(repo, file)}:${target.span.start.line + 1}`;
    edges.push({ from, to, at, typeOnly: dep.code === undefined });
  }
}
edges.sort((a, b) => a.at.localeCompare(b.at, "en", { numeric: true }));

const cycles = findCycles(edges);
const verdict = judgeCycles(cycles, parseAllowlist(readFileSync(allowlistPath, "utf8")));
const folders = new Set(edges.flatMap((e) => [e.from, e.to]));
console.log(
  `import cycles: ${folders.size} folders, ${edges.length} cross-folder imports, ${cycles.length} folder cycles` +
    ` (${verdict.allowed.length} allowlisted)`,
);
const listAll = process.argv.includes("--all");
const details = (cycle: readonly string[]): string[] =>
  !listAll
    ? []
    : cycle.flatMap((from, i) => {
        const to = cycle[(i + 1) % cycle.length];
        return edges
          .filter((e) => e.from === from && e.to === to)
          .map((e) => `      ${from} → ${to}: ${e.at}${e.typeOnly ? " (type)" : ""}`);
      });
for (const c of verdict.allowed) console.log([`  allowlisted: ${describeCycle(c, edges)}`, ...details(c)].join("\n"));
for (const c of verdict.unexpected)
  console.error([`  NEW CYCLE: ${describeCycle(c, edges)}`, ...details(c)].join("\n"));
for (const key of verdict.stale) {
  console.error(`  STALE: "${key}" is in scripts/import-cycles.allow but is no longer a cycle: remove the line`);
}
if (verdict.unexpected.length > 0 || verdict.stale.length > 0) {
  if (verdict.unexpected.length > 0) {
    console.error("check-import-cycles: a folder must not import (even types) from a folder that imports it back");
  }
  process.exit(1);
}
