// Checks that src/gen/ is exactly what `buf generate` produces from proto/ with the
// committed buf.gen.yaml and the protoc-gen-es in node_modules.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, relative, sep } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";

const root: string = fileURLToPath(new URL("../../", import.meta.url));
const binDir: string = join(root, "node_modules", ".bin");

/** Relative paths (with "/") of every file under dir, sorted. */
function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else out.push(relative(dir, p).split(sep).join("/"));
    }
  };
  walk(dir);
  return out.sort();
}

/** Names of files that differ between the committed and the fresh tree, with the reason. */
function staleFiles(committedDir: string, freshDir: string): string[] {
  const committed = listFiles(committedDir);
  const fresh = listFiles(freshDir);
  const problems: string[] = [];
  for (const f of fresh) {
    if (!committed.includes(f)) {
      problems.push(`missing from src/gen: ${f}`);
      continue;
    }
    const a = readFileSync(join(committedDir, f));
    const b = readFileSync(join(freshDir, f));
    if (!a.equals(b)) problems.push(`stale: ${f}`);
  }
  for (const f of committed) {
    if (!fresh.includes(f)) problems.push(`not generated any more: ${f}`);
  }
  return problems;
}

/** Runs `buf generate` into outDir (buf prepends outDir to the template's `out: src/gen`). */
function bufGenerate(outDir: string): void {
  // node_modules/.bin first: buf and protoc-gen-es are node scripts, and .bin also holds
  // the project's node, so the same toolchain is used whatever runtime runs the test.
  const env = { ...process.env, PATH: `${binDir}${delimiter}${process.env.PATH ?? ""}` };
  const res = spawnSync(join(binDir, "buf"), ["generate", "--template", "buf.gen.yaml", "--output", outDir], {
    cwd: root,
    env,
    encoding: "utf8",
    timeout: 120_000,
  });
  assert.equal(
    res.status,
    0,
    `buf generate failed (status ${res.status}, signal ${res.signal}, error ${res.error}):\n${res.stdout}\n${res.stderr}`,
  );
}

describe("generated code", () => {
  test("src/gen is byte-for-byte what buf generate produces", () => {
    const tmp = mkdtempSync(join(tmpdir(), "bubu-gen-"));
    try {
      bufGenerate(tmp);
      const freshDir = join(tmp, "src", "gen");
      const fresh = listFiles(freshDir);
      assert.deepEqual(fresh, ["bubu/sdk/v1/wire_pb.ts", "transport/v1/hub_pb.ts", "transport/v1/transport_pb.ts"]);
      const problems = staleFiles(join(root, "src", "gen"), freshDir);
      assert.deepEqual(problems, [], `src/gen is out of date; run buf generate:\n${problems.join("\n")}`);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  test("the comparison names changed, missing and extra files", () => {
    const tmp = mkdtempSync(join(tmpdir(), "bubu-gen-cmp-"));
    try {
      const a = join(tmp, "a");
      const b = join(tmp, "b");
      for (const d of [a, b]) mkdirSync(join(d, "x"), { recursive: true });
      writeFileSync(join(a, "x", "same.ts"), "same\n");
      writeFileSync(join(b, "x", "same.ts"), "same\n");
      writeFileSync(join(a, "x", "changed.ts"), "one byte\n");
      writeFileSync(join(b, "x", "changed.ts"), "one bytE\n");
      writeFileSync(join(b, "x", "new.ts"), "new\n");
      writeFileSync(join(a, "old.ts"), "old\n");
      assert.deepEqual(staleFiles(a, b), [
        "stale: x/changed.ts",
        "missing from src/gen: x/new.ts",
        "not generated any more: old.ts",
      ]);
      assert.deepEqual(staleFiles(b, b), []);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
