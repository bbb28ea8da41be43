/**
 * The context's {@link BlobStorage}: the run's storage manager, built on first use, or a
 * disabled one whose reads and writes throw.
 * @module
 */
import type { BlobStorage } from "../engram/context.ts";
import type { StorageManager } from "../storage/manager.ts";

/** Thrown by a disabled {@link BlobStorage}. */
export class StorageUnavailableError extends Error {
  override readonly name: string = "StorageUnavailableError";
  constructor() {
    super("storage unavailable: set BUBU_STORAGE_PROVIDER (s3 or file) to use shared storage");
  }
}

/** Storage that is configured (`enabled`) or not; `open` builds the manager on first use. */
export function blobStorage(enabled: boolean, open: () => Promise<StorageManager>): BlobStorage {
  const manager = async (): Promise<StorageManager> => {
    if (!enabled) throw new StorageUnavailableError();
    return await open();
  };
  return {
    enabled,
    async writeBlob(path, contentType, data, options) {
      await (await manager()).writeBlob(path, contentType, data, options ?? {});
    },
    async readBlob(path, options) {
      return await (await manager()).readBlob(path, options ?? {});
    },
  };
}
