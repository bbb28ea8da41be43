/**
 * Config and input preparation, in the Go SDK's order: storage and ConfigMap/Secret refs
 * hydrated (with no storage, the same shape checks), templates resolved, inputs checked against
 * the cluster's schema, then both decoded through the engram's valibot schemas.
 * @module
 */
import type { GenericSchema } from "valibot";
import { wrapError } from "../errors/error-text.ts";
import { deeperThan } from "../json/json-payload.ts";
import { checkConfigTraversal } from "../storage/config-guard.ts";
import { maxDepthError } from "../storage/errors.ts";
import { decodePayload } from "./decode.ts";
import { DEFAULT_PAYLOAD_LIMITS, type PayloadLimits } from "./payload-limits.ts";
import type { JsonObject, PayloadServices } from "./payload-services.ts";

/** What config preparation reads. */
export interface ConfigSettings {
  readonly config: JsonObject;
  /** `{inputs, steps}` for templates. */
  readonly templateContext: JsonObject;
  /** Unknown keys are errors (`BUBU_RUNTIME_STRICT_UNMARSHAL`). */
  readonly strictUnmarshal: boolean;
  /** Checked when nothing hydrates the payload; default {@link DEFAULT_PAYLOAD_LIMITS}. */
  readonly payloadLimits?: PayloadLimits;
}

/** What input preparation reads. */
export interface InputSettings extends Omit<ConfigSettings, "config"> {
  readonly inputs: JsonObject;
  /** `BUBU_SKIP_INPUT_TEMPLATING`. */
  readonly skipInputTemplating: boolean;
}

/** Hydrates, templates and decodes the config. Errors carry Go's wrapper texts. */
export async function prepareConfig(
  schema: GenericSchema | undefined,
  settings: ConfigSettings,
  seams: PayloadServices,
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
    return decodePayload("config", schema, config, settings.strictUnmarshal);
  } catch (err) {
    throw wrapError("failed to unmarshal config", err);
  }
}

/** Hydrates, templates, validates (cluster schema) and decodes the inputs. */
export async function prepareInputs(
  schema: GenericSchema | undefined,
  settings: InputSettings,
  seams: PayloadServices,
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
    return decodePayload("inputs", schema, inputs, settings.strictUnmarshal);
  } catch (err) {
    throw wrapError("failed to unmarshal inputs into the target type", err);
  }
}

/**
 * The checks a storage service would make on the config (the traversal guard, then hydration's
 * depth limit), with the same texts, for runs that hydrate nothing.
 */
function checkUnhydratedConfig(config: JsonObject, limits: PayloadLimits): void {
  try {
    checkConfigTraversal(config, limits.configMaxDepth, limits.configMaxNodes);
  } catch (err) {
    throw new Error(`config rejected before hydration: ${(err as Error).message}`, { cause: err });
  }
  if (deeperThan(config, limits.maxRecursionDepth)) throw maxDepthError(limits.maxRecursionDepth);
}
