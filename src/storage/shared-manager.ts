/**
 * The process-wide storage manager (Go's `storage.SharedManager`), for author-facing calls that
 * are not handed a manager (`publishLogs*`). An entry point that already built one installs it
 * with {@link setSharedStorageManager}; otherwise the first call builds it from the environment.
 * @module
 */
import type { BubuEnv } from "../env/load.ts";
import { createStorageManager, type StorageRuntime } from "./create-manager.ts";
import type { StorageManager } from "./manager.ts";

let shared: Promise<StorageManager> | undefined;
let installed = false;

/**
 * The shared manager; built from `env` on first use (a failed build is not cached, so the next
 * call tries again). Later calls get the same manager whatever `env` they pass.
 */
export function sharedStorageManager(runtime: StorageRuntime, env: BubuEnv): Promise<StorageManager> {
  if (shared === undefined) {
    const attempt = createStorageManager(runtime, env).then((created) => created.manager);
    shared = attempt;
    attempt.catch(() => {
      if (shared === attempt) shared = undefined;
    });
  }
  return shared;
}

/**
 * Installs `manager` as the shared one (its owner keeps closing it); `undefined` goes back to
 * building from the environment. A manager built earlier by {@link sharedStorageManager} is closed.
 */
export async function setSharedStorageManager(manager: StorageManager | undefined): Promise<void> {
  const previous = shared;
  const ownedPrevious = !installed;
  shared = manager === undefined ? undefined : Promise.resolve(manager);
  installed = manager !== undefined;
  if (previous !== undefined && ownedPrevious) await closeQuietly(previous);
}

/** Drops the shared manager, closing it when it was built here (tests, shutdown). */
export async function resetSharedStorageManager(): Promise<void> {
  await setSharedStorageManager(undefined);
}

async function closeQuietly(manager: Promise<StorageManager>): Promise<void> {
  try {
    await (await manager).close();
  } catch {
    // The build failed: nothing to close.
  }
}
