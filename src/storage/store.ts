/**
 * The backend interface under the storage manager: write bytes at a key, read them
 * back as a stream. Providers: `s3` (s3/s3-store.ts) and `file` (file-store.ts).
 * @module
 */

/**
 * Integrity and type metadata over the exact bytes written. The digests are computed on first use:
 * a multipart upload hashes its parts instead, and the file store needs neither, so a large body is
 * never hashed (or copied by Web Crypto) for nothing.
 */
export interface WriteMetadata {
  /** `application/json` for stored objects; the caller's type for blobs. */
  readonly contentType: string;
  /** base64(md5(bytes)). */
  contentMd5(): string;
  /** base64(sha256(bytes)). */
  checksumSha256(): Promise<string>;
}

/** An object being read: its bytes as a stream, and its size when the backend knows it. */
export interface StoredBody {
  readonly stream: ReadableStream<Uint8Array>;
  /** Content length, so the reader can size one buffer instead of growing one. */
  readonly size?: number;
}

/** A storage backend. Keys are slash paths relative to the backend's root. */
export interface Store {
  /** `s3` or `file`. */
  readonly provider: string;
  /** Writes `body` at `key`, replacing any object there. */
  write(key: string, body: Uint8Array, meta: WriteMetadata, signal: AbortSignal): Promise<void>;
  /** The object's bytes as a stream (not buffered by the store when it can avoid it). */
  read(key: string, signal: AbortSignal): Promise<StoredBody>;
  /** Removes the object; a missing object is not an error. */
  delete(key: string, signal: AbortSignal): Promise<void>;
  /** Releases connections. Idempotent. */
  close(): Promise<void>;
}
