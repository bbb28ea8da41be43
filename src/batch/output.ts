/**
 * From `process`'s return value to the `status.output` object: decoded by the output schema,
 * serialized, offloaded to storage when large, validated against the cluster's template.
 * @module
 */
import type { GenericSchema } from "valibot";
import { BubuError } from "../errors/bubu-error.ts";
import { errorText } from "../errors/error-text.ts";
import { decodePayload } from "../process/decode.ts";
import type { JsonObject, PayloadServices } from "../process/payload-services.ts";
import type { BatchSettings } from "./settings.ts";
import type { RunEnd } from "./status.ts";

/** The output to write and the (possibly changed) end of the run. */
export interface FinishedOutput {
  readonly end: RunEnd;
  readonly output?: JsonObject;
}

/**
 * Validates, serializes and offloads the output. A success with a bad output becomes a
 * failure; a failure keeps its error (a storage error is appended as `<err>; <storageErr>`).
 */
export async function finishOutput(
  schema: GenericSchema | undefined,
  returned: unknown,
  end: RunEnd,
  settings: Pick<BatchSettings, "graceMs">,
  seams: PayloadServices,
  terminate?: AbortSignal,
): Promise<FinishedOutput> {
  let value = returned;
  if (value === undefined || value === null) {
    return end.kind === "success" ? { end, output: {} } : { end };
  }
  try {
    if (end.kind === "success") value = decodePayload("output", schema, value, false);
    value = toJsonValue(value);
  } catch (err) {
    return end.kind === "success" ? { end: { kind: "failure", error: err } } : { end };
  }
  if (seams.dehydrateOutput) {
    try {
      value = await seams.dehydrateOutput(value, AbortSignal.timeout(settings.graceMs + 300_000));
    } catch (err) {
      const storageErr = err instanceof Error ? err : new Error(errorText(err));
      if (end.kind === "success") return { end: { kind: "failure", error: storageErr } };
      const combined = new Error(`${errorText(errorOfEnd(end))}; ${errorText(storageErr)}`, { cause: errorOfEnd(end) });
      return { end: { ...end, error: combined } };
    }
  }
  if (!isJsonObject(value)) {
    const err = new BubuError(
      "serialization_error",
      `engram output must be a JSON object (StepRun status.output), got ${describe(value)}`,
      { retryable: false },
    );
    return end.kind === "success" ? { end: { kind: "failure", error: err } } : { end };
  }
  if (end.kind === "success" && seams.validateOutput) {
    try {
      // A SIGTERM ends the lookup: the pod is stopping and the result still has to be written.
      const signal =
        terminate === undefined
          ? AbortSignal.timeout(60_000)
          : AbortSignal.any([AbortSignal.timeout(60_000), terminate]);
      await seams.validateOutput(value, signal);
    } catch (err) {
      return { end: { kind: "failure", error: err }, output: value };
    }
  }
  return { end, output: value };
}

function errorOfEnd(end: RunEnd): unknown {
  return end.kind === "success" ? undefined : end.error;
}

function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return "an array";
  if (v === null) return "null";
  return `a ${typeof v}`;
}

/** A JSON round trip: rejects BigInt, cycles and the like with a serialization error. */
function toJsonValue(value: unknown): unknown {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    throw new BubuError("serialization_error", `failed to marshal output: ${errorText(err)}`, {
      retryable: false,
      cause: err,
    });
  }
  if (text === undefined) {
    throw new BubuError("serialization_error", `failed to marshal output: ${describe(value)} is not JSON`, {
      retryable: false,
    });
  }
  return JSON.parse(text);
}
