import assert from "node:assert/strict";
import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { describe, test } from "node:test";
import { detectRuntime, runtimeName } from "../../src/runtime/detect.ts";
import { RUNTIME_KEYS, runFixture } from "./helpers/bins.ts";

describe("detectRuntime", () => {
  test("names the runtime running this test", () => {
    const versions = process.versions as Record<string, string | undefined>;
    const expected = versions.bun ? "bun" : versions.deno ? "deno" : "node";
    assert.equal(runtimeName(), expected);
    assert.equal(detectRuntime().name, expected);
  });

  test("is a cached singleton", () => {
    assert.equal(detectRuntime(), detectRuntime());
  });

  test("env and envAll read the process environment", () => {
    const rt = detectRuntime();
    assert.equal(rt.env("PATH"), process.env.PATH);
    assert.equal(rt.env("BUBU_SURELY_UNSET_7f3a"), undefined);
    assert.equal(rt.envAll().PATH, process.env.PATH);
    assert.equal(rt.homeDir(), process.env.HOME || undefined);
    assert.equal(rt.pid(), process.pid);
  });
});

describe("a child process on each runtime", () => {
  for (const rt of RUNTIME_KEYS) {
    test(`${rt}: name, args after the script, HOME, cwd, pid, env`, async () => {
      const dir = mkdtempSync(join(tmpdir(), "bubu-probe-"));
      try {
        const env = { PATH: process.env.PATH ?? "", HOME: "/home/probe", BUBU_PROBE: "a b=c" };
        const r = await runFixture(rt, "probe.ts", ["--flag", "two words", ""], { env, cwd: dir });
        assert.equal(r.code, 0, r.stderr);
        const p = JSON.parse(r.stdout);
        assert.equal(p.detected, rt);
        assert.equal(p.name, rt);
        assert.match(p.version, /^\d+\.\d+\.\d+/);
        assert.deepEqual(p.args, ["--flag", "two words", ""]);
        assert.equal(p.home, "/home/probe");
        assert.equal(p.cwd, realpathSync(dir));
        assert.equal(typeof p.pid, "number");
        assert.deepEqual([p.probe, p.unset, p.inAll], ["a b=c", null, "a b=c"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test(`${rt}: an empty HOME gives no home dir`, async () => {
      const r = await runFixture(rt, "probe.ts", [], { env: { PATH: process.env.PATH ?? "", HOME: "" } });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(JSON.parse(r.stdout).home, null);
    });
  }
});
