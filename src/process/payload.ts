/**
 * Which payload services a run needs, built from the run's clients: storage hydration in a
 * cluster or with `BUBU_STORAGE_PROVIDER`, and the template engine only when a payload has a
 * template. A payload with neither loads neither.
 * @module
 */
import type { Logger } from "../observability/logger.ts";
import { hasTemplates } from "./has-templates.ts";
import type { JsonObject, PayloadServices } from "./payload-services.ts";
import type { RunServices } from "./services.ts";

// As keys in JSON.stringify output (no spaces): a string value never matches these.
const REF_KEYS = ['"$bubuStorageRef":', '"$bubuConfigMapRef":', '"$bubuSecretRef":'];

/** True when `value` has a `$bubuStorageRef`, `$bubuConfigMapRef` or `$bubuSecretRef` key (a text check). */
export function hasHydrationRefs(value: unknown): boolean {
  const text = JSON.stringify(value) ?? "";
  return REF_KEYS.some((k) => text.includes(k));
}

/** The payloads of a run. */
export interface RunPayloads {
  readonly config: JsonObject;
  /** Batch only. */
  readonly inputs?: JsonObject;
  readonly skipInputTemplating?: boolean;
  /**
   * Build the storage services even without refs in the payloads (batch: output offload and
   * captured logs need them). Default false.
   */
  readonly alwaysStorage?: boolean;
}

/** Hydration, offload and templates for `payloads`. */
export async function payloadServices(
  services: RunServices,
  logger: Logger,
  payloads: RunPayloads,
): Promise<PayloadServices> {
  const env = services.env;
  const withStorage = env.clusterMode || services.storageConfigured;
  const templates =
    hasTemplates(payloads.config) ||
    (payloads.inputs !== undefined && payloads.skipInputTemplating !== true && hasTemplates(payloads.inputs));
  const refs =
    hasHydrationRefs(payloads.config) || (payloads.inputs !== undefined && hasHydrationRefs(payloads.inputs));
  const out: PayloadServices = {};
  let manager: Awaited<ReturnType<RunServices["storage"]>>["manager"] | undefined;
  if (withStorage && (payloads.alwaysStorage === true || templates || refs)) {
    const storage = await services.storage();
    manager = storage.manager;
    out.hydrateConfig = storage.hydrateConfig;
    if (payloads.inputs !== undefined) {
      out.hydrateInputs = storage.hydrateInputs;
      out.dehydrateOutput = storage.dehydrateOutput;
    }
  }
  if (templates) {
    const { createTemplateSeam } = await import("./template-service.ts");
    out.resolveTemplates = createTemplateSeam(
      env,
      logger,
      manager ? { hydrateContext: (vars, signal) => manager.hydrate(vars, { signal }) } : {},
    ).resolveTemplates;
  }
  return out;
}
