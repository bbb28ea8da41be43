// A run owns its clients: `ctx.storage` is the run's storage manager while the run lives, and
// the run closes it when it ends, so a handler that keeps the context gets a clear error later.

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { startBatch } from "../../src/batch/start-batch.ts";
import { defineBatch } from "../../src/engram/batch-engram.ts";
import type { Context } from "../../src/engram/context.ts";
import { noopLogger } from "../../src/observability/logger.ts";
import { detectRuntime } from "../../src/runtime/detect.ts";
import type { Runtime } from "../../src/runtime/types.ts";

const runtime: Runtime = { ...detectRuntime(), onSignal: () => () => {}, writeStdout: () => {} };

test("ctx.storage is the run's storage, closed when the run ends", async () => {
  const dir = mkdtempSync(join(tmpdir(), "bubu-run-clients-"));
  try {
    let kept: Context<unknown> | undefined;
    const engram = defineBatch({
      async process(ctx) {
        kept = ctx;
        assert.equal(ctx.storage.enabled, true);
        await ctx.storage.writeBlob("notes/a.txt", "text/plain", new TextEncoder().encode("hello"));
        const back = await ctx.storage.readBlob("notes/a.txt");
        return { read: new TextDecoder().decode(back) };
      },
    });
    const env = { BUBU_STORAGE_PROVIDER: "file", BUBU_STORAGE_PATH: dir };
    const out = await startBatch(engram, { runtime, env, args: [], exit: false, logger: noopLogger });
    assert.equal(out.exitCode, 0);
    assert.deepEqual(out.output, { read: "hello" });
    assert.equal(readFileSync(join(dir, "notes/a.txt"), "utf8"), "hello", "written where BUBU_STORAGE_PATH points");
    await assert.rejects(kept!.storage.readBlob("notes/a.txt"), /the run has ended/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("without BUBU_STORAGE_PROVIDER ctx.storage is disabled and says how to enable it", async () => {
  let enabled: boolean | undefined;
  let error: unknown;
  const engram = defineBatch({
    async process(ctx) {
      enabled = ctx.storage.enabled;
      await ctx.storage.readBlob("x").catch((err) => (error = err));
      return {};
    },
  });
  const out = await startBatch(engram, { runtime, env: {}, args: [], exit: false, logger: noopLogger });
  assert.equal(out.exitCode, 0);
  assert.equal(enabled, false);
  assert.match(String(error), /storage unavailable: set BUBU_STORAGE_PROVIDER/);
});
