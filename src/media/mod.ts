/**
 * Media helpers for streaming engrams: audio/video/binary message builders that are checked
 * when built, and offload of large frame bytes to shared storage.
 *
 * @remarks The Go SDK's `media` package (`StorageReference`, `MaybeOffloadBlob`, `ReadBlob`),
 * with the same object paths and reference JSON.
 *
 * @example
 * ```ts
 * import { audioMessage, offloadMediaMessage, resolveMediaMessage } from "@bubustack/sdk/media";
 *
 * const msg = audioMessage(pcm, { sampleRateHz: 16000, channels: 1 });
 * await outbound.send(await offloadMediaMessage(storage, msg, { namespace, storyRun, step }));
 * // downstream:
 * const full = await resolveMediaMessage(storage, inbound);
 * ```
 * @module
 */

export {
  type AudioMessageInit,
  audioMessage,
  type BinaryMessageInit,
  binaryMessage,
  type MediaMessageInit,
  type StructuredMediaInit,
  type VideoMessageInit,
  videoMessage,
} from "./frames.ts";
export { DEFAULT_MEDIA_INLINE_LIMIT, mediaInlineLimit } from "./inline-limit.ts";
export {
  type AudioMediaReference,
  type BinaryMediaReference,
  DEFAULT_MEDIA_READ_MAX_BYTES,
  MEDIA_PATH_PREFIX,
  MEDIA_REF_KEY,
  type MediaReference,
  mediaReferenceOf,
  offloadMediaMessage,
  type ResolveMediaOptions,
  resolveMediaMessage,
  type VideoMediaReference,
} from "./media-message.ts";
export { buildMediaPath, type MediaPathParts, sanitizeMediaSegment } from "./media-path.ts";
export { DEFAULT_MEDIA_CONTENT_TYPE, type MediaWriteOptions, maybeOffloadBlob } from "./offload-blob.ts";
export { type ReadBlobOptions, readBlob } from "./read-blob.ts";
export { parseStorageReference, type StorageReference, storageReferenceJson } from "./storage-reference.ts";
