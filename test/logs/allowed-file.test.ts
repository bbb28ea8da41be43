// publishLogFile's file policy: allowed roots (defaults, custom lists), `..` and symlink escapes,
// the size cap, and the errors, on the real file system of each runtime.

import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { after, describe, test } from "node:test";
import { loadEnv } from "../../src/env/load.ts";
import {
  DEFAULT_LOG_FILE_MAX_BYTES,
  type LogFilePolicy,
  pathWithinRoot,
  readAllowedLogFile,
  resolveAllowedLogFile,
  resolveLogRoots,
} from "../../src/logs/allowed-file.ts";
import { LogFileError } from "../../src/logs/errors.ts";
import { detectRuntime } from "../../src/runtime/detect.ts";

// Real paths: on some machines the temp dir itself is behind a symlink.
const base = realpathSync(mkdtempSync(join(tmpdir(), "bubu-logs-")));
after(() => rmSync(base, { recursive: true, force: true }));
const allowed = join(base, "allowed");
const outside = join(base, "outside");
mkdirSync(allowed);
mkdirSync(outside);
writeFileSync(join(allowed, "app.log"), "inside\n");
writeFileSync(join(outside, "secret.log"), "outside\n");

const fs = detectRuntime().fs;
/** A policy whose only root is `allowed` (the defaults would admit the whole temp dir). */
function policy(extra: Partial<LogFilePolicy> = {}): LogFilePolicy {
  return { fs, cwd: "/nonexistent-cwd", tempDir: "/nonexistent-tmp", allowedRoots: [allowed], ...extra };
}
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

async function refused(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof LogFileError, `a LogFileError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.match(err.message, message);
    return true;
  });
}

describe("allowed roots", () => {
  test("a file under a root is read; one outside is refused with Go's message", async () => {
    assert.equal(text(await readAllowedLogFile(join(allowed, "app.log"), policy())), "inside\n");
    const path = join(outside, "secret.log");
    await refused(
      readAllowedLogFile(path, policy()),
      "OutsideRoots",
      new RegExp(`^log file path "${path}" is outside allowed roots$`),
    );
  });

  test("`..` cannot climb out of a root; a `..` that stays inside is fine", async () => {
    await refused(
      readAllowedLogFile(`${allowed}/../outside/secret.log`, policy()),
      "OutsideRoots",
      /outside allowed roots/,
    );
    mkdirSync(join(allowed, "sub"), { recursive: true });
    assert.equal(text(await readAllowedLogFile(`${allowed}/sub/../app.log`, policy())), "inside\n");
    // A sibling whose name starts with the root's name is not under the root.
    mkdirSync(`${allowed}-evil`, { recursive: true });
    writeFileSync(`${allowed}-evil/x.log`, "x");
    await refused(readAllowedLogFile(`${allowed}-evil/x.log`, policy()), "OutsideRoots", /outside allowed roots/);
  });

  test("symlinks are resolved: a link inside a root pointing outside is refused, one pointing inside is read", async () => {
    symlinkSync(join(outside, "secret.log"), join(allowed, "escape.log"));
    symlinkSync(outside, join(allowed, "escape-dir"));
    symlinkSync(join(allowed, "app.log"), join(allowed, "alias.log"));
    await refused(
      readAllowedLogFile(join(allowed, "escape.log"), policy()),
      "OutsideRoots",
      /escape\.log" is outside allowed roots/,
    );
    await refused(
      readAllowedLogFile(join(allowed, "escape-dir", "secret.log"), policy()),
      "OutsideRoots",
      /outside allowed roots/,
    );
    assert.equal(await resolveAllowedLogFile(join(allowed, "alias.log"), policy()), join(allowed, "app.log"));
    assert.equal(text(await readAllowedLogFile(join(allowed, "alias.log"), policy())), "inside\n");
  });

  test("a root given through a symlink is resolved too", async () => {
    const link = join(base, "root-link");
    symlinkSync(allowed, link);
    const p = policy({ allowedRoots: [link] });
    assert.deepEqual(await resolveLogRoots(p), [allowed]);
    assert.equal(text(await readAllowedLogFile(join(link, "app.log"), p)), "inside\n");
    assert.equal(text(await readAllowedLogFile(join(allowed, "app.log"), p)), "inside\n");
  });

  test("relative paths and relative roots are resolved against the working directory", async () => {
    const p = policy({ cwd: base, allowedRoots: ["allowed", " ", "./allowed", "missing-dir"] });
    assert.deepEqual(
      await resolveLogRoots(p),
      [allowed, join(base, "missing-dir")],
      "trimmed, deduplicated, unresolvable kept as is",
    );
    assert.equal(text(await readAllowedLogFile("allowed/app.log", p)), "inside\n");
    await refused(
      readAllowedLogFile("outside/secret.log", p),
      "OutsideRoots",
      /^log file path "outside\/secret\.log" is outside/,
    );
  });

  test("defaults: /tmp, /var/tmp, /var/log, the temp dir and the working directory", async () => {
    const p: LogFilePolicy = { fs, cwd: outside, tempDir: allowed };
    const roots = await resolveLogRoots(p);
    for (const r of ["/tmp", "/var/tmp", "/var/log"])
      assert.ok(roots.includes(realpathSync(r)) || roots.includes(r), r);
    assert.ok(roots.includes(allowed) && roots.includes(outside));
    assert.equal(text(await readAllowedLogFile(join(allowed, "app.log"), p)), "inside\n");
    assert.equal(text(await readAllowedLogFile("secret.log", p)), "outside\n", "the cwd is a root");
    await refused(readAllowedLogFile("/etc/passwd", p), "OutsideRoots", /"\/etc\/passwd" is outside allowed roots/);
    // An empty custom list means the defaults.
    assert.deepEqual(await resolveLogRoots({ ...p, allowedRoots: [] }), roots);
  });

  test("a custom BUBU_LOG_ALLOWED_ROOTS list replaces the defaults (colon-separated, parsed by loadEnv)", async () => {
    const limits = loadEnv({ BUBU_LOG_ALLOWED_ROOTS: ` ${outside} :: ${allowed}:` }).limits;
    assert.deepEqual(limits.logAllowedRoots, [outside, allowed]);
    const p: LogFilePolicy = { fs, cwd: "/", tempDir: "/tmp", allowedRoots: limits.logAllowedRoots };
    assert.equal(text(await readAllowedLogFile(join(outside, "secret.log"), p)), "outside\n");
    const only = loadEnv({ BUBU_LOG_ALLOWED_ROOTS: allowed }).limits.logAllowedRoots;
    const tmpFile = join(tmpdir(), `bubu-logs-default-${process.pid}.log`);
    writeFileSync(tmpFile, "t");
    try {
      await refused(
        readAllowedLogFile(tmpFile, { fs, cwd: "/", tempDir: "/tmp", allowedRoots: only }),
        "OutsideRoots",
        /outside allowed roots/,
      );
    } finally {
      rmSync(tmpFile, { force: true });
    }
  });

  test("pathWithinRoot: exact root, children, lookalike siblings, the file-system root", () => {
    assert.equal(pathWithinRoot("/tmp", "/tmp"), true);
    assert.equal(pathWithinRoot("/tmp/a/b", "/tmp"), true);
    assert.equal(pathWithinRoot("/tmp/..a", "/tmp"), true, "a name starting with .. is not a parent step");
    assert.equal(pathWithinRoot("/tmpx/a", "/tmp"), false);
    assert.equal(pathWithinRoot("/etc/passwd", "/"), true);
    assert.equal(pathWithinRoot("", "/tmp"), false);
    assert.equal(pathWithinRoot("/tmp/a", " "), false);
  });
});

describe("file checks", () => {
  test("size cap: exactly the limit is read, one byte over is refused", async () => {
    writeFileSync(join(allowed, "ten.log"), "0123456789");
    writeFileSync(join(allowed, "eleven.log"), "0123456789A");
    assert.equal(text(await readAllowedLogFile(join(allowed, "ten.log"), policy({ maxBytes: 10 }))), "0123456789");
    await refused(
      readAllowedLogFile(join(allowed, "eleven.log"), policy({ maxBytes: 10 })),
      "TooLarge",
      /^log file exceeds max bytes \(11 > 10\)$/,
    );
  });

  test("the default cap is 5 MiB (also when BUBU_LOG_FILE_MAX_BYTES is unset)", async () => {
    assert.equal(DEFAULT_LOG_FILE_MAX_BYTES, 5 * 1024 * 1024);
    assert.equal(loadEnv({}).limits.logFileMaxBytes, DEFAULT_LOG_FILE_MAX_BYTES);
    assert.equal(loadEnv({ BUBU_LOG_FILE_MAX_BYTES: "12" }).limits.logFileMaxBytes, 12);
    const exact = new Uint8Array(DEFAULT_LOG_FILE_MAX_BYTES).fill(97);
    writeFileSync(join(allowed, "five.log"), exact);
    writeFileSync(join(allowed, "five-plus.log"), new Uint8Array(DEFAULT_LOG_FILE_MAX_BYTES + 1));
    assert.equal((await readAllowedLogFile(join(allowed, "five.log"), policy())).length, DEFAULT_LOG_FILE_MAX_BYTES);
    await refused(readAllowedLogFile(join(allowed, "five-plus.log"), policy()), "TooLarge", /\(5242881 > 5242880\)/);
  });

  test("an empty path, a missing file and a directory are refused", async () => {
    mkdirSync(join(allowed, "sub"), { recursive: true });
    await refused(readAllowedLogFile("  ", policy()), "PathRequired", /^log file path is required$/);
    await refused(
      readAllowedLogFile(join(allowed, "missing.log"), policy()),
      "Unresolvable",
      /^failed to resolve log file path: /,
    );
    await refused(
      readAllowedLogFile(join(allowed, "sub"), policy()),
      "NotRegularFile",
      /^log file path must reference a regular file$/,
    );
    await refused(readAllowedLogFile(allowed, policy()), "NotRegularFile", /regular file/);
  });
});
