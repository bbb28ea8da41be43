/**
 * `StorageReference`: where an offloaded media blob lives. Its JSON shape,
 * `{"path", "contentType"?, "sizeBytes"?}`, differs from the `$bubuStorageRef` maps of payload
 * offload.
 * @module
 */
import { StorageError } from "../storage/errors.ts";

/**
 * An object in the shared storage backend. Serializes as `{"path","contentType"?,"sizeBytes"?}`.
 *
 * @remarks The Go SDK's `media.StorageReference`.
 */
export interface StorageReference {
  /** The object path inside the backend (relative, no `..`). */
  readonly path: string;
  /** The MIME type the object was written with. Omitted from JSON when empty. */
  readonly contentType?: string;
  /** The blob's size in bytes. Omitted from JSON when 0 or unknown. */
  readonly sizeBytes?: number;
}

/**
 * The reference with its keys in the wire order (`path`, `contentType`, `sizeBytes`), an empty
 * `contentType` and a zero `sizeBytes` left out, ready for `JSON.stringify`.
 */
export function storageReferenceJson(ref: StorageReference): StorageReference {
  const out: { path: string; contentType?: string; sizeBytes?: number } = { path: ref.path };
  if (ref.contentType) out.contentType = ref.contentType;
  if (ref.sizeBytes) out.sizeBytes = ref.sizeBytes;
  return out;
}

function invalid(reason: string): StorageError {
  return new StorageError(`invalid storage reference: ${reason}`, { code: "InvalidReference" });
}

/**
 * Reads a decoded JSON value as a {@link StorageReference} (unknown keys ignored). Throws a
 * `StorageError` (code `InvalidReference`) when a field has the wrong type.
 */
export function parseStorageReference(value: unknown): StorageReference {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw invalid("expected a JSON object");
  const v = value as Record<string, unknown>;
  const path = v.path ?? "";
  if (typeof path !== "string") throw invalid("path must be a string");
  const out: { path: string; contentType?: string; sizeBytes?: number } = { path };
  if (v.contentType !== undefined && v.contentType !== null) {
    if (typeof v.contentType !== "string") throw invalid("contentType must be a string");
    if (v.contentType !== "") out.contentType = v.contentType;
  }
  if (v.sizeBytes !== undefined && v.sizeBytes !== null) {
    if (typeof v.sizeBytes !== "number" || !Number.isSafeInteger(v.sizeBytes))
      throw invalid("sizeBytes must be an integer");
    if (v.sizeBytes !== 0) out.sizeBytes = v.sizeBytes;
  }
  return out;
}
