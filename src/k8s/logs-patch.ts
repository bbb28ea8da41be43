/**
 * The status update that points `StepRun.status.logs` at an uploaded log blob, as a storage ref.
 * Pure; send it with `patchStepRunStatus` (no phase, 5s timeout).
 * @module
 */

import type { StepRunStatusUpdate } from "./steprun-merge.ts";

/** What was uploaded. */
export interface LogsRef {
  /** The storage object path (`<ns>/logs/<storyRun>/<step>/<stepRun>/<unixNano>.log`). */
  readonly path: string;
  /** The content type it was stored with; `text/plain; charset=utf-8` when empty. */
  readonly contentType?: string;
  /** `bubu://engram/<ns>/<engram>/logs` or the story fallbacks; omitted when unknown. */
  readonly schema?: string;
  /** Written only together with a schema. */
  readonly schemaVersion?: string;
}

/** Go's `defaultLogContentType`. */
export const DEFAULT_LOG_CONTENT_TYPE = "text/plain; charset=utf-8";

/**
 * `{logs: {"$bubuStorageRef", "$bubuStorageContentType", "$bubuStorageSchema"?,
 * "$bubuStorageSchemaVersion"?}}`: the schema only when known, its version only with a schema.
 */
export function buildLogsStatusUpdate(ref: LogsRef): StepRunStatusUpdate {
  const contentType = (ref.contentType ?? "").trim() || DEFAULT_LOG_CONTENT_TYPE;
  const logs: Record<string, string> = {
    $bubuStorageRef: ref.path,
    $bubuStorageContentType: contentType,
  };
  const schema = (ref.schema ?? "").trim();
  if (schema !== "") {
    logs["$bubuStorageSchema"] = schema;
    const version = (ref.schemaVersion ?? "").trim();
    if (version !== "") logs["$bubuStorageSchemaVersion"] = version;
  }
  return { logs };
}
