/**
 * `readBlob`: the bytes behind a {@link StorageReference}.
 * @module
 */
import { StorageError } from "../storage/errors.ts";
import type { StorageManager } from "../storage/manager.ts";
import type { StorageReference } from "./storage-reference.ts";

/** Options of {@link readBlob}. */
export interface ReadBlobOptions {
  readonly signal?: AbortSignal;
  /** Refuse objects larger than this (`StorageError` code `TooLarge`), before or while reading. */
  readonly maxBytes?: number;
}

/**
 * Reads the raw bytes `ref` points at. Errors are `StorageError`s, checked in this order:
 * `storage reference missing path` (code `MissingPath`), `storage is disabled`
 * (`StorageDisabled`), `invalid storage path: …` for an absolute path or a `..` segment
 * (`InvalidPath`), then `failed to read blob: …` for backend failures.
 *
 * @remarks The Go SDK's `media.ReadBlob`, with the same checks and texts.
 */
export async function readBlob(
  manager: StorageManager | undefined,
  ref: StorageReference | undefined,
  options: ReadBlobOptions = {},
): Promise<Uint8Array> {
  if (ref === undefined || ref === null || typeof ref.path !== "string" || ref.path.trim() === "") {
    throw new StorageError("storage reference missing path", { code: "MissingPath" });
  }
  if (manager === undefined || !manager.enabled)
    throw new StorageError("storage is disabled", { code: "StorageDisabled" });
  return await manager.readBlob(ref.path, { signal: options.signal, maxBytes: options.maxBytes });
}
