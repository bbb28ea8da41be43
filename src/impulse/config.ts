/**
 * Impulse config: hydrated through storage and templated like an engram's config (contract
 * batch.md §8 steps 3–5), then decoded with the impulse's schema.
 * @module
 */
import { prepareConfig } from "../batch/prepare.ts";
import { hasTemplates } from "../batch/has-templates.ts";
import type { BatchSeams } from "../batch/seams.ts";
import type { BubuEnv } from "../env/load.ts";
import type { Logger } from "../observability/logger.ts";
import type { Runtime } from "../runtime/types.ts";
import type { GenericSchema } from "valibot";

/** The decoded config; errors carry Go's texts (`failed to hydrate config: …`, …). */
export async function prepareImpulseConfig(
  rt: Runtime,
  env: BubuEnv,
  logger: Logger,
  schema: GenericSchema | undefined,
  signal: AbortSignal,
): Promise<unknown> {
  const config = env.payload.config;
  const seams: BatchSeams = {};
  const storage = env.storage.provider !== "" && Object.keys(config).length > 0
    ? await (await import("../storage/batch-seams.ts")).createStorageSeams(rt, env, logger)
    : undefined;
  try {
    if (storage) seams.hydrateConfig = storage.hydrateConfig;
    if (hasTemplates(config)) {
      const { createTemplateSeam } = await import("../templating/seam.ts");
      const manager = storage?.manager;
      seams.resolveTemplates = createTemplateSeam(
        env,
        logger,
        manager ? { hydrateContext: (vars, s) => manager.hydrate(vars, { signal: s }) } : {},
      ).resolveTemplates;
    }
    const settings = {
      config,
      templateContext: { inputs: {}, steps: {}, ...env.payload.templateContext },
      strictUnmarshal: env.payload.strictUnmarshal,
    };
    return await prepareConfig({ schemas: { config: schema } }, settings, seams, signal);
  } finally {
    await storage?.close();
  }
}
