/**
 * The `Execution context hydrated` debug record (`BUBU_DEBUG`, as the Go SDK logs it): names and
 * truncated previews only, never secret values.
 * @module
 */
import type { Secrets } from "../engram/secrets.ts";
import type { LogAttrs } from "../observability/logger.ts";
import type { BatchSettings } from "./settings.ts";

const PREVIEW_BYTES = 2048;

/** Truncates a JSON preview at 2048 bytes plus `...(truncated)`, as Go does. */
export function preview(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? "";
  } catch {
    return "(unserializable)";
  }
  const bytes = new TextEncoder().encode(text);
  if (bytes.byteLength <= PREVIEW_BYTES) return text;
  return new TextDecoder().decode(bytes.subarray(0, PREVIEW_BYTES)).replace(/\uFFFD$/, "") + "...(truncated)";
}

/** Attributes of the debug record. */
export function debugPreview(settings: BatchSettings, config: unknown, secrets: Secrets): LogAttrs {
  const info = settings.storyInfo;
  return {
    story: info.storyName,
    storyRun: info.storyRunID,
    step: info.stepName,
    stepRun: info.stepRunID,
    namespace: info.stepRunNamespace,
    mode: "batch",
    startedAt: settings.startedAt.toISOString(),
    inputFields: Object.keys(settings.inputs).sort(),
    inputsPreview: preview(settings.inputs),
    configFields: typeof config === "object" && config !== null ? Object.keys(config).sort() : [],
    configPreview: preview(config),
    secretKeys: secrets.names(),
  };
}
