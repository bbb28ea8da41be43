import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as v from "valibot";
import { type RunnableBatch, runBatch } from "../../src/batch/run-batch.ts";
import type { StepRunStatusUpdate } from "../../src/batch/status.ts";
import { defineBatch } from "../../src/engram/batch-engram.ts";
import { Secrets } from "../../src/engram/secrets.ts";
import { BubuError } from "../../src/errors/bubu-error.ts";
import { captureLogger, deps, settings } from "./fixtures.ts";

const greet = defineBatch({
  config: v.object({ greeting: v.optional(v.string(), "Hello") }),
  inputs: v.object({ name: v.pipe(v.string(), v.minLength(1)) }),
  output: v.object({ message: v.string() }),
  process: (_ctx, { name }) => ({ message: `hi ${name}` }),
});

describe("runBatch success", () => {
  test("writes Succeeded with the output, duration and no exit code", async () => {
    const writes: StepRunStatusUpdate[] = [];
    const out = await runBatch(
      greet,
      deps({
        settings: settings({ inputs: { name: "Ada" } }),
        services: {
          writeStatus: (s) => {
            writes.push(s);
            return Promise.resolve();
          },
        },
      }),
    );
    assert.equal(out.exitCode, 0);
    assert.equal(writes.length, 1);
    const s = writes[0];
    assert.deepEqual(Object.keys(s), ["phase", "finishedAt", "duration", "exitClass", "output"]);
    assert.equal(s.phase, "Succeeded");
    assert.equal(s.exitClass, "success");
    assert.deepEqual(s.output, { message: "hi Ada" });
    assert.match(s.finishedAt as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(s.duration as string, /^1\.\d+s$|^[12](\.\d+)?s$/);
  });

  test("undefined output becomes {}", async () => {
    const none: RunnableBatch<unknown, unknown, unknown> = { process: () => undefined };
    assert.deepEqual((await runBatch(none, deps())).output, {});
  });

  test("init receives decoded config (defaults applied) and the secrets", async () => {
    let seen: unknown;
    let secret: string | undefined;
    const e = defineBatch({
      config: v.object({ greeting: v.optional(v.string(), "Hello"), n: v.number() }),
      init(ctx) {
        seen = ctx.config;
        secret = ctx.secrets.get("API");
      },
      process: () => ({}),
    });
    const out = await runBatch(
      e,
      deps({
        settings: settings({ config: { n: 3 } }),
        openSecrets: () => Promise.resolve(new Secrets({ API: "s3cr3t" })),
      }),
    );
    assert.equal(out.exitCode, 0);
    assert.deepEqual(seen, { greeting: "Hello", n: 3 });
    assert.equal(secret, "s3cr3t");
  });
});

describe("runBatch failures", () => {
  test("invalid inputs: validation_error, exit 1, path of the bad field", async () => {
    const out = await runBatch(greet, deps({ settings: settings({ inputs: { name: 42 } }) }));
    assert.equal(out.exitCode, 1);
    assert.equal(out.status.phase, "Failed");
    assert.equal(out.status.exitCode, 1);
    assert.equal(out.status.exitClass, "terminal");
    assert.equal(out.status.error?.type, "validation_error");
    // The provider's message wins in status.error (Go's merge); lastFailureMsg keeps the wrapper.
    assert.match(out.status.error?.message as string, /^inputs validation failed at name: /);
    assert.match(
      out.status.lastFailureMsg as string,
      /^failed to unmarshal inputs into the target type: inputs validation failed at name: /,
    );
    assert.equal((out.status.error?.details as { path: string }).path, "name");
    assert.equal(out.status.error?.retryable, false);
  });

  test("invalid config: validation_error naming the field", async () => {
    const out = await runBatch(greet, deps({ settings: settings({ config: { greeting: 5 }, inputs: { name: "x" } }) }));
    assert.equal(out.exitCode, 1);
    assert.equal(out.status.error?.type, "validation_error");
    assert.match(
      out.status.lastFailureMsg as string,
      /^failed to unmarshal config: config validation failed at greeting/,
    );
  });

  test("strict decoding rejects unknown keys", async () => {
    const out = await runBatch(
      greet,
      deps({ settings: settings({ strictUnmarshal: true, inputs: { name: "x", extra: 1 } }) }),
    );
    assert.equal(out.exitCode, 1);
    assert.match(out.status.lastFailureMsg as string, /unknown key "extra"/);
    const lax = await runBatch(greet, deps({ settings: settings({ inputs: { name: "x", extra: 1 } }) }));
    assert.equal(lax.exitCode, 0);
  });

  test("init throwing: initialization_error, exit 1, process never runs", async () => {
    let processed = false;
    const e: RunnableBatch<unknown, unknown, unknown> = {
      init() {
        throw new Error("no database");
      },
      process() {
        processed = true;
        return {};
      },
    };
    const out = await runBatch(e, deps());
    assert.equal(out.exitCode, 1);
    assert.equal(processed, false);
    assert.equal(out.status.lastFailureMsg, "engram initialization failed: no database");
    assert.equal(out.status.error?.type, "initialization_error");
  });

  test("process throwing a plain Error: execution_error, exit 1", async () => {
    const out = await runBatch(
      {
        process() {
          throw new Error("boom");
        },
      },
      deps(),
    );
    assert.equal(out.exitCode, 1);
    assert.deepEqual(out.status.error, {
      version: "v1",
      type: "execution_error",
      message: "boom",
      retryable: false,
      exitCode: 1,
      exitClass: "terminal",
    });
  });

  test("process throwing non-Error values", async () => {
    const s = await runBatch(
      {
        process() {
          throw "just a string";
        },
      },
      deps(),
    );
    assert.equal(s.exitCode, 1);
    assert.equal(s.status.lastFailureMsg, "just a string");
    const o = await runBatch(
      {
        process() {
          throw { code: 7 };
        },
      },
      deps(),
    );
    assert.equal(o.exitCode, 1);
    assert.equal(o.status.lastFailureMsg, 'non-Error value thrown: {"code":7}');
    const u = await runBatch(
      {
        process() {
          return Promise.reject(undefined);
        },
      },
      deps(),
    );
    assert.equal(u.exitCode, 1);
    assert.equal(u.status.phase, "Failed");
  });

  test("non-object output: serialization_error, exit 1", async () => {
    for (const value of ["text", 42, [1, 2], true]) {
      const out = await runBatch({ process: () => value }, deps());
      assert.equal(out.exitCode, 1, String(value));
      assert.equal(out.status.error?.type, "serialization_error");
      assert.match(out.status.lastFailureMsg as string, /engram output must be a JSON object/);
    }
    const big = await runBatch({ process: () => ({ n: 10n }) }, deps());
    assert.equal(big.exitCode, 1);
    assert.match(big.status.lastFailureMsg as string, /failed to marshal output/);
  });

  test("output failing its schema: validation_error, output kept", async () => {
    const e = defineBatch({ output: v.object({ message: v.string() }), process: () => ({ message: 1 }) as never });
    const out = await runBatch(e, deps());
    assert.equal(out.exitCode, 1);
    assert.equal(out.status.error?.type, "validation_error");
    assert.match(out.status.lastFailureMsg as string, /output validation failed at message/);
  });

  test("a provider's exitClass is honoured, including rateLimited", async () => {
    const out = await runBatch(
      {
        process() {
          throw new BubuError("execution_error", "slow down", { exitClass: "rateLimited" });
        },
      },
      deps(),
    );
    assert.equal(out.status.exitClass, "rateLimited");
    assert.equal(out.status.error?.exitClass, "rateLimited");
    assert.equal(out.status.error?.retryable, true);
  });

  test("secret expansion failure: no value in any output", async () => {
    const { lines, logger } = captureLogger();
    const out = await runBatch(
      greet,
      deps({
        logger,
        openSecrets: () =>
          Promise.reject(new Error('secret expansion failed: secret "DB" (file): open /nope: not found')),
      }),
    );
    assert.equal(out.exitCode, 1);
    assert.match(
      out.status.lastFailureMsg as string,
      /^failed to expand secrets: secret expansion failed: secret "DB" \(file\)/,
    );
  });

  test("credentials in error messages are redacted in the status", async () => {
    const e: RunnableBatch<unknown, unknown, unknown> = {
      init(ctx) {
        throw new Error(`login failed: password=${ctx.secrets.require("PW")} Authorization: Bearer abc.def`);
      },
      process: () => ({}),
    };
    const out = await runBatch(e, deps({ openSecrets: () => Promise.resolve(new Secrets({ PW: "hunter2" })) }));
    const text = JSON.stringify(out.status);
    assert.equal(text.includes("hunter2"), false);
    assert.equal(text.includes("abc.def"), false);
    assert.match(out.status.lastFailureMsg as string, /password=\[REDACTED\]/);
  });

  test("status write failure after success: exit 1, outcome says why", async () => {
    const out = await runBatch(
      { process: () => ({}) },
      deps({ services: { writeStatus: () => Promise.reject(new Error("500")) } }),
    );
    assert.equal(out.exitCode, 1);
    assert.equal((out.statusError as Error).message, "500");
  });
});

describe("runBatch deadlines and signals", () => {
  const fast = (over = {}) => settings({ stepTimeoutNs: 50_000_000n, graceMs: 50, ...over });

  test("process ignoring its signal is abandoned after the grace: Timeout, 124", async () => {
    const hang: RunnableBatch<unknown, unknown, unknown> = { process: () => new Promise(() => {}) };
    const t0 = Date.now();
    const out = await runBatch(hang, deps({ settings: fast() }));
    assert.ok(Date.now() - t0 < 2000);
    assert.equal(out.exitCode, 124);
    assert.equal(out.abandoned, true);
    assert.equal(out.status.phase, "Timeout");
    assert.equal(out.status.exitCode, 124);
    assert.equal(out.status.exitClass, "retry");
    assert.equal(out.status.error?.type, "timeout");
    assert.equal(out.status.error?.retryable, true);
    assert.match(
      out.status.lastFailureMsg as string,
      /^batch execution timed out after 50ms: engram did not return within 50ms/,
    );
  });

  test("process honouring the signal: Timeout with its error as the cause", async () => {
    const polite: RunnableBatch<unknown, unknown, unknown> = {
      process: (ctx) =>
        new Promise((_, reject) => ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason))),
    };
    const out = await runBatch(polite, deps({ settings: fast() }));
    assert.equal(out.exitCode, 124);
    assert.equal(out.abandoned, false);
    // Go's text: the reason is ctx.Err() at the deadline.
    assert.equal(out.status.lastFailureMsg, "batch execution timed out after 50ms: context deadline exceeded");
    assert.equal(out.status.error?.message, "batch execution timed out after 50ms: context deadline exceeded");
  });

  test("success after the deadline still counts as Timeout, output kept (Go)", async () => {
    const late: RunnableBatch<unknown, unknown, unknown> = {
      process: () => new Promise((r) => setTimeout(() => r({ done: true }), 80)),
    };
    const out = await runBatch(late, deps({ settings: fast({ graceMs: 500 }) }));
    assert.equal(out.exitCode, 124);
    assert.deepEqual(out.status.output, { done: true });
    assert.equal(out.status.lastFailureMsg, "batch execution timed out after 50ms: context deadline exceeded");
  });

  test("SIGTERM mid-process: Failed, 143, retry, never Succeeded", async () => {
    const term = new AbortController();
    const e: RunnableBatch<unknown, unknown, unknown> = {
      process: (ctx) =>
        new Promise((resolve) => ctx.signal.addEventListener("abort", () => resolve({ partial: true }))),
    };
    setTimeout(() => term.abort("SIGTERM"), 20);
    const out = await runBatch(e, deps({ terminate: term.signal }));
    assert.equal(out.exitCode, 143);
    assert.equal(out.status.phase, "Failed");
    assert.equal(out.status.exitCode, 143);
    assert.equal(out.status.exitClass, "retry");
    assert.equal(out.status.error?.code, "SIGTERM");
    assert.match(out.status.lastFailureMsg as string, /terminated by SIGTERM/);
  });

  test("SIGINT gives 130", async () => {
    const term = new AbortController();
    term.abort("SIGINT");
    const out = await runBatch(
      { process: (ctx) => new Promise((_, rej) => (ctx.signal.aborted ? rej(ctx.signal.reason) : undefined)) },
      deps({ terminate: term.signal }),
    );
    assert.equal(out.exitCode, 130);
  });

  test("a deadline during init is Failed/1 as in Go, not a timeout", async () => {
    const e: RunnableBatch<unknown, unknown, unknown> = {
      init: (ctx) =>
        new Promise((_, reject) => ctx.signal.addEventListener("abort", () => reject(new Error("init cancelled")))),
      process: () => ({}),
    };
    const out = await runBatch(e, deps({ settings: fast() }));
    assert.equal(out.exitCode, 1);
    assert.equal(out.status.phase, "Failed");
  });
});
