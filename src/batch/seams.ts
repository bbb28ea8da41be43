/**
 * Where later layers plug into the batch lifecycle: storage, templating, cluster schema
 * validation and StepRun status writes. Every seam is optional; a missing seam is a no-op,
 * which is exactly local mode.
 * @module
 */
import type { StepRunStatusUpdate } from "./status.ts";

/** A JSON object. */
export type JsonObject = Record<string, unknown>;

/** Optional services used by `runBatch`. */
export interface BatchSeams {
  /**
   * Resolves `$bubuStorageRef`/ConfigMap/Secret refs in config; returns the JSON Pointers
   * (RFC 6901, e.g. `/docs/0/body`) of the values that came from storage or a ConfigMap/Secret.
   */
  hydrateConfig?(config: JsonObject, signal: AbortSignal): Promise<{ value: JsonObject; storagePaths: string[] }>;
  /** Resolves refs in inputs; returns the JSON Pointers of the values that came from storage or a ConfigMap/Secret. */
  hydrateInputs?(inputs: JsonObject, signal: AbortSignal): Promise<{ value: unknown; storagePaths: string[] }>;
  /** Evaluates `{{ … }}` templates; values at `protectedPaths` (JSON Pointers) must be left untouched. */
  resolveTemplates?(
    value: JsonObject,
    vars: JsonObject,
    options: { kind: "config" | "inputs"; protectedPaths: string[]; signal: AbortSignal },
  ): Promise<JsonObject>;
  /** Validates against the cluster's EngramTemplate schema (throws a structured error). */
  validateInputs?(inputs: JsonObject, signal: AbortSignal): Promise<void>;
  /** Offloads large output to storage; may turn any value into a ref object. */
  dehydrateOutput?(output: unknown, signal: AbortSignal): Promise<unknown>;
  /** Validates the dehydrated output against the cluster's schema. */
  validateOutput?(output: JsonObject, signal: AbortSignal): Promise<void>;
  /** Writes the terminal StepRun status. */
  writeStatus?(status: StepRunStatusUpdate, signal: AbortSignal): Promise<void>;
}
