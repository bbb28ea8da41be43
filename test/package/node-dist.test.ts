// Node refuses to strip types under node_modules, so the npm package ships JavaScript (dist/,
// built by `npm run build` on pack: declarations, and the code bundled per entry point). This
// builds it and runs a batch engram and the other entry points against it on Node.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { unsupportedNode } from "../../src/cli/node-version.ts";
import { repoRoot } from "../support/spawn.ts";

test("the built dist/ runs a batch engram under Node", { timeout: 120_000 }, () => {
  // Inside the repo so that bare imports (valibot, …) resolve from its node_modules, as they
  // would from an installed package's dependencies.
  mkdirSync(join(repoRoot, ".cache"), { recursive: true });
  const dir = mkdtempSync(join(repoRoot, ".cache/dist-test-"));
  try {
    const node = join(repoRoot, ".cache/node/node_modules/.bin/node");
    const build = spawnSync(node, ["scripts/build-dist.ts", join(dir, "dist")], { cwd: repoRoot, encoding: "utf8" });
    assert.equal(build.status, 0, build.stdout + build.stderr);
    // Every export's JavaScript and declarations exist, and the JavaScript imports.
    const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
      exports: Record<string, { types: string; default: string }>;
    };
    const probe = join(dir, "probe.mjs");
    const entries = Object.values(pkg.exports).map((c) => join(dir, c.default));
    for (const c of Object.values(pkg.exports)) assert.ok(existsSync(join(dir, c.types)), c.types);
    writeFileSync(
      probe,
      `for (const e of ${JSON.stringify(entries)}) if (Object.keys(await import(e)).length === 0) throw new Error(e);\n`,
    );
    const imported = spawnSync(node, [probe], { encoding: "utf8", env: { PATH: "/usr/bin:/bin" }, cwd: repoRoot });
    assert.equal(imported.status, 0, imported.stderr);
    // Node's loader costs about the same for every module, whatever its size: the root entry is
    // its file and one chunk, and the parts a batch run in a pod loads lazily are one more.
    const rootProbe = join(dir, "root-probe.mjs");
    writeFileSync(
      rootProbe,
      `import { registerHooks } from "node:module";
const seen = new Set();
registerHooks({ resolve(s, c, next) { const r = next(s, c); seen.add(r.url); return r; } });
await import(${JSON.stringify(pathToFileURL(join(dir, "dist/mod.js")).href)});
process.stdout.write(JSON.stringify([...seen]));\n`,
    );
    const loaded = spawnSync(node, [rootProbe], { encoding: "utf8", env: { PATH: "/usr/bin:/bin" }, cwd: repoRoot });
    assert.equal(loaded.status, 0, loaded.stderr);
    const distPrefix = pathToFileURL(join(dir, "dist")).href + "/";
    const sdkModules = (JSON.parse(loaded.stdout) as string[])
      .filter((u) => u.startsWith(distPrefix))
      .map((u) => u.slice(distPrefix.length));
    assert.equal(sdkModules.length, 2, sdkModules.join(", "));
    assert.equal(sdkModules[0], "mod.js");
    assert.match(sdkModules[1]!, /^chunks\/core-[\w-]+\.js$/);
    const chunks = readdirSync(join(dir, "dist/chunks")).map((f) => readFileSync(join(dir, "dist/chunks", f), "utf8"));
    const holding = (src: string): number => chunks.filter((c) => c.includes(`// ${src}\n`)).length;
    const lazy = ["src/k8s/create-client.ts", "src/process/storage-services.ts", "src/batch/cluster-services.ts"];
    for (const src of lazy) assert.equal(holding(src), 1, src);
    assert.ok(
      chunks.some((c) => lazy.every((src) => c.includes(`// ${src}\n`))),
      "the batch run's lazy modules are one chunk",
    );

    const script = join(dir, "engram.mjs");
    writeFileSync(
      script,
      `import { defineBatch, start } from ${JSON.stringify(join(dir, "dist/mod.js"))};
await start(defineBatch({ process: (_ctx, inputs) => ({ echoed: inputs }) }));\n`,
    );
    const run = spawnSync(node, [script, "--inputs", '{"a":1}'], {
      encoding: "utf8",
      env: { PATH: "/usr/bin:/bin" },
      cwd: repoRoot,
    });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), { echoed: { a: 1 } });

    // The bin script runs through npm's .bin symlink, and refuses a Node that is too old (on
    // Node 20 it used to exit 0 having done nothing: no import.meta.main there).
    const bin = join(dir, "bubu");
    symlinkSync(join(dir, "dist/cli/bubu.js"), bin);
    const version = spawnSync(node, [bin, "--version"], { encoding: "utf8", cwd: repoRoot });
    assert.equal(version.status, 0, version.stderr);
    assert.match(version.stdout, /^\d+\.\d+\.\d+/);
    const old = "/usr/bin/node";
    const oldVersion = existsSync(old)
      ? spawnSync(old, ["--version"], { encoding: "utf8" }).stdout.trim().replace(/^v/, "")
      : "";
    if (oldVersion !== "" && unsupportedNode(oldVersion) !== undefined) {
      const refused = spawnSync(old, [bin, "--help"], { encoding: "utf8", cwd: repoRoot });
      assert.equal(refused.status, 1, refused.stdout + refused.stderr);
      assert.match(refused.stderr, /bubu needs Node 22\.19 or newer/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
