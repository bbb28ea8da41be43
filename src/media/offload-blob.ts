/**
 * `maybeOffloadBlob`: writes a large media blob to shared storage and returns its reference;
 * small blobs stay inline.
 * @module
 */
import type { EnvSource } from "../env/source.ts";
import type { StorageManager } from "../storage/manager.ts";
import { mediaInlineLimit } from "./inline-limit.ts";
import { buildMediaPath, epochMicrosNow, randomHexSuffix } from "./media-path.ts";
import { processEnv } from "./process-env.ts";
import type { StorageReference } from "./storage-reference.ts";

/** The content type of blobs written without one. */
export const DEFAULT_MEDIA_CONTENT_TYPE: string = "application/octet-stream";

/** How an offloaded blob is named and typed. */
export interface MediaWriteOptions {
  /** The owning namespace (first path segment after `streams/`). */
  readonly namespace: string;
  /** The owning StoryRun. */
  readonly storyRun: string;
  /** The owning step. */
  readonly step: string;
  /** Extra caller-defined path segments (for example a session or track id). */
  readonly scope?: readonly string[];
  /** The MIME type stored with the object; default `application/octet-stream`. */
  readonly contentType?: string;
  /** Offload threshold in bytes; > 0 overrides the env (see {@link mediaInlineLimit}). */
  readonly inlineLimit?: number;
  /** Aborts the write. The manager's `BUBU_STORAGE_TIMEOUT` applies as well. */
  readonly signal?: AbortSignal;
  /** The clock, in microseconds since the epoch (tests pin it; default: now). */
  readonly nowMicros?: () => number;
}

/**
 * Stores `data` when it is larger than the inline limit and returns where it went; returns
 * `undefined` (keep the bytes inline) when storage is disabled (`manager` absent or without a
 * backend), when `data` is empty, or when `data.length <= limit`. The blob is written raw with
 * its content type and MD5/SHA-256 integrity metadata (`StorageManager.writeBlob`).
 *
 * `env` supplies `BUBU_MEDIA_INLINE_SIZE`/`BUBU_MAX_INLINE_SIZE`; default: the process env.
 *
 * @example
 * ```ts
 * const ref = await maybeOffloadBlob(storage, pcm, { namespace, storyRun, step, scope: ["mic"] });
 * if (ref) await outbound.send(newStreamMessage("data", { json: { audioRef: ref } }));
 * ```
 * @throws {StorageError} when the write fails.
 * @remarks The Go SDK's `media.MaybeOffloadBlob`.
 */
export async function maybeOffloadBlob(
  manager: StorageManager | undefined,
  data: Uint8Array,
  opts: MediaWriteOptions,
  env: EnvSource = processEnv(),
): Promise<StorageReference | undefined> {
  if (manager === undefined || !manager.enabled || data.length === 0) return undefined;
  if (data.length <= mediaInlineLimit(opts.inlineLimit, env)) return undefined;
  const contentType =
    opts.contentType !== undefined && opts.contentType.trim() !== "" ? opts.contentType : DEFAULT_MEDIA_CONTENT_TYPE;
  const path = buildMediaPath(opts, (opts.nowMicros ?? epochMicrosNow)(), randomHexSuffix());
  await manager.writeBlob(path, contentType, data, { signal: opts.signal });
  return { path, contentType, sizeBytes: data.length };
}
