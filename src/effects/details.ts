/**
 * Effect details as stored in `status.effects[].details` and `EffectClaim.spec.details`:
 * JSON as the Go SDK writes it, replaced by a truncation summary over `BUBU_EFFECT_MAX_DETAILS_BYTES`.
 * @module
 */
import { utf8ByteLength } from "../json/go-json.ts";
import type { JsonObject } from "../k8s/merge-patch.ts";
import { sha256Hex, signalTypeSummary } from "../signals/summary.ts";
import { goMarshal } from "../signals/types.ts";

/** Default of `BUBU_EFFECT_MAX_DETAILS_BYTES`. */
export const DEFAULT_EFFECT_MAX_DETAILS_BYTES = 8192;

/**
 * The details object, or undefined for `null`/`undefined`. Over `maxBytes` it becomes
 * `{"truncated":true,"sizeBytes":N,"sha256":"…","type":"…","details":{"len":N}}`; if even that is
 * too large, an error. The CRD types details as an object; a value that is not an object (a string,
 * a number, an array) is stored as `{"value": …}` — the Go SDK sends it raw and the API server
 * refuses the write, after the side effect has already run.
 */
export async function marshalEffectDetails(details: unknown, maxBytes: number): Promise<JsonObject | undefined> {
  if (details === undefined || details === null) return undefined;
  let raw: string;
  try {
    raw = goMarshal(details);
  } catch (err) {
    throw new Error(`failed to marshal effect details: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  const size = utf8ByteLength(raw);
  if (maxBytes > 0 && size > maxBytes) {
    const summary: JsonObject = { truncated: true, sizeBytes: size };
    if (size > 0) summary["sha256"] = await sha256Hex(raw);
    const { type, details: inner } = signalTypeSummary(details);
    summary["type"] = type;
    if (inner !== undefined) summary["details"] = inner;
    if (utf8ByteLength(goMarshal(summary)) > maxBytes)
      throw new Error(`truncated effect details exceed ${maxBytes} bytes`);
    return summary;
  }
  const parsed = JSON.parse(raw) as unknown;
  if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) return parsed as JsonObject;
  return { value: parsed };
}
