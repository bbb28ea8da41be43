// bubu init --sdk <path> for Deno, which cannot install a file: dependency: a packed tarball is
// unpacked into the project and linked (deno.json links), a folder is linked as it is (as the
// JSR package when it has a deno.json); what is not an @bubustack/sdk package is refused.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { parseArgs } from "../../src/cli/args.ts";
import { INIT_FLAGS, initCommand } from "../../src/cli/init-command.ts";
import { repoRoot } from "../support/spawn.ts";

function scratch(): string {
  mkdirSync(join(repoRoot, ".cache"), { recursive: true });
  return mkdtempSync(join(repoRoot, ".cache/cli-sdk-"));
}

function init(cwd: string, ...argv: string[]) {
  return initCommand(parseArgs(argv, INIT_FLAGS), cwd);
}

/** A tarball as `npm pack` makes it: everything under package/. */
function pack(dir: string, name: string, manifest: Record<string, unknown>): string {
  const src = join(dir, `${name}-src`);
  mkdirSync(join(src, "package/dist"), { recursive: true });
  writeFileSync(join(src, "package/package.json"), JSON.stringify(manifest));
  writeFileSync(join(src, "package/dist/mod.js"), "export const x = 1;\n");
  const tgz = join(dir, `${name}.tgz`);
  const r = spawnSync("tar", ["-czf", tgz, "-C", src, "package"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return tgz;
}

const json = (path: string) => JSON.parse(readFileSync(path, "utf8"));

describe("bubu init --runtime deno --sdk <path>", () => {
  test("a tarball is unpacked into vendor/bubustack-sdk and linked; package.json has its exact version", () => {
    const dir = scratch();
    try {
      pack(dir, "sdk", { name: "@bubustack/sdk", version: "9.8.7" });
      const r = init(dir, "d", "--kind", "streaming", "--runtime", "deno", "--sdk", "./sdk.tgz");
      const app = join(dir, "d");
      assert.deepEqual(json(join(app, "vendor/bubustack-sdk/package.json")), {
        name: "@bubustack/sdk",
        version: "9.8.7",
      });
      assert.ok(existsSync(join(app, "vendor/bubustack-sdk/dist/mod.js")));
      const deno = json(join(app, "deno.json"));
      assert.deepEqual(deno.links, ["./vendor/bubustack-sdk"]);
      assert.equal(deno.nodeModulesDir, "manual");
      assert.equal(deno.imports, undefined);
      const pkg = json(join(app, "package.json"));
      assert.equal(pkg.dependencies["@bubustack/sdk"], "9.8.7");
      assert.equal(pkg.dependencies["@connectrpc/connect"], "^2.3.0");
      assert.match(r.summary, /^ {2}vendor\/bubustack-sdk\/ \(\.\/sdk\.tgz\)$/m);
      assert.match(r.summary, /^ {2}deno install +# /m);
      assert.ok(!r.files.some((f) => f.startsWith("vendor")), "files lists what init wrote itself");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a folder with a deno.json is linked as the JSR package; one with only package.json as the npm one", () => {
    const dir = scratch();
    try {
      const j = init(dir, "j", "--kind", "batch", "--runtime", "deno", "--sdk", repoRoot);
      const version = json(join(repoRoot, "deno.json")).version as string;
      const jsr = json(join(j.dir, "deno.json"));
      assert.equal(jsr.imports["@bubustack/sdk"], `jsr:@bubustack/sdk@${version}`);
      assert.equal(jsr.imports["@bubustack/sdk/"], `jsr:/@bubustack/sdk@${version}/`);
      assert.match(jsr.tasks.start, new RegExp(`^deno run -A jsr:@bubustack/sdk@${version}/cli run engram\\.ts `));
      assert.equal(jsr.links.length, 1);
      assert.equal(join(j.dir, jsr.links[0]), repoRoot);
      assert.ok(!readdirSync(j.dir).includes("package.json"));

      mkdirSync(join(dir, "unpacked"));
      writeFileSync(join(dir, "unpacked/package.json"), JSON.stringify({ name: "@bubustack/sdk", version: "1.2.3" }));
      const n = init(dir, "n", "--kind", "batch", "--runtime", "deno", "--sdk", "./unpacked");
      assert.deepEqual(json(join(n.dir, "deno.json")).links, ["../unpacked"]);
      assert.equal(json(join(n.dir, "package.json")).dependencies["@bubustack/sdk"], "1.2.3");
      assert.ok(!existsSync(join(n.dir, "vendor")), "a folder is not copied");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("not an @bubustack/sdk package, or not a tarball: a usage error, and no project left behind", () => {
    const dir = scratch();
    try {
      pack(dir, "other", { name: "left-pad", version: "1.0.0" });
      assert.throws(
        () => init(dir, "a", "--kind", "batch", "--runtime", "deno", "--sdk", "./other.tgz"),
        /is left-pad, not @bubustack\/sdk/,
      );
      pack(dir, "nover", { name: "@bubustack/sdk" });
      assert.throws(
        () => init(dir, "b", "--kind", "batch", "--runtime", "deno", "--sdk", "./nover.tgz"),
        /has no version/,
      );
      writeFileSync(join(dir, "empty.tgz"), "");
      assert.throws(
        () => init(dir, "c", "--kind", "batch", "--runtime", "deno", "--sdk", "./empty.tgz"),
        /cannot read package\/package\.json in \.\/empty\.tgz/,
      );
      mkdirSync(join(dir, "bare"));
      assert.throws(
        () => init(dir, "d", "--kind", "batch", "--runtime", "deno", "--sdk", "./bare"),
        /has no package\.json or deno\.json/,
      );
      for (const app of ["a", "b", "c", "d"]) assert.ok(!existsSync(join(dir, app)), app);
      // Node and Bun install a file: tarball themselves: it is copied into vendor/, not opened.
      init(dir, "e", "--kind", "batch", "--sdk", "./empty.tgz");
      assert.equal(json(join(dir, "e/package.json")).dependencies["@bubustack/sdk"], "file:./vendor/empty.tgz");
      assert.ok(existsSync(join(dir, "e/vendor/empty.tgz")));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
