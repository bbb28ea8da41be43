// Type-checks src/ without Node's types (tsconfig.core.json), so that `process`, `Buffer`, `Bun`,
// `Deno` or a `node:*` import outside src/runtime/ (and src/cli/, which is not in that program)
// is a type error. The runtime adapters are in the same program (src/runtime/detect.ts imports
// them) and fail there without Node's types: their errors are left to `tsc -p tsconfig.json`,
// except isolatedDeclarations errors (TS9xxx), which do not depend on Node's types.
// scripts/typecheck/canary.ts must fail on each line marked `canary`: that proves that Node's
// types did not leak into the program (a dependency's `/// <reference types="node" />` would do it).
// Usage: node scripts/check-core-types.ts
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const repo = resolve(import.meta.dirname, "..");
const canary = "scripts/typecheck/canary.ts";

const tsc = spawnSync(join(repo, "node_modules/.bin/tsc"), ["-p", "tsconfig.core.json", "--pretty", "false"], {
  cwd: repo,
  encoding: "utf8",
  maxBuffer: 64 << 20,
});
if (tsc.error) throw tsc.error;

interface Diagnostic {
  readonly file: string;
  readonly line: number;
  readonly code: string;
  readonly text: string;
}
const diagnostics: Diagnostic[] = [];
for (const line of tsc.stdout.split("\n")) {
  const m = /^(.+?)\((\d+),\d+\): error (TS\d+): /.exec(line);
  if (m) diagnostics.push({ file: m[1]!, line: Number(m[2]), code: m[3]!, text: line });
  else if (line.startsWith(" ") && diagnostics.length > 0) {
    const last = diagnostics.pop()!;
    diagnostics.push({ ...last, text: `${last.text}\n${line}` });
  } else if (line.trim() !== "") {
    console.error(line);
  }
}

const adapterError = (d: Diagnostic): boolean => d.file.startsWith("src/runtime/") && !d.code.startsWith("TS9");
const failures = diagnostics.filter((d) => d.file !== canary && !adapterError(d));

const canaryLines = readFileSync(join(repo, canary), "utf8")
  .split("\n")
  .flatMap((text, i) => (/\/\/ canary$/.test(text) ? [i + 1] : []));
const silentCanaries = canaryLines.filter((n) => !diagnostics.some((d) => d.file === canary && d.line === n));

for (const d of failures) console.error(d.text);
for (const n of silentCanaries) {
  console.error(
    `${canary}:${n}: expected a type error without Node's types, got none: Node's types leaked into` +
      " tsconfig.core.json (find the file that references them with: tsc -p tsconfig.core.json --explainFiles)",
  );
}
const ignored = diagnostics.filter(adapterError).length;
if (failures.length > 0 || silentCanaries.length > 0 || (tsc.status !== 0 && diagnostics.length === 0)) {
  console.error(
    `check-core-types: ${failures.length} error(s) in src/ without Node's types` +
      (silentCanaries.length > 0 ? `, ${silentCanaries.length} canary line(s) passed` : ""),
  );
  process.exit(1);
}
console.log(
  `core types without Node's: ok (${canaryLines.length} canary errors seen; ${ignored} adapter errors in src/runtime/ left to tsconfig.json)`,
);
