/**
 * Config and input preparation (contract inputs-config.md: config pipeline, input pipeline).
 * @module
 */
import type { BatchEngram } from "../engram/batch-engram.ts";
import { deeperThan } from "../json/json-payload.ts";
import { checkConfigTraversal } from "../storage/config-guard.ts";
import { maxDepthError } from "../storage/errors.ts";
import { decodePayload } from "./decode.ts";
import { wrapError } from "./errors.ts";
import type { BatchSeams, JsonObject } from "./seams.ts";
import { type BatchSettings, DEFAULT_PAYLOAD_LIMITS } from "./settings.ts";

/** What config preparation reads from the run's settings (impulses pass theirs too). */
export type ConfigSettings = Pick<BatchSettings, "config" | "templateContext" | "strictUnmarshal" | "payloadLimits">;

/** Hydrates, templates and decodes the config. Errors carry Go's wrapper texts. */
export async function prepareConfig(
  engram: Pick<BatchEngram<unknown, unknown, unknown>, "schemas">,
  settings: ConfigSettings,
  seams: BatchSeams,
  signal: AbortSignal,
): Promise<unknown> {
  let config: JsonObject = settings.config;
  if (Object.keys(config).length > 0) {
    try {
      let storagePaths: string[] = [];
      if (seams.hydrateConfig) ({ value: config, storagePaths } = await seams.hydrateConfig(config, signal));
      else checkUnhydratedConfig(config, settings.payloadLimits ?? DEFAULT_PAYLOAD_LIMITS);
      // Config templates are always resolved; BUBU_SKIP_INPUT_TEMPLATING applies to inputs only.
      if (seams.resolveTemplates) {
        config = await seams.resolveTemplates(config, settings.templateContext, {
          kind: "config",
          protectedPaths: storagePaths,
          signal,
        });
      }
    } catch (err) {
      throw wrapError("failed to hydrate config", err);
    }
  }
  try {
    return decodePayload("config", engram.schemas?.config, config, settings.strictUnmarshal);
  } catch (err) {
    throw wrapError("failed to unmarshal config", err);
  }
}

/** Hydrates, templates, validates (cluster schema) and decodes the inputs. */
export async function prepareInputs(
  engram: BatchEngram<unknown, unknown, unknown>,
  settings: BatchSettings,
  seams: BatchSeams,
  signal: AbortSignal,
): Promise<unknown> {
  let inputs: JsonObject = settings.inputs;
  let storagePaths: string[] = [];
  if (seams.hydrateInputs) {
    let hydrated: { value: unknown; storagePaths: string[] };
    try {
      hydrated = await seams.hydrateInputs(inputs, signal);
    } catch (err) {
      throw wrapError("failed to hydrate inputs", err);
    }
    const value = hydrated.value ?? {};
    if (typeof value !== "object" || Array.isArray(value)) {
      throw new Error("failed to hydrate inputs: hydrated inputs are not a JSON object");
    }
    inputs = value as JsonObject;
    storagePaths = hydrated.storagePaths;
  } else {
    const limit = (settings.payloadLimits ?? DEFAULT_PAYLOAD_LIMITS).maxRecursionDepth;
    if (deeperThan(inputs, limit)) throw wrapError("failed to hydrate inputs", maxDepthError(limit));
  }
  if (seams.resolveTemplates && !settings.skipInputTemplating) {
    try {
      // Values that came from storage are never template-evaluated (literal `{{ }}` stays literal).
      inputs = await seams.resolveTemplates(inputs, settings.templateContext, {
        kind: "inputs",
        protectedPaths: storagePaths,
        signal,
      });
    } catch (err) {
      throw wrapError("failed to resolve input templates", err);
    }
  }
  if (seams.validateInputs) await seams.validateInputs(inputs, signal);
  try {
    return decodePayload("inputs", engram.schemas?.inputs, inputs, settings.strictUnmarshal);
  } catch (err) {
    throw wrapError("failed to unmarshal inputs into the target type", err);
  }
}

/**
 * The checks a storage seam would make on the config (the traversal guard, then hydration's
 * depth limit), with the same texts, for runs that hydrate nothing.
 */
function checkUnhydratedConfig(config: JsonObject, limits: NonNullable<BatchSettings["payloadLimits"]>): void {
  try {
    checkConfigTraversal(config, limits.configMaxDepth, limits.configMaxNodes);
  } catch (err) {
    throw new Error(`config rejected before hydration: ${(err as Error).message}`, { cause: err });
  }
  if (deeperThan(config, limits.maxRecursionDepth)) throw maxDepthError(limits.maxRecursionDepth);
}
