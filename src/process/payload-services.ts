/**
 * The services a run's payload passes through: storage hydration and offload, templating,
 * and validation against the cluster's template. Each is optional; a missing one is a no-op (a
 * local run has none of the cluster's).
 * @module
 */

/** A JSON object. */
export type JsonObject = Record<string, unknown>;

/** Optional services of a run. */
export interface PayloadServices {
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
}
