/**
 * Storage: `$bubuStorageRef` references, hydration and offload, and the `s3`/`file` providers.
 * @module
 */

export {
  type CreatedStorageManager,
  type CreateStorageManagerOptions,
  createStorageManager,
  type StorageRuntime,
} from "./create-manager.ts";
export { StorageError, type StorageErrorOptions } from "./errors.ts";
export { createFileStore, FileStore } from "./file-store.ts";
export {
  CONFIG_MAP_REF_KEY,
  decodeKubeRefValue,
  type KubeRef,
  type KubeRefClient,
  KubeRefError,
  type KubeRefErrorDetails,
  type KubeRefFormat,
  type KubeRefKind,
  type KubeRefMatch,
  KubeRefResolver,
  type KubeRefResolverOptions,
  type MatchedKubeRef,
  matchKubeRef,
  normalizeKubeRefFormat,
  parseKubeRef,
  SECRET_REF_KEY,
} from "./kube-refs.ts";
export { buildLogStoragePath, type LogIdentity, sanitizeLogSegment, schemaMetadata } from "./logs.ts";
export { type DehydrateOptions, MAX_BULK_OFFLOAD_SIZE, StorageManager, type StorageManagerOptions } from "./manager.ts";
export {
  containsStorageRef,
  findStorageRefPaths,
  isStorageRef,
  namespacedKey,
  STORAGE_CONTENT_TYPE_KEY,
  STORAGE_PATH_KEY,
  STORAGE_REF_KEY,
  STORAGE_SCHEMA_KEY,
  STORAGE_SCHEMA_VERSION_KEY,
  type StorageRef,
  storageRefSelector,
  validateStorageRef,
} from "./refs.ts";
export {
  DEFAULT_CONCURRENCY,
  DEFAULT_PART_SIZE,
  resolveS3Endpoint,
  type S3Settings,
  s3SettingsFromEnv,
} from "./s3/config.ts";
export {
  type CredentialInputs,
  type CredentialSource,
  type CredentialsProvider,
  resolveCredentials,
} from "./s3/credentials.ts";
export { S3ResponseError, S3Store, type S3StoreOptions } from "./s3/s3-store.ts";
export { type AwsCredentials, signV4 } from "./s3/sigv4.ts";
export { parseStoragePath, resolveStoragePath } from "./storage-path.ts";
export type { Store, StoredBody, WriteMetadata } from "./store.ts";
export { encodeStoredObject, refContentType, type StoredContentType } from "./stored-object.ts";
