/**
 * Impulse config: hydrated and templated like an engram's config (contract batch.md §8 steps
 * 3–5), then decoded with the impulse's schema. ConfigMap/Secret refs are resolved in a cluster
 * even without a storage provider, as Go does.
 * @module
 */
import { prepareStartupConfig } from "../batch/startup-config.ts";
import type { BubuEnv } from "../env/load.ts";
import type { Logger } from "../observability/logger.ts";
import type { Runtime } from "../runtime/types.ts";
import type { GenericSchema } from "valibot";

/**
 * The decoded config; errors carry Go's texts (`failed to hydrate config: …`, …). `vars` is the
 * environment the impulse was started with (default: the runtime's).
 */
export async function prepareImpulseConfig(
  rt: Runtime,
  env: BubuEnv,
  logger: Logger,
  schema: GenericSchema | undefined,
  signal: AbortSignal,
  vars?: Readonly<Record<string, string>>,
): Promise<unknown> {
  const prepared = await prepareStartupConfig({ runtime: rt, vars: vars ?? rt.envAll(), env, logger, schema, signal });
  // The impulse needs storage only for its config.
  await prepared.close();
  return prepared.config;
}
