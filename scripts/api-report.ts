// The public surface of every package.json `exports` entry, as an api-extractor report in api/<entry>.api.md.
// Usage: node scripts/api-report.ts          rewrite the reports (npm run api)
//        node scripts/api-report.ts --check  fail and print the diff when a surface differs from its report
// Both print the exported names per entry point (all names, and values: what exists at run time).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import {
  CompilerState,
  Extractor,
  ExtractorConfig,
  ExtractorLogLevel,
  ExtractorMessageCategory,
  type IConfigFile,
} from "@microsoft/api-extractor";

const repo = resolve(import.meta.dirname, "..");
const check = process.argv.includes("--check");
const work = join(repo, ".cache/api");
const dts = join(work, "dts");
const reportFolder = join(repo, "api");
const generated = join(work, "reports"); // api-extractor writes here; api/ is compared and written by us

interface Entry {
  /** `.` or `./testkit` */
  readonly key: string;
  /** Report name: `root`, `testkit`, ... */
  readonly name: string;
  readonly source: string;
  readonly declaration: string;
}

const pkg = JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as {
  exports: Record<string, { types: string }>;
};
// The sources: deno.json's exports (the same subpaths, as TypeScript).
const sources = (JSON.parse(readFileSync(join(repo, "deno.json"), "utf8")) as { exports: Record<string, string> })
  .exports;
const entries: Entry[] = Object.entries(pkg.exports).map(([key, e]) => ({
  key,
  name: key === "." ? "root" : key.slice(2).replaceAll("/", "-"),
  source: join(repo, sources[key]!),
  declaration: join(dts, e.types.replace(/^\.\/dist\//, "")),
}));

// Declarations for src/ (the published ones: tsconfig.build.json), emitted fresh each run.
rmSync(dts, { recursive: true, force: true });
const tsc = spawnSync(
  join(repo, "node_modules/.bin/tsc"),
  ["-p", "tsconfig.build.json", "--emitDeclarationOnly", "--outDir", dts, "--pretty", "false"],
  { cwd: repo, stdio: "inherit" },
);
if (tsc.status !== 0) fail("tsc could not emit the declarations");

const messages = {
  // No release tags (@public/@beta) are used; every exported name is public.
  extractorMessageReporting: {
    default: { logLevel: ExtractorLogLevel.Warning },
    "ae-missing-release-tag": { logLevel: ExtractorLogLevel.None },
    // A type reachable from the surface but not exported by the entry: recorded in the report.
    "ae-forgotten-export": { logLevel: ExtractorLogLevel.None, addToApiReportFile: true },
    "ae-unresolved-link": { logLevel: ExtractorLogLevel.None },
    "ae-internal-missing-underscore": { logLevel: ExtractorLogLevel.None },
    // Adding a doc comment does not change the surface, so it must not change the report.
    "ae-undocumented": { logLevel: ExtractorLogLevel.None, addToApiReportFile: false },
  },
  // The JSDoc is written for JSR/deno doc, not for TSDoc.
  tsdocMessageReporting: { default: { logLevel: ExtractorLogLevel.None } },
  compilerMessageReporting: { default: { logLevel: ExtractorLogLevel.Warning } },
} satisfies IConfigFile["messages"];

function configFor(entry: Entry): ExtractorConfig {
  const configObject: IConfigFile = {
    projectFolder: repo,
    mainEntryPointFilePath: entry.declaration,
    compiler: {
      overrideTsconfig: {
        compilerOptions: {
          target: "ES2023",
          module: "ESNext",
          moduleResolution: "bundler",
          allowImportingTsExtensions: true,
          strict: true,
          skipLibCheck: true,
          noEmit: true,
          types: ["node"],
        },
        files: entries.map((e) => e.declaration),
      },
    },
    apiReport: {
      enabled: true,
      reportFolder: generated,
      reportTempFolder: join(work, "temp"),
      reportFileName: entry.name,
    },
    docModel: { enabled: false },
    dtsRollup: { enabled: false },
    tsdocMetadata: { enabled: false },
    messages,
  };
  return ExtractorConfig.prepare({
    configObject,
    configObjectFullPath: join(repo, "api-extractor.json"),
    packageJsonFullPath: join(repo, "package.json"),
  });
}

const configs = entries.map(configFor);
const compilerState = CompilerState.create(configs[0]!, {
  additionalEntryPoints: entries.map((e) => e.declaration),
});

let changed = 0;
let problems = 0;
mkdirSync(reportFolder, { recursive: true });
mkdirSync(generated, { recursive: true });
for (const [i, entry] of entries.entries()) {
  const result = Extractor.invoke(configs[i]!, {
    localBuild: true, // always writes into .cache/api/reports; the comparison with api/ is ours
    compilerState,
    messageCallback: (m) => {
      m.handled = true;
      // Console messages narrate what api-extractor did with its own report copy, which is not ours.
      if (m.category === ExtractorMessageCategory.Console) return;
      if (m.logLevel !== ExtractorLogLevel.Warning && m.logLevel !== ExtractorLogLevel.Error) return;
      problems++;
      console.error(`${entry.key}: ${m.formatMessageWithLocation(repo)}`);
    },
  });
  if (!result.succeeded) problems++;
  const fresh = normalise(readFileSync(join(generated, `${entry.name}.api.md`), "utf8"));
  const committedPath = join(reportFolder, `${entry.name}.api.md`);
  const committed = existsSync(committedPath) ? readFileSync(committedPath, "utf8") : "";
  if (fresh === committed) continue;
  changed++;
  if (check) {
    const freshPath = join(work, `${entry.name}.api.md`);
    writeFileSync(freshPath, fresh);
    console.error(`\nThe public surface of "${entry.key}" differs from api/${entry.name}.api.md:`);
    spawnSync("diff", ["-u", existsSync(committedPath) ? committedPath : "/dev/null", freshPath], {
      stdio: "inherit",
    });
  } else {
    writeFileSync(committedPath, fresh);
    console.log(`updated api/${entry.name}.api.md`);
  }
}

await printCounts();

if (problems > 0) fail(`${problems} api-extractor problem(s)`);
// The root is what an engram author needs and nothing more: a budget, so that growing it is a decision.
const ROOT_BUDGET = 40;
const rootNames = exportedNames(readFileSync(join(generated, "root.api.md"), "utf8")).size;
if (rootNames > ROOT_BUDGET)
  fail(`the root entry point exports ${rootNames} names (budget ${ROOT_BUDGET}): move one to a subpath`);
if (check && changed > 0) {
  fail(`${changed} entry point(s) changed their public surface: review the diff, then run \`npm run api\``);
}

/** Exported names per entry (from the report), and values (from importing the entry at run time). */
async function printCounts(): Promise<void> {
  let names = 0;
  let values = 0;
  const rows: string[] = [];
  for (const entry of entries) {
    const text = readFileSync(join(generated, `${entry.name}.api.md`), "utf8");
    const n = exportedNames(text).size;
    const v = Object.keys(await import(pathToFileURL(entry.source).href)).length;
    names += n;
    values += v;
    rows.push(`  ${entry.key.padEnd(14)} ${String(n).padStart(4)} names, ${String(v).padStart(4)} values`);
  }
  console.log(`exported names per entry point (${entries.length} entry points):`);
  for (const row of rows) console.log(row);
  console.log(`  ${"total".padEnd(14)} ${String(names).padStart(4)} names, ${String(values).padStart(4)} values`);
}

/**
 * Plain LF lines, without what is not the surface: the `@public` release tag (no other is used) and the
 * "(undocumented)" notes, so that adding a doc comment leaves the report unchanged.
 */
function normalise(report: string): string {
  return report
    .split(/\r?\n/)
    .map((line) =>
      line.replace(/^(\s*\/\/)((?: @public| \(undocumented\))+)(.*)$/, (_, start, _tags, rest) => `${start}${rest}`),
    )
    .filter((line) => !/^\s*\/\/\s*$/.test(line))
    .join("\n");
}

/** The top-level names a report exports (an overloaded function counts once). */
function exportedNames(report: string): Set<string> {
  const names = new Set<string>();
  const declaration =
    /^export (?:declare )?(?:abstract )?(?:function\*?|const|let|var|class|enum|namespace|interface|type) +([A-Za-z_$][\w$]*)/gm;
  for (const m of report.matchAll(declaration)) names.add(m[1]!);
  // `export { a, b as c }` lines (re-exported namespaces or aliases).
  for (const m of report.matchAll(/^export \{([^}]*)\}/gm)) {
    for (const part of m[1]!.split(",")) {
      const name = part
        .trim()
        .split(/\s+as\s+/)
        .pop();
      if (name) names.add(name);
    }
  }
  return names;
}

function fail(message: string): never {
  console.error(`api-report: ${message}`);
  process.exit(1);
}
