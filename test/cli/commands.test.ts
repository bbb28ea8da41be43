// The bubu command line: help and exit codes of every command, flag parsing, and `bubu run` of
// every kind as a child process under the runtime running the tests.

import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, test } from "node:test";
import { parseArgs, UsageError } from "../../src/cli/args.ts";
import { describeLoadError } from "../../src/cli/load-error.ts";
import { main } from "../../src/cli/main.ts";
import { BUN_RANGE, PEER_RANGES, SDK_VERSION, TYPES_NODE_RANGE, TYPESCRIPT_RANGE } from "../../src/cli/version.ts";
import { repoRoot, runScript } from "../support/spawn.ts";

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    cwd: repoRoot,
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
  });
  return { code, stdout, stderr };
}

describe("help and exit codes", () => {
  test("bubu --help and each command's --help print their usage on stdout and exit 0", async () => {
    const main = await cli("--help");
    assert.equal(main.code, 0);
    assert.match(main.stdout, /^Usage: bubu <command>/);
    for (const [command, marker] of [
      ["init", /--kind/],
      ["run", /\{"kind":"data","payload":\{…\},"metadata":\{…\}\}/],
      ["template", /secretSchema/],
      ["build", /Dockerfile/],
      ["story", /run <story\.yaml>/],
    ] as const) {
      const r = await cli(command, "--help");
      assert.equal(r.code, 0, command);
      assert.match(r.stdout, new RegExp(`^Usage: bubu ${command} `), command);
      assert.match(r.stdout, marker, command);
      assert.equal(r.stderr, "", command);
    }
  });

  test("no command, an unknown command or a bad flag: usage on stderr, exit 2", async () => {
    for (const argv of [
      [],
      ["deploy"],
      ["run", "--bogus", "x.ts"],
      ["init", "x"],
      ["init", "x", "--kind", "cron"],
      ["template"],
      ["build", "a.ts", "b.ts"],
      ["story"],
      ["story", "walk"],
    ]) {
      const r = await cli(...argv);
      assert.equal(r.code, 2, argv.join(" "));
      assert.match(r.stderr, /Usage: bubu/, argv.join(" "));
      assert.equal(r.stdout, "", argv.join(" "));
    }
    const kind = await cli("init", "x", "--kind", "cron");
    assert.match(kind.stderr, /--kind must be one of batch, streaming, impulse, dual/);
    const story = await cli("story");
    assert.match(story.stderr, /^Usage: bubu story <command>/);
    assert.match(story.stderr, /run <story\.yaml>/);
    assert.match((await cli("story", "walk")).stderr, /unknown story command "walk"/);
  });

  test("a missing file is a usage error; a file without a component says what to export", async () => {
    const missing = await cli("template", "no/such/file.ts");
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no such file: no\/such\/file\.ts/);
    const none = await cli("template", "src/cli/args.ts");
    assert.equal(none.code, 2);
    assert.match(none.stderr, /exports no component/);
  });

  test("a file that does not load: the file, line and column (syntax error, throw at load), exit 1", async () => {
    mkdirSync(join(repoRoot, ".cache"), { recursive: true });
    const dir = mkdtempSync(join(repoRoot, ".cache/cli-load-"));
    try {
      writeFileSync(join(dir, "syn.ts"), "export const = ;\n");
      writeFileSync(join(dir, "boom.ts"), 'function f() {\n  throw new Error("boom at load");\n}\nf();\n');
      for (const command of ["template", "run"]) {
        const syn = await cli(command, relative(repoRoot, join(dir, "syn.ts")));
        assert.equal(syn.code, 1);
        // Node (the stack's header), Bun (its build messages), Deno (its code frame): all say where.
        assert.match(syn.stderr, /^bubu: cannot load .*syn\.ts/);
        assert.match(syn.stderr, /syn\.ts:1:14\b/, syn.stderr);
        assert.match(syn.stderr, /export const = ;/, syn.stderr);
        const boom = await cli(command, relative(repoRoot, join(dir, "boom.ts")));
        assert.equal(boom.code, 1);
        assert.match(boom.stderr, /^bubu: cannot load .*boom\.ts: Error: boom at load\n/);
        assert.match(boom.stderr, /\n {4}at .*boom\.ts:2:\d+\)?\n {4}at .*boom\.ts:4:1\b/, boom.stderr);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a throw at load: the frames down to the file, all of them with BUBU_DEBUG", () => {
    const path = "/p/boom.ts";
    const err = new Error("boom");
    err.stack = `Error: boom\n    at lib (/p/node_modules/lib/index.js:1:1)\n    at ${path}:3:1\n    at ModuleJob.run (node:internal/modules/esm/module_job:343:25)`;
    assert.equal(
      describeLoadError(err, "boom.ts", path, false),
      `cannot load boom.ts: Error: boom\n    at lib (/p/node_modules/lib/index.js:1:1)\n    at ${path}:3:1\n  (BUBU_DEBUG=1 shows the whole stack)`,
    );
    assert.equal(describeLoadError(err, "boom.ts", path, true), `cannot load boom.ts: ${err.stack}`);
    assert.equal(describeLoadError("str", "x.ts", "/p/x.ts", false), "cannot load x.ts: str");
  });

  test("bubu --version is the package's", async () => {
    assert.equal((await cli("--version")).stdout, `${SDK_VERSION}\n`);
  });
});

describe("flag parsing", () => {
  test("values, inline values, switches, passthrough and --", () => {
    const p = parseArgs(["a.ts", "--name=x", "--inputs", "{}", "--force", "--", "--raw"], {
      values: ["name"],
      switches: ["force"],
      passthrough: ["inputs"],
    });
    assert.deepEqual(p.positionals, ["a.ts"]);
    assert.deepEqual(p.values, { name: "x" });
    assert.ok(p.switches.has("force"));
    assert.deepEqual(p.rest, ["--inputs", "{}", "--raw"]);
    assert.equal(p.help, false);
  });

  test("unknown options, missing values and repeated flags are usage errors", () => {
    assert.throws(() => parseArgs(["--x"], {}), UsageError);
    assert.throws(() => parseArgs(["-x"], {}), /unknown option -x/);
    assert.throws(() => parseArgs(["--name"], { values: ["name"] }), /--name needs a value/);
    assert.throws(() => parseArgs(["--name", "a", "--name", "b"], { values: ["name"] }), /given twice/);
    assert.throws(() => parseArgs(["--force=1"], { switches: ["force"] }), /takes no value/);
  });

  test("a lastWins flag may be repeated, the last one counting (a script's default, then the user's)", () => {
    const spec = { values: ["story", "name"], lastWins: ["story"] };
    assert.deepEqual(parseArgs(["--story", "hello", "--story=other"], spec).values, { story: "other" });
    assert.throws(() => parseArgs(["--story", "a", "--name", "x", "--name", "y"], spec), /--name given twice/);
  });
});

test("the versions bubu writes are package.json's", () => {
  const pkg = JSON.parse(readFileSync(resolve(repoRoot, "package.json"), "utf8")) as {
    version: string;
    peerDependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  assert.equal(SDK_VERSION, pkg.version);
  assert.deepEqual({ ...PEER_RANGES }, pkg.peerDependencies);
  assert.equal(BUN_RANGE, pkg.devDependencies.bun);
  assert.equal(TYPES_NODE_RANGE, pkg.devDependencies["@types/node"]);
  assert.equal(TYPESCRIPT_RANGE, pkg.devDependencies.typescript);
});

describe("bubu run, as a child process", { timeout: 120_000 }, () => {
  const bubu = "src/cli/bubu.ts";

  test("batch: --inputs and --config; a bad input exits 1 with the structured error", async () => {
    const r = await runScript(bubu, {
      args: ["run", "examples/hello-batch/engram.ts", "--inputs", '{"name":"Ada"}', "--config", '{"greeting":"Hi"}'],
    });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { message: "Hi, Ada.", length: 8 });
    const bad = await runScript(bubu, { args: ["run", "examples/hello-batch/engram.ts", "--inputs", '{"name":""}'] });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /"type":"validation_error"/);
  });

  test("streaming: NDJSON on stdin, --config into the engram's config", async () => {
    const r = await runScript(bubu, {
      args: ["run", "examples/echo-stream/engram.ts", "--config", '{"prefix":"> "}'],
      stdin: '{"kind":"data","payload":{"text":"hi"},"metadata":{"k":"v"}}\n',
    });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { kind: "data", payload: { text: "> HI" }, metadata: { k: "v" } });
  });

  test("--mode is for dual engrams only; --inputs is not for streaming", async () => {
    const mode = await runScript(bubu, { args: ["run", "examples/hello-batch/engram.ts", "--mode", "streaming"] });
    assert.equal(mode.code, 2);
    assert.match(mode.stderr, /--mode is for dual engrams/);
    const inputs = await runScript(bubu, {
      args: ["run", "examples/echo-stream/engram.ts", "--inputs", "{}"],
      stdin: "",
    });
    assert.equal(inputs.code, 2);
    assert.match(inputs.stderr, /--inputs is for batch runs/);
  });
});
