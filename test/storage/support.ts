/** Helpers for the storage tests: managers over the S3 peer or a temp dir, and direct reads. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { detectRuntime } from "../../src/runtime/detect.ts";
import type { FetchFn } from "../../src/runtime/types.ts";
import { createFileStore } from "../../src/storage/file-store.ts";
import { StorageManager, type StorageManagerOptions } from "../../src/storage/manager.ts";
import { S3Store, type S3StoreOptions } from "../../src/storage/s3/s3-store.ts";
import type { S3Peer } from "../peers/s3/peer.ts";

/** A unique id so tests never see each other's objects. */
export function uniqueId(label: string): string {
  return `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** An S3 store on the peer; `overrides` replace any setting (credentials, fetch, bucket, …). */
export function peerStore(peer: S3Peer, overrides: Partial<S3StoreOptions> = {}): S3Store {
  return new S3Store({
    bucket: peer.bucket,
    region: peer.region,
    endpoint: peer.endpoint,
    forcePathStyle: true,
    maxAttempts: 3,
    maxBackoffMs: 50,
    requestTimeoutMs: 30_000,
    partSize: 5 * 1024 * 1024,
    concurrency: 4,
    sse: undefined,
    sseKmsKey: undefined,
    credentials: () => Promise.resolve({ accessKeyId: peer.accessKey, secretAccessKey: peer.secretKey }),
    fetch: (input, init) => fetch(input, init),
    retryBaseMs: 10,
    ...overrides,
  });
}

/** A manager over the peer. */
export function peerManager(
  peer: S3Peer,
  options: StorageManagerOptions = {},
  store?: Partial<S3StoreOptions>,
): StorageManager {
  return new StorageManager({ maxInlineSize: 1024, ...options, store: peerStore(peer, store) });
}

/** The object's bytes as versitygw stored them on disk (the posix backend: one file per object). */
export function readObjectFile(peer: S3Peer, key: string): Uint8Array {
  return new Uint8Array(readFileSync(join(peer.dataDir, peer.bucket, key)));
}

/** A fresh temp dir and its cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "bubu-storage-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A manager over a file store in `dir`. */
export async function fileManager(dir: string, options: StorageManagerOptions = {}): Promise<StorageManager> {
  return new StorageManager({ maxInlineSize: 1024, ...options, store: await createFileStore(detectRuntime().fs, dir) });
}

/** A fetch that answers the first `n` calls itself (`respond`), then forwards. Counts calls. */
export function flakyFetch(n: number, respond: () => Response): { fetch: FetchFn; calls: () => number } {
  let calls = 0;
  return {
    fetch: (input, init) => {
      calls++;
      return calls <= n ? Promise.resolve(respond()) : fetch(input, init);
    },
    calls: () => calls,
  };
}

export const text = (b: Uint8Array): string => new TextDecoder().decode(b);
