/** Helpers for the media tests: a store that records what the manager hands it, temp dirs. */
import { detectRuntime } from "../../src/runtime/detect.ts";
import { createFileStore } from "../../src/storage/file-store.ts";
import { StorageManager } from "../../src/storage/manager.ts";
import type { Store, StoredBody, WriteMetadata } from "../../src/storage/store.ts";

export { tempDir } from "../storage/support.ts";

/** What one `write` call received, with its metadata evaluated. */
export interface RecordedWrite {
  key: string;
  size: number;
  contentType: string;
  contentMd5: string;
  checksumSha256: string;
}

/** Wraps a store and records every write's key, size and metadata. */
export class RecordingStore implements Store {
  readonly writes: RecordedWrite[] = [];
  readonly #inner: Store;
  constructor(inner: Store) {
    this.#inner = inner;
  }
  get provider(): string {
    return this.#inner.provider;
  }
  async write(key: string, body: Uint8Array, meta: WriteMetadata, signal: AbortSignal): Promise<void> {
    this.writes.push({
      key,
      size: body.length,
      contentType: meta.contentType,
      contentMd5: meta.contentMd5(),
      checksumSha256: await meta.checksumSha256(),
    });
    await this.#inner.write(key, body, meta, signal);
  }
  read(key: string, signal: AbortSignal): Promise<StoredBody> {
    return this.#inner.read(key, signal);
  }
  delete(key: string, signal: AbortSignal): Promise<void> {
    return this.#inner.delete(key, signal);
  }
  close(): Promise<void> {
    return this.#inner.close();
  }
}

/** A manager over a recording file store rooted at `dir`. */
export async function recordingFileManager(dir: string): Promise<{ manager: StorageManager; store: RecordingStore }> {
  const store = new RecordingStore(await createFileStore(detectRuntime().fs, dir));
  return { manager: new StorageManager({ store }), store };
}

/** `n` bytes of a repeating, position-dependent pattern (so truncation or reordering shows). */
export function pattern(n: number, seed = 7): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed + (i >> 8)) & 0xff;
  return out;
}

/** 2026-01-02T03:04:05.000042Z in microseconds. */
export const FIXED_MICROS: number = Date.UTC(2026, 0, 2, 3, 4, 5) * 1000 + 42;

/** The media path grammar (contract storage.md). */
export const MEDIA_PATH_RE: RegExp =
  /^streams\/(?:[a-z0-9._-]{1,64}\/)*(\d{4})\/(\d{2})\/(\d{2})\/(\d+)-(\d{6})-([0-9a-f]{8})\.bin$/;
