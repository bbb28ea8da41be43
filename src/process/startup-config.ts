/**
 * Config preparation at startup for streaming engrams and impulses: hydrated, templated and
 * decoded like a batch engram's config, before `init`.
 * @module
 */
import type { GenericSchema } from "valibot";
import type { Logger } from "../observability/logger.ts";
import { payloadServices } from "./payload.ts";
import { payloadLimitsOf } from "./payload-limits.ts";
import { prepareConfig } from "./prepare.ts";
import type { RunServices } from "./services.ts";

/**
 * Hydrates (storage refs; in a cluster also `$bubuConfigMapRef`/`$bubuSecretRef`), templates and
 * decodes the config. Errors read `failed to create storage manager: …`, `failed to hydrate
 * config: …` or `failed to unmarshal config: …`.
 */
export async function prepareStartupConfig(
  services: RunServices,
  logger: Logger,
  schema: GenericSchema | undefined,
  signal: AbortSignal,
): Promise<unknown> {
  const env = services.env;
  const config = env.payload.config;
  const seams = await payloadServices(services, logger, { config });
  const settings = {
    config,
    templateContext: { inputs: {}, steps: {}, ...env.payload.templateContext },
    strictUnmarshal: env.payload.strictUnmarshal,
    payloadLimits: payloadLimitsOf(env),
  };
  return await prepareConfig(schema, settings, seams, signal);
}
