// package.json (npm: the bundled JavaScript in dist/ for Node, Bun and Deno) and deno.json (JSR:
// the TypeScript in src/) must publish the same entry points, each pointing at an existing module
// that the runtime can import.

import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { repoRoot } from "../support/spawn.ts";

type Conditions = { types: string; bun?: string; deno?: string; default: string };
const pkg = JSON.parse(readFileSync(resolve(repoRoot, "package.json"), "utf8")) as {
  exports: Record<string, Conditions>;
};
const deno = JSON.parse(readFileSync(resolve(repoRoot, "deno.json"), "utf8")) as { exports: Record<string, string> };

test("package.json and deno.json export the same subpaths, with matching source and dist files", () => {
  assert.deepEqual(Object.keys(pkg.exports).sort(), Object.keys(deno.exports).sort());
  for (const [subpath, c] of Object.entries(pkg.exports)) {
    const source = deno.exports[subpath]!;
    // Deno refuses to strip types under node_modules, and Bun starts faster from the bundle than
    // from the sources: from npm every runtime gets the JavaScript.
    assert.deepEqual(Object.keys(c), ["types", "default"], `${subpath}: only types and default`);
    assert.ok(existsSync(resolve(repoRoot, source)), `${subpath}: ${source} exists`);
    const base = source.replace(/^\.\/src\//, "./dist/").replace(/\.ts$/, "");
    assert.equal(c.default, `${base}.js`, `${subpath}: dist mirrors src`);
    assert.equal(c.types, `${base}.d.ts`, subpath);
  }
});

test("every entry point imports and exports something", async () => {
  for (const [subpath, file] of Object.entries(deno.exports)) {
    const mod = (await import(pathToFileURL(resolve(repoRoot, file)).href)) as Record<string, unknown>;
    assert.ok(Object.keys(mod).length > 0, `${subpath} has exports`);
  }
});

test("the root entry point's values: the define functions, start, BubuError and MissingSecretError; nothing else", async () => {
  const root = (await import(pathToFileURL(resolve(repoRoot, "src/mod.ts")).href)) as Record<string, unknown>;
  assert.deepEqual(Object.keys(root).sort(), [
    "BubuError",
    "MissingSecretError",
    "defineBatch",
    "defineDual",
    "defineImpulse",
    "defineStreaming",
    "start",
  ]);
  for (const name of Object.keys(root)) assert.equal(typeof root[name], "function", name);
});
