// biome.json keeps runtime specifics (node:* imports, process, Buffer, Bun, Deno, globalThis) inside
// src/runtime/ and src/cli/: the same file fails lint under src/batch/ and passes under src/runtime/,
// src/cli/, test/ and bench/. Run on a copy of the config in a temporary folder, not on the tree.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { test } from "node:test";
import { repoRoot } from "../support/spawn.ts";

const leaky = [
  'import { readFile } from "node:fs/promises";', // 1
  'import type { IncomingMessage } from "node:http";', // 2
  'export const env = process.env["BUBU_X"];', // 3
  'export const bytes = Buffer.from("x");', // 4
  "export const bun = typeof Bun;", // 5
  "export const deno = typeof Deno;", // 6
  "export const g = (globalThis as { process?: unknown }).process;", // 7
  'export const lazy = () => import("node:crypto");', // 8
  "export { readFile };", // 9
  "export type M = IncomingMessage;", // 10
  "",
].join("\n");

interface Finding {
  readonly file: string;
  readonly rule: string;
  readonly line: number;
}

function lint(files: readonly string[]): { findings: Finding[]; code: number | null } {
  const dir = mkdtempSync(join(tmpdir(), "bubu-lint-"));
  try {
    const config = JSON.parse(readFileSync(resolve(repoRoot, "biome.json"), "utf8")) as Record<string, unknown>;
    delete config["$schema"];
    config["vcs"] = { enabled: false };
    writeFileSync(join(dir, "biome.json"), JSON.stringify(config));
    for (const file of files) {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), leaky);
    }
    const biome = resolve(repoRoot, "node_modules/.bin/biome");
    const run = spawnSync(biome, ["lint", "--reporter=json", "--max-diagnostics=none", ...files], {
      cwd: dir,
      encoding: "utf8",
      timeout: 60_000,
    });
    const report = JSON.parse(run.stdout) as {
      diagnostics: { category: string; severity: string; location: { path: string; start: { line: number } } }[];
    };
    const findings = report.diagnostics
      .filter((d) => d.severity === "error")
      .map((d) => ({ file: d.location.path, rule: d.category.split("/").pop()!, line: d.location.start.line }));
    return { findings, code: run.status };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("a node:* import or a runtime global in the core fails lint; the same file passes in runtime, cli, tests and bench", () => {
  const allowed = ["src/runtime/node/leak.ts", "src/cli/leak.ts", "test/batch/leak.test.ts", "bench/leak.ts"];
  const { findings, code } = lint(["src/batch/leak.ts", "src/impulse/webhook/leak.ts", ...allowed]);
  assert.equal(code, 1, "biome lint exits 1");
  for (const file of allowed)
    assert.deepEqual(
      findings.filter((f) => f.file === file),
      [],
      file,
    );
  for (const file of ["src/batch/leak.ts", "src/impulse/webhook/leak.ts"]) {
    const lines = new Set(findings.filter((f) => f.file === file).map((f) => f.line));
    assert.deepEqual(
      [...lines].sort((a, b) => a - b),
      [1, 2, 3, 4, 5, 6, 7, 8],
      file,
    );
  }
  const rules = new Set(findings.map((f) => f.rule));
  assert.deepEqual([...rules].sort(), ["noNodejsModules", "noRestrictedGlobals", "noRestrictedImports"]);
});

test("lint passes (exit 0) when only allowed folders touch the runtime", () => {
  const { findings, code } = lint(["src/runtime/deno/leak.ts", "test/leak.test.ts"]);
  assert.deepEqual(findings, []);
  assert.equal(code, 0);
});
