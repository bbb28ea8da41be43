// Process-level tests of local mode: a real engram run as a child process of the runtime under
// test, checking stdout, stderr and the exit code for good and bad input.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { runScript } from "../support/spawn.ts";

const HELLO = "examples/hello-batch/engram.ts";
const FIXTURE = "test/batch/fixtures/fixture-engram.ts";

function errorJson(stderr: string): Record<string, unknown> {
  const line = stderr
    .trim()
    .split("\n")
    .filter((l) => l.startsWith('{"version"'))
    .pop();
  assert.ok(line, `no structured error on stderr:\n${stderr}`);
  return JSON.parse(line);
}

describe("local mode: hello-batch", () => {
  test("--inputs JSON: prints the output and exits 0", async () => {
    const r = await runScript(HELLO, { args: ["--inputs", '{"name":"world"}'] });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { message: "Hello, world.", length: 13 });
    // Logs go to stderr locally so stdout stays one JSON document.
    assert.match(r.stderr, /"msg":"greeted"/);
  });

  test("BUBU_TRIGGER_DATA/BUBU_STEP_CONFIG and --config from a file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bubu-local-"));
    const cfg = join(dir, "config.json");
    writeFileSync(cfg, '{"greeting":"Hey","excited":true}');
    const r = await runScript(HELLO, {
      args: ["--config", cfg],
      env: { BUBU_TRIGGER_DATA: '{"name":"Ada","times":2}' },
    });
    rmSync(dir, { recursive: true, force: true });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { message: "Hey, Ada! Hey, Ada!", length: 19 });
  });

  test("malformed BUBU_TRIGGER_DATA: structured error naming it, exit 1", async () => {
    const r = await runScript(HELLO, { env: { BUBU_TRIGGER_DATA: '{"name":' } });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    const e = errorJson(r.stderr);
    assert.equal(e.type, "validation_error");
    assert.match(e.message as string, /^failed to load execution context: BUBU_TRIGGER_DATA: invalid JSON/);
  });

  test("malformed BUBU_STEP_CONFIG: exit 1", async () => {
    const r = await runScript(HELLO, { env: { BUBU_STEP_CONFIG: "[1,2]", BUBU_TRIGGER_DATA: '{"name":"x"}' } });
    assert.equal(r.code, 1);
    assert.match(errorJson(r.stderr).message as string, /BUBU_STEP_CONFIG: expected a JSON object/);
  });

  test("inputs failing the schema: validation_error with the field path", async () => {
    const r = await runScript(HELLO, { args: ["--inputs", '{"name":"x","times":99}'] });
    assert.equal(r.code, 1);
    const e = errorJson(r.stderr);
    assert.equal(e.type, "validation_error");
    assert.equal((e.details as { path: string }).path, "times");
    assert.equal(e.exitCode, 1);
  });

  test("invalid BUBU_STEP_TIMEOUT: error names the variable, exit 1", async () => {
    const r = await runScript(HELLO, { args: ["--inputs", '{"name":"x"}'], env: { BUBU_STEP_TIMEOUT: "5x" } });
    assert.equal(r.code, 1);
    assert.match(errorJson(r.stderr).message as string, /BUBU_STEP_TIMEOUT: invalid Go duration "5x"/);
  });

  test("unknown flag and unreadable --inputs file: the error, the usage, no stack, exit 2", async () => {
    const a = await runScript(HELLO, { args: ["--input", "{}"] });
    assert.equal(a.code, 2);
    const e = errorJson(a.stderr);
    assert.equal(e.message, 'unknown argument "--input" (did you mean --inputs?)');
    assert.equal(e.code, "usage");
    assert.equal(e.exitCode, 2);
    assert.match(a.stderr, /Usage: <engram> \[--inputs <json\|file>\]/);
    assert.doesNotMatch(a.stderr, /\n\s+at /, "no stack trace");
    const b = await runScript(HELLO, { args: ["--inputs", "/no/such/file.json"] });
    assert.equal(b.code, 2);
    assert.match(errorJson(b.stderr).message as string, /^--inputs: cannot read file "\/no\/such\/file.json"/);
    assert.doesNotMatch(b.stderr, /\n\s+at /, "no stack trace");
  });

  test("--inputs that is not a JSON object: a usage error naming the flag, exit 2", async () => {
    for (const bad of ["{bad", "[1,2]", '"Ada"']) {
      const r = await runScript(HELLO, { args: ["--inputs", bad] });
      assert.equal(r.code, 2, `${bad}: ${r.stderr}`);
      const e = errorJson(r.stderr);
      assert.equal(e.code, "usage", bad);
      assert.match(e.message as string, /^--inputs: /, bad);
      assert.match(r.stderr, /Usage: <engram>/, bad);
    }
  });

  test("invalid inputs print the structured error without a stack trace, unless BUBU_DEBUG", async () => {
    const quiet = await runScript(HELLO, { args: ["--inputs", '{"name":5}'] });
    assert.equal(quiet.code, 1);
    assert.equal(errorJson(quiet.stderr).type, "validation_error");
    assert.doesNotMatch(quiet.stderr, /\n\s+at /);
    const debug = await runScript(HELLO, { args: ["--inputs", '{"name":5}'], env: { BUBU_DEBUG: "true" } });
    assert.equal(debug.code, 1);
    assert.match(debug.stderr, /caused by: BubuError: inputs validation failed/);
  });
});

describe("local mode: templating", () => {
  const context = JSON.stringify({ inputs: { who: "story" }, steps: { fetch: { output: { n: 2 } } } });

  test("config and inputs are resolved against BUBU_TEMPLATE_CONTEXT", async () => {
    const r = await runScript(HELLO, {
      args: ["--inputs", '{"name":"{{ .inputs.who }}","times":"{{ .steps.fetch.output.n }}"}'],
      env: { BUBU_TEMPLATE_CONTEXT: context, BUBU_STEP_CONFIG: '{"greeting":"{{ .inputs.who | upper }} says hi"}' },
    });
    assert.equal(r.code, 0, r.stderr);
    // `{{ .steps.fetch.output.n }}` alone is typed: the number 2, which the schema accepts.
    assert.deepEqual(JSON.parse(r.stdout), { message: "STORY says hi, story. STORY says hi, story.", length: 43 });
  });

  test("BUBU_SKIP_INPUT_TEMPLATING leaves inputs literal (config is still resolved)", async () => {
    const r = await runScript(HELLO, {
      args: ["--inputs", '{"name":"{{ .inputs.who }}"}'],
      env: {
        BUBU_TEMPLATE_CONTEXT: context,
        BUBU_SKIP_INPUT_TEMPLATING: "yes",
        BUBU_STEP_CONFIG: '{"greeting":"{{ .inputs.who }}"}',
      },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { message: "story, {{ .inputs.who }}.", length: 25 });
  });

  test("a broken input template: exit 1 with Go's wrapper text", async () => {
    const r = await runScript(HELLO, {
      args: ["--inputs", '{"name":"{{ .inputs.who "}'],
      env: { BUBU_TEMPLATE_CONTEXT: context },
    });
    assert.equal(r.code, 1);
    assert.match(errorJson(r.stderr).message as string, /^failed to resolve input templates: /);
  });
});

describe("local mode: failure paths", () => {
  const SECRET = "sup3r-s3cret-value";

  test("missing required secret: exit 1, names the key only", async () => {
    const r = await runScript(FIXTURE, { args: ["--inputs", '{"mode":"secret"}'] });
    assert.equal(r.code, 1);
    assert.match(errorJson(r.stderr).message as string, /API_KEY/);
  });

  test("a literal secret is usable and never printed", async () => {
    const r = await runScript(FIXTURE, {
      args: ["--inputs", '{"mode":"secret"}'],
      env: { BUBU_SECRET_API_KEY: SECRET, BUBU_DEBUG: "true" },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { length: SECRET.length });
    assert.equal((r.stdout + r.stderr).includes(SECRET), false);
    assert.match(r.stderr, /"secretKeys":\["API_KEY"\]/);
  });

  test("unreadable file: secret: exit 1, no path content", async () => {
    const r = await runScript(FIXTURE, {
      args: ["--inputs", '{"mode":"ok"}'],
      env: { BUBU_SECRET_DB: "file:/definitely/not/here" },
    });
    assert.equal(r.code, 1);
    assert.match(
      errorJson(r.stderr).message as string,
      /^failed to expand secrets: secret expansion failed: secret "DB" \(file\)/,
    );
  });

  test("init throwing: initialization_error, exit 1", async () => {
    const r = await runScript(FIXTURE, { args: ["--inputs", '{"mode":"ok"}'], env: { BUBU_SECRET_FAIL_INIT: "yes" } });
    assert.equal(r.code, 1);
    const e = errorJson(r.stderr);
    assert.equal(e.type, "initialization_error");
    assert.equal(e.message, "engram initialization failed: init refused");
  });

  test("process throwing an Error / a non-Error value: exit 1", async () => {
    const a = await runScript(FIXTURE, { args: ["--inputs", '{"mode":"throw"}'] });
    assert.equal(a.code, 1);
    assert.equal(errorJson(a.stderr).message, "process exploded");
    const b = await runScript(FIXTURE, { args: ["--inputs", '{"mode":"throw-value"}'] });
    assert.equal(b.code, 1);
    assert.equal(errorJson(b.stderr).message, 'non-Error value thrown: {"reason":"not an Error"}');
  });

  test("non-object output: serialization_error, exit 1", async () => {
    const r = await runScript(FIXTURE, { args: ["--inputs", '{"mode":"scalar","value":"just text"}'] });
    assert.equal(r.code, 1);
    assert.equal(errorJson(r.stderr).type, "serialization_error");
  });

  test("hanging past BUBU_STEP_TIMEOUT: forced exit 124 after the grace", async () => {
    const r = await runScript(FIXTURE, {
      args: ["--inputs", '{"mode":"hang"}'],
      env: { BUBU_STEP_TIMEOUT: "300ms", BUBU_SDK_GRACEFUL_SHUTDOWN_TIMEOUT: "200ms" },
    });
    assert.equal(r.code, 124, r.stderr);
    const e = errorJson(r.stderr);
    assert.equal(e.type, "timeout");
    assert.equal(e.exitClass, "retry");
    assert.match(e.message as string, /^batch execution timed out after 300ms: engram did not return within 200ms/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, "the message says it all: no stack of the SDK's frames");
  });

  test("SIGTERM mid-process: exit 143 with an honest error", async () => {
    let sent = false;
    const r = await runScript(FIXTURE, {
      args: ["--inputs", '{"mode":"wait-abort"}'],
      onOutput: (text, child) => {
        if (!sent && text.includes("waiting for abort")) {
          sent = true;
          child.kill("SIGTERM");
        }
      },
    });
    assert.equal(sent, true);
    assert.equal(r.code, 143, r.stderr);
    const e = errorJson(r.stderr);
    assert.equal(e.code, "SIGTERM");
    assert.equal(e.exitClass, "retry");
    assert.match(e.message as string, /terminated by SIGTERM/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, "the message says it all: no stack of the SDK's frames");
  });
});
