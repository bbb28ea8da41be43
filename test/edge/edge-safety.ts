/**
 * Which package entry points load in a Workers isolate: each `exports` entry of package.json is
 * bundled for the Workers target (`node:*` left external) and imported by a Worker run with
 * `workerd test` without Node compatibility (`no_nodejs_compat`: at recent compatibility dates
 * workerd otherwise provides `node:*` modules, many as stubs that throw when called). An entry
 * is edge-safe when its bundle imports no `node:*` module and the isolate loads it and sees its
 * exports.
 *
 * @module
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { repoRoot } from "../support/spawn.ts";
import { bundleForWorkers, COMPAT_DATE, capnpString, NO_NODE_COMPAT, testWorkerd, workDir } from "./workerd.ts";

/** One entry's verdict. */
export interface EntrySafety {
  /** `@bubustack/sdk`, `@bubustack/sdk/edge`, … */
  readonly entry: string;
  readonly safe: boolean;
  readonly bytes: number;
  readonly nodeImports: readonly string[];
  /** The import chain from the entry to the first `node:*` import (repository paths). */
  readonly chain: readonly string[];
  /** What workerd said when the isolate failed to load it. */
  readonly error?: string;
}

/** The package's entries: `[import name, source file]`. */
export function packageEntries(): [string, string][] {
  const pkg = JSON.parse(readFileSync(resolve(repoRoot, "package.json"), "utf8")) as {
    name: string;
    exports: Record<string, unknown>;
  };
  const sources = (
    JSON.parse(readFileSync(resolve(repoRoot, "deno.json"), "utf8")) as { exports: Record<string, string> }
  ).exports;
  return Object.keys(pkg.exports).map((key) => [key === "." ? pkg.name : `${pkg.name}/${key.slice(2)}`, sources[key]!]);
}

/** Bundles and loads every entry. */
export function checkEntries(): EntrySafety[] {
  const work = workDir("edge-safety");
  try {
    return packageEntries().map(([entry, source], i) => checkEntry(work.dir, `e${i}`, entry, source));
  } finally {
    work.rm();
  }
}

function checkEntry(dir: string, id: string, entry: string, source: string): EntrySafety {
  const bundle = bundleForWorkers(source, join(dir, `${id}.js`));
  const nodeImports = bundle.externals.filter((x) => x.startsWith("node:"));
  // The shortest way in: where the entry first reaches a module that needs Node.
  const first = [...nodeImports].sort((a, b) => (bundle.chains[a]?.length ?? 99) - (bundle.chains[b]?.length ?? 99))[0];
  const chain = first !== undefined ? [...(bundle.chains[first] ?? []), first] : [];
  writeFileSync(
    join(dir, `${id}-main.js`),
    `import * as entry from "./${id}.js";
export default {
  async test() {
    const names = Object.keys(entry);
    if (names.length === 0) throw new Error("the entry has no exports");
  },
};
`,
  );
  const config = `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = (
    modules = [(name = "main.js", esModule = embed ${capnpString(`${id}-main.js`)}), (name = "${id}.js", esModule = embed ${capnpString(`${id}.js`)})],
    compatibilityDate = ${capnpString(COMPAT_DATE)},
    compatibilityFlags = [${NO_NODE_COMPAT.map(capnpString).join(", ")}],
  ))],
);
`;
  const run = testWorkerd(dir, config);
  const error = run.ok ? undefined : firstError(run.output);
  return {
    entry,
    safe: run.ok && nodeImports.length === 0,
    bytes: bundle.bytes,
    nodeImports,
    chain,
    ...(error !== undefined ? { error } : {}),
  };
}

/** The line of workerd's output that says what failed. */
function firstError(output: string): string {
  const lines = output.split("\n").filter((l) => l.trim() !== "" && !l.includes("PWD environment variable"));
  return (lines.find((l) => /error|uncaught|no such module/i.test(l)) ?? lines[0] ?? "workerd failed")
    .trim()
    .slice(0, 300);
}

/** The rows of the README's edge table: entry → "yes" or "no". */
export function readmeTable(readme: string): Map<string, string> {
  const start = readme.indexOf("<!-- edge-safety:start -->");
  const end = readme.indexOf("<!-- edge-safety:end -->");
  if (start < 0 || end < start)
    throw new Error("README.md has no edge-safety table (<!-- edge-safety:start --> … <!-- edge-safety:end -->)");
  const rows = new Map<string, string>();
  for (const line of readme.slice(start, end).split("\n")) {
    const cells = line.split("|").map((c) => c.trim());
    const m = /^`([^`]+)`$/.exec(cells[1] ?? "");
    if (m) rows.set(m[1]!, (cells[2] ?? "").replace(/\*/g, "").toLowerCase());
  }
  return rows;
}

/** Prints the verdicts (run: node test/edge/edge-safety.ts). */
if (import.meta.main) {
  for (const r of checkEntries()) {
    const why = r.safe
      ? ""
      : ` ← ${r.chain.map((p) => p.replace(/^src\//, "")).join(" → ")}${r.error ? ` (${r.error})` : ""}`;
    console.log(`${r.safe ? "yes" : "no "} ${r.entry} ${(r.bytes / 1024).toFixed(0)} KiB${why}`);
  }
}
