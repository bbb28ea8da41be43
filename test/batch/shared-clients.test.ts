// A batch run shares its storage manager with publishLogs() while it runs, and uninstalls it
// when it ends, so a later call in the same process never gets a closed manager.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineBatch } from "../../src/engram/batch-engram.ts";
import { startBatch } from "../../src/batch/start-batch.ts";
import { loadEnv } from "../../src/env/load.ts";
import { noopLogger } from "../../src/observability/logger.ts";
import { detectRuntime } from "../../src/runtime/detect.ts";
import type { Runtime } from "../../src/runtime/types.ts";
import { resetSharedStorageManager, sharedStorageManager } from "../../src/storage/shared-manager.ts";
import type { StorageManager } from "../../src/storage/manager.ts";

const runtime: Runtime = { ...detectRuntime(), onSignal: () => () => {}, writeStdout: () => {} };

test("the run's storage manager is shared during the run and uninstalled after it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "bubu-shared-clients-"));
  const env = { BUBU_STORAGE_PROVIDER: "file", BUBU_STORAGE_PATH: dir };
  try {
    let during: StorageManager | undefined;
    let duringAgain: StorageManager | undefined;
    const engram = defineBatch({
      async process() {
        during = await sharedStorageManager(runtime, loadEnv(env));
        duringAgain = await sharedStorageManager(runtime, loadEnv(env));
        return { ok: true };
      },
    });
    const out = await startBatch(engram, { env, args: [], exit: false, logger: noopLogger, runtime });
    assert.equal(out.exitCode, 0);
    assert.ok(during && during === duringAgain, "one manager during the run");
    const after = await sharedStorageManager(runtime, loadEnv(env));
    assert.notEqual(after, during, "a fresh manager after the run, not the closed one");
    await after.writeBlob("probe/after.bin", "application/octet-stream", new Uint8Array([1, 2, 3]));
    assert.deepEqual([...(await after.readBlob("probe/after.bin"))], [1, 2, 3]);
  } finally {
    await resetSharedStorageManager();
    rmSync(dir, { recursive: true, force: true });
  }
});
