/**
 * Log publishing: the object path, the schema metadata and the upload of the raw blob. Shared by
 * the batch runner's captured-log publish and the public `publishLogs*`.
 * @module
 */
import type { BubuEnv } from "../env/load.ts";
import { DEFAULT_LOG_CONTENT_TYPE, type LogsRef } from "../k8s/logs-patch.ts";
import { StorageError } from "./errors.ts";
import { joinPath } from "./go-path.ts";
import type { StorageManager } from "./manager.ts";
import { namespacedKey } from "./refs.ts";

/** A log path segment: runs outside `[a-zA-Z0-9._-]` become `-`, then `-_.` are trimmed. */
export function sanitizeLogSegment(raw: string): string {
  const cleaned = raw.trim().replace(/[^a-zA-Z0-9._-]+/g, "-");
  return cleaned.replace(/^[-_.]+|[-_.]+$/g, "");
}

/** Identity that names a log object. */
export interface LogIdentity {
  /** The client namespace (`ResolvePodNamespace`). */
  readonly namespace: string;
  readonly storyRun: string;
  readonly stepName: string;
  readonly stepRunID: string;
}

/**
 * `<ns>/logs/<storyRun>/<step>/<stepRun>/<unixNano>.log` (empty segments skipped); `""` without a
 * StepRun name or namespace (see {@link namespacedKey}).
 */
export function buildLogStoragePath(id: LogIdentity, unixNano: bigint): string {
  if (id.stepRunID.trim() === "") return "";
  const segments = ["logs"];
  for (const s of [id.storyRun, id.stepName, id.stepRunID]) {
    const v = sanitizeLogSegment(s);
    if (v !== "") segments.push(v);
  }
  segments.push(`${unixNano}.log`);
  return namespacedKey(id.namespace, joinPath(...segments));
}

/**
 * The `$bubuStorageSchema` id for `kind` (`output` or `logs`) and its version: the Engram's when
 * known, else the Story step's; the Engram's version, else the Story's.
 */
export function schemaMetadata(
  kind: "output" | "logs",
  namespace: string,
  env: BubuEnv,
): { schema: string; schemaVersion: string } {
  const ns = namespace.trim();
  const engram = env.identity.engramName.trim();
  const story = env.storyInfo.storyName.trim();
  const step = env.storyInfo.stepName.trim();
  let schema = "";
  if (ns !== "" && engram !== "") schema = `bubu://engram/${ns}/${engram}/${kind}`;
  else if (ns !== "" && story !== "" && step !== "") schema = `bubu://story/${ns}/${story}/steps/${step}/${kind}`;
  else if (story !== "" && step !== "") schema = `bubu://story/${story}/steps/${step}/${kind}`;
  const schemaVersion = env.identity.engramVersion.trim() || env.identity.storyVersion.trim();
  return { schema, schemaVersion };
}

/** The log identity of the StepRun `stepRunID` (default `BUBU_STEPRUN_NAME`) as `env` describes it. */
export function logIdentityFromEnv(env: BubuEnv, stepRunID: string = env.storyInfo.stepRunID): LogIdentity {
  const info = env.storyInfo;
  return { namespace: env.namespaces.client, storyRun: info.storyRunID, stepName: info.stepName, stepRunID };
}

let lastUnixNano = 0n;

/**
 * Now in Unix ns, strictly increasing within the process: two publishes in the same millisecond
 * must not name (and overwrite) the same object.
 */
export function logUnixNano(): bigint {
  const micros = BigInt(Math.floor((performance.timeOrigin + performance.now()) * 1000));
  let now = micros * 1000n;
  if (now <= lastUnixNano) now = lastUnixNano + 1n;
  lastUnixNano = now;
  return now;
}

/** Options of {@link uploadLogBlob}. */
export interface UploadLogBlobOptions {
  readonly signal?: AbortSignal;
  /** The object name's timestamp; default now. */
  readonly unixNano?: bigint;
}

/**
 * Writes `bytes` as a raw blob (no StoredObject wrapper) at {@link buildLogStoragePath} with
 * `contentType` (blank: `text/plain; charset=utf-8`) and returns the ref for
 * `buildLogsStatusUpdate`. The caller checks that storage is enabled.
 */
export async function uploadLogBlob(
  manager: StorageManager,
  id: LogIdentity,
  env: BubuEnv,
  bytes: Uint8Array,
  contentType: string,
  options: UploadLogBlobOptions = {},
): Promise<LogsRef> {
  const path = buildLogStoragePath(id, options.unixNano ?? logUnixNano());
  if (path === "") throw new StorageError("failed to build log storage path");
  const ctype = contentType.trim() || DEFAULT_LOG_CONTENT_TYPE;
  await manager.writeBlob(path, ctype, bytes, options.signal ? { signal: options.signal } : {});
  const meta = schemaMetadata("logs", id.namespace, env);
  return {
    path,
    contentType: ctype,
    ...(meta.schema !== "" ? { schema: meta.schema, schemaVersion: meta.schemaVersion } : {}),
  };
}
