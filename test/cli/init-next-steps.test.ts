// What bubu init tells a new user to run: the scripts of each kind and runtime (start with the
// example's arguments, typecheck), the printed next steps, shell quoting checked by a real shell,
// and the start script's arguments running each scaffolded component to success with `bubu run`
// (a child process under the runtime running the tests).

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import { parseArgs } from "../../src/cli/args.ts";
import { INIT_FLAGS, initCommand } from "../../src/cli/init-command.ts";
import { exampleArgs, nextSteps, scripts, shellWords } from "../../src/cli/scaffold-commands.ts";
import { repoRoot, runScript } from "../support/spawn.ts";

type Kind = "batch" | "streaming" | "impulse" | "dual";
const KINDS: Kind[] = ["batch", "streaming", "impulse", "dual"];

function scratch(): string {
  // Inside the repository, so that `valibot` resolves from its node_modules.
  mkdirSync(join(repoRoot, ".cache"), { recursive: true });
  return mkdtempSync(join(repoRoot, ".cache/cli-next-"));
}

function init(cwd: string, ...argv: string[]) {
  return initCommand(parseArgs(argv, INIT_FLAGS), cwd);
}

describe("bubu init: scripts and next steps", () => {
  test("every runtime's manifest has start (with the example's arguments), test, typecheck, template, build", () => {
    const dir = scratch();
    try {
      for (const runtime of ["node", "bun", "deno"] as const) {
        for (const kind of KINDS) {
          const target = join(dir, `${kind}-${runtime}`);
          init(dir, target, "--kind", kind, "--runtime", runtime);
          const manifest = JSON.parse(
            readFileSync(join(target, runtime === "deno" ? "deno.json" : "package.json"), "utf8"),
          );
          const s = (runtime === "deno" ? manifest.tasks : manifest.scripts) as Record<string, string>;
          assert.deepEqual(Object.keys(s), ["start", "test", "typecheck", "template", "build"], `${kind}/${runtime}`);
          const file = kind === "impulse" ? "impulse.ts" : "engram.ts";
          const args = shellWords(exampleArgs(kind));
          assert.ok(
            s.start!.endsWith(` run ${file}${args === "" ? "" : ` ${args}`}`),
            `${kind}/${runtime}: ${s.start}`,
          );
          assert.equal(
            s.typecheck,
            runtime === "deno" ? `deno check ${file} ${file.replace(".ts", ".test.ts")}` : "tsc",
          );
          if (runtime !== "deno") {
            assert.equal(manifest.devDependencies.typescript, "^7.0.2", `${kind}/${runtime}`);
            assert.equal("@types/bun" in manifest.devDependencies, runtime === "bun");
            assert.equal("@types/node" in manifest.devDependencies, runtime === "node");
            const tsconfig = JSON.parse(readFileSync(join(target, "tsconfig.json"), "utf8"));
            assert.deepEqual(tsconfig.compilerOptions.types, [runtime === "bun" ? "bun" : "node"]);
          }
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the printed next steps: install, test, start as it is, typecheck; the README lists the same", () => {
    assert.deepEqual(
      nextSteps("batch", "node").map((s) => s.command),
      ["npm install", "npm test", "npm start", `npm start -- --inputs '{"name":"Bo"}'`, "npm run typecheck"],
    );
    assert.deepEqual(
      nextSteps("impulse", "bun").map((s) => s.command),
      ["bun install", "bun run test", "bun run start", "bun run typecheck"],
    );
    assert.deepEqual(
      nextSteps("streaming", "deno").map((s) => s.command),
      [
        "deno install",
        "deno task test",
        `echo '{"kind":"data","payload":{"text":"hi"}}' | deno task start`,
        "deno task typecheck",
      ],
    );
    const dir = scratch();
    try {
      for (const runtime of ["node", "bun", "deno"] as const) {
        for (const kind of KINDS) {
          const r = init(dir, `${kind}-${runtime}`, "--kind", kind, "--runtime", runtime);
          const printed = r.summary.slice(r.summary.indexOf("\nNext:\n") + 7);
          const readme = readFileSync(join(r.dir, "README.md"), "utf8");
          const steps = nextSteps(kind, runtime);
          assert.match(printed, new RegExp(`^  cd ${kind}-${runtime}\n`));
          for (const step of steps) {
            assert.ok(printed.includes(`  ${step.command} `), `${kind}/${runtime}: ${step.command} not printed`);
            assert.ok(readme.includes(`\n${step.command}\n`), `${kind}/${runtime}: ${step.command} not in the README`);
          }
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("shellWords: a POSIX shell reads back the same arguments", () => {
    const args = ["--inputs", '{"name":"Ada"}', "--story", "hello", "it's", "a b", "", "x=$HOME", "`id`"];
    const r = spawnSync("sh", ["-c", `printf '%s\\n' ${shellWords(args)}`], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.split("\n").slice(0, -1), args);
  });

  test("the scripts a Deno project runs start the SDK's bubu from the SDK spec", () => {
    assert.match(scripts("batch", "deno", "x", "deno run -A jsr:@bubustack/sdk@0.1.0/cli").start!, /^deno run -A jsr:/);
  });
});

describe("the start script's arguments run each example to success", { timeout: 120_000 }, () => {
  const map: Record<string, string> = {
    "@bubustack/sdk": "src/mod.ts",
    "@bubustack/sdk/streaming": "src/streaming/mod.ts",
  };

  /** The scaffolded component, its SDK imports pointed at this tree. */
  function scaffolded(dir: string, kind: Kind): string {
    const target = join(dir, kind);
    init(dir, target, "--kind", kind);
    const file = join(target, kind === "impulse" ? "impulse.ts" : "engram.ts");
    const source = readFileSync(file, "utf8").replace(/from "(@bubustack\/sdk[^"]*)"/g, (_m, spec: string) => {
      assert.ok(map[spec], spec);
      return `from ${JSON.stringify(pathToFileURL(resolve(repoRoot, map[spec]!)).href)}`;
    });
    writeFileSync(file, source);
    return file;
  }

  test("batch, dual and impulse: bubu run <file> <the start script's arguments>", async () => {
    const dir = scratch();
    try {
      const files = Object.fromEntries(KINDS.map((k) => [k, scaffolded(dir, k)])) as Record<Kind, string>;
      const run = async (kind: Kind, extra: string[] = []) => {
        const r = await runScript("src/cli/bubu.ts", { args: ["run", files[kind], ...exampleArgs(kind), ...extra] });
        assert.equal(r.code, 0, `${kind}: ${r.stderr}`);
        return r;
      };
      const stories = (stderr: string) =>
        stderr
          .split("\n")
          .filter((l) => l.includes('"story triggered (local: no cluster)"'))
          .map((l) => (JSON.parse(l) as { story: string }).story);
      assert.deepEqual(JSON.parse((await run("batch")).stdout), { message: "Hello, Ada!" });
      assert.deepEqual(JSON.parse((await run("batch", ["--inputs", '{"name":"Bo"}'])).stdout), {
        message: "Hello, Bo!",
      });
      assert.deepEqual(JSON.parse((await run("dual")).stdout), { text: "HI" });
      assert.deepEqual(stories((await run("impulse")).stderr), ["hello", "hello", "hello"]);
      assert.deepEqual(
        stories((await run("impulse", ["--story", "other", "--config", '{"limit":2,"everyMs":1}'])).stderr),
        ["other", "other"],
        "a --story and --config after the script's replace them",
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
