// Generated cases evaluated live by the Go engine (test/interop/templating, built once into
// .cache/) and by ours; every case must agree. Without a Go toolchain the test is skipped
// locally and fails under CI=true.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import process from "node:process";
import { test } from "node:test";
import { repoRoot } from "../support/spawn.ts";
import { difference } from "./support/compare.ts";
import { type GeneratedCase, generateCases, generatePrintfCases } from "./support/generate.ts";
import { type CaseResult, runCase } from "./support/run-case.ts";

const dir = `${repoRoot}/test/interop/templating`;
const bin = `${repoRoot}/.cache/templating-golden`;
const defaultVars = (JSON.parse(readFileSync(`${dir}/corpus.json`, "utf8")) as { defaultVars: Record<string, unknown> })
  .defaultVars;

function goAvailable(): boolean {
  if (existsSync(bin)) return true;
  const v = spawnSync("go", ["version"], { encoding: "utf8" });
  return v.status === 0;
}

const ci = process.env.CI === "true";
const skip = !goAvailable() && !ci ? "Go toolchain not found: live comparison with the Go engine skipped" : false;

function build(): void {
  if (existsSync(bin)) return;
  mkdirSync(`${repoRoot}/.cache`, { recursive: true });
  const b = spawnSync("go", ["build", "-o", bin, "."], { cwd: dir, encoding: "utf8", timeout: 90_000 });
  assert.equal(b.status, 0, `go build failed: ${b.stderr}`);
}

/** Runs `cases` through the Go program and ours; returns the differences. */
function compareWithGo(cases: GeneratedCase[]): string[] {
  const input = cases
    .map((c) => JSON.stringify({ name: c.name, value: c.value, vars: defaultVars, timeoutMs: 2000 }))
    .join("\n");
  const run = spawnSync(bin, ["-lines"], { input, encoding: "utf8", timeout: 30_000, maxBuffer: 64 << 20 });
  assert.equal(run.status, 0, `Go program failed: ${run.stderr}`);
  const results = run.stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as CaseResult);
  assert.equal(results.length, cases.length);
  const diffs: string[] = [];
  cases.forEach((c, i) => {
    const mine = runCase({ name: c.name, value: c.value, vars: defaultVars, timeoutMs: 2000 }, defaultVars);
    const d = difference({ name: c.name, value: c.value }, mine, results[i]!);
    if (d !== undefined) diffs.push(`${d}\n  template: ${JSON.stringify(c.value)}`);
  });
  return diffs;
}

const seed = Number(process.env.TEMPLATING_SEED ?? 20261128);

test("200 generated templates agree with the Go engine", { skip, timeout: 120_000 }, () => {
  assert.ok(goAvailable(), "Go toolchain required under CI=true (go build test/interop/templating)");
  build();
  assert.deepEqual(compareWithGo(generateCases(seed, 200)), [], `seed ${seed}`);
});

test("300 generated printf formats agree with the Go engine (widths, precisions, indexes, flags)", {
  skip,
  timeout: 120_000,
}, () => {
  assert.ok(goAvailable(), "Go toolchain required under CI=true (go build test/interop/templating)");
  build();
  assert.deepEqual(compareWithGo(generatePrintfCases(seed, 300)), [], `seed ${seed}`);
});
