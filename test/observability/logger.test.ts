import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import { Secrets } from "../../src/engram/secrets.ts";
import {
  defaultLogger,
  loggerFromContext,
  setDefaultLogger,
  withLogger,
} from "../../src/observability/context-logger.ts";
import { createLogger, LogCapture, noopLogger } from "../../src/observability/logger.ts";
import {
  clearSecretValues,
  MIN_REDACTED_LENGTH,
  redactText,
  redactValue,
  registerSecrets,
  registerSecretValues,
} from "../../src/observability/redaction.ts";

const fixed = () => new Date("2026-05-01T10:00:05.123Z");

describe("JSON logger", () => {
  afterEach(() => {
    clearSecretValues();
    setDefaultLogger(undefined);
  });

  test("Go slog key order and levels; existing exports unchanged", () => {
    const lines: string[] = [];
    const log = createLogger({ sink: (l) => lines.push(l), now: fixed });
    log.debug("hidden");
    log.info("hello", { a: 1, msg: "ignored", n: 5n });
    log.with({ step: "s" }).error("bad", { err: new Error("boom") });
    assert.deepEqual(lines, [
      '{"time":"2026-05-01T10:00:05.123Z","level":"INFO","msg":"hello","a":1,"n":"5"}\n',
      '{"time":"2026-05-01T10:00:05.123Z","level":"ERROR","msg":"bad","step":"s","err":{"name":"Error","message":"boom"}}\n',
    ]);
    assert.equal(noopLogger.enabled("ERROR"), false);
    const cap = new LogCapture(10);
    cap.add("12345\n");
    cap.add("abcdef\n");
    assert.equal(new TextDecoder().decode(cap.bytes()), "abcdef\n");
  });

  test("registered secrets are scrubbed from messages, values at any depth, keys and errors", () => {
    const lines: string[] = [];
    const log = createLogger({ sink: (l) => lines.push(l), now: fixed });
    const off = registerSecrets(new Secrets({ token: "s3cr3t-T0ken", pin: "98761234" }));
    log.info("using s3cr3t-T0ken now", {
      nested: { list: ["x s3cr3t-T0ken y", 98761234], ["key-s3cr3t-T0ken"]: true },
      err: new Error("auth failed for s3cr3t-T0ken"),
      pinNumber: 98761234,
      big: 1987612345n,
    });
    const line = lines[0]!;
    assert.ok(!line.includes("s3cr3t-T0ken"), line);
    assert.ok(!line.includes("98761234"), line);
    const parsed = JSON.parse(line);
    assert.equal(parsed.msg, "using [REDACTED] now");
    assert.deepEqual(parsed.nested, { list: ["x [REDACTED] y", "[REDACTED]"], "key-[REDACTED]": true });
    assert.equal(parsed.err.message, "auth failed for [REDACTED]");
    assert.equal(parsed.pinNumber, "[REDACTED]");
    assert.equal(parsed.big, "1[REDACTED]5");
    off();
    log.info("using s3cr3t-T0ken now");
    assert.ok(lines[1]!.includes("s3cr3t-T0ken"), "unregistered values are no longer scrubbed");
  });

  test("short values are not scrubbed; overlapping secrets are replaced longest first", () => {
    registerSecretValues(["abc", "abcdefgh", "defg"]);
    assert.equal("abc".length < MIN_REDACTED_LENGTH, true);
    assert.equal(redactText("xabcdefghx abc defg"), "x[REDACTED]x abc [REDACTED]");
    assert.deepEqual(redactValue({ a: ["defg"], defg: 1 }), { a: ["[REDACTED]"], "[REDACTED]": 1 });
  });

  test("unregistering one of two registrations keeps the value scrubbed", () => {
    const a = registerSecretValues(["same-secret"]);
    const b = registerSecretValues(["same-secret"]);
    a();
    a();
    assert.equal(redactText("same-secret"), "[REDACTED]");
    b();
    assert.equal(redactText("same-secret"), "same-secret");
  });

  test("withLogger / loggerFromContext", () => {
    const lines: string[] = [];
    const mine = createLogger({ sink: (l) => lines.push(l), now: fixed });
    const ctx = { signal: new AbortController().signal };
    assert.equal(withLogger(ctx, undefined), ctx);
    const withMine = withLogger(ctx, mine);
    assert.equal(loggerFromContext(withMine), mine);
    assert.equal(withMine.signal, ctx.signal);
    assert.ok(!("logger" in ctx), "the original context is not modified");
    assert.equal(loggerFromContext({ logger: mine }), mine);
    const fallback = createLogger({ sink: () => {} });
    setDefaultLogger(fallback);
    assert.equal(loggerFromContext({}), fallback);
    assert.equal(loggerFromContext(undefined), fallback);
    setDefaultLogger(undefined);
    assert.notEqual(defaultLogger(), fallback);
  });
});
