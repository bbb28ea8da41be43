// package.json (npm: Bun on src/, Node and Deno on dist/) and deno.json (JSR) must publish the
// same entry points, each pointing at an existing module that the runtime can import.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { repoRoot } from "../support/spawn.ts";

type Conditions = { types: string; bun: string; deno?: string; default: string };
const pkg = JSON.parse(readFileSync(resolve(repoRoot, "package.json"), "utf8")) as { exports: Record<string, Conditions> };
const deno = JSON.parse(readFileSync(resolve(repoRoot, "deno.json"), "utf8")) as { exports: Record<string, string> };

test("package.json and deno.json export the same subpaths, with matching source and dist files", () => {
  assert.deepEqual(Object.keys(pkg.exports).sort(), Object.keys(deno.exports).sort());
  for (const [subpath, c] of Object.entries(pkg.exports)) {
    assert.equal(c.bun, deno.exports[subpath], `${subpath}: bun and deno (JSR) use the same source`);
    // Deno refuses to strip types under node_modules: from npm it must get the JavaScript.
    assert.equal(c.deno, undefined, `${subpath}: no "deno" condition`);
    assert.deepEqual(Object.keys(c), ["types", "bun", "default"], `${subpath}: condition order`);
    assert.ok(existsSync(resolve(repoRoot, c.bun)), `${subpath}: ${c.bun} exists`);
    const base = c.bun.replace(/^\.\/src\//, "./dist/").replace(/\.ts$/, "");
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
  assert.deepEqual(Object.keys(root).sort(), ["BubuError", "MissingSecretError", "defineBatch", "defineDual", "defineImpulse", "defineStreaming", "start"]);
  for (const name of Object.keys(root)) assert.equal(typeof root[name], "function", name);
});
