/**
 * Captured-log publishing (contract batch.md §7): the object path, the schema metadata and the
 * upload of the raw NDJSON blob.
 * @module
 */
import type { BubuEnv } from "../env/load.ts";
import { joinPath } from "./go-path.ts";
import { namespacedKey } from "./refs.ts";

/** Go's `sanitizeLogSegment`: runs outside `[a-zA-Z0-9._-]` become `-`, then `-_.` are trimmed. */
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
 * StepRun name or namespace (Go's `NamespacedKey`).
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

/** Schema id for `kind` (`output` or `logs`) and version, with Go's fallbacks. */
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
