/**
 * Builds {@link BatchSettings} from the run's environment (and local-mode flags).
 * @module
 */
import { type LocalArgs, readFlagObject } from "../process/local-args.ts";
import { payloadLimitsOf } from "../process/payload-limits.ts";
import type { ProcessRun } from "../process/process-run.ts";
import type { BatchSettings } from "./settings.ts";

/**
 * Parses and validates everything a batch run needs. Malformed values throw an `EnvError`
 * naming the variable (or flag); secret values are never quoted.
 */
export async function loadBatchSettings(run: ProcessRun, local: LocalArgs | undefined): Promise<BatchSettings> {
  // Local flags replace the payload variables entirely (a stale malformed export must not matter).
  const overrides: Record<string, string | undefined> = {};
  if (local?.inputs !== undefined) overrides.BUBU_TRIGGER_DATA = undefined;
  if (local?.config !== undefined) overrides.BUBU_STEP_CONFIG = undefined;
  const graceMs = run.graceMs();
  const bubu = run.loadEnv(overrides);
  await run.loadTelemetry();
  const fs = run.rt.fs;
  const inputs =
    local?.inputs !== undefined ? (await readFlagObject("--inputs", local.inputs, fs)).object : bubu.payload.inputs;
  const config =
    local?.config !== undefined
      ? {
          ...(await readFlagObject("--config", local.config, fs)).object,
          ...bubu.payload.configOverrides,
        }
      : bubu.payload.config;
  return {
    stepTimeoutNs: bubu.limits.stepTimeout.nanos,
    graceMs,
    statusWriteMinMs: bubu.vars.BUBU_K8S_OPERATION_TIMEOUT.millis,
    debug: bubu.vars.BUBU_DEBUG,
    skipInputTemplating: bubu.payload.skipInputTemplating,
    strictUnmarshal: bubu.payload.strictUnmarshal,
    storyInfo: bubu.storyInfo,
    startedAt: bubu.startedAt?.date ?? new Date(performance.timeOrigin),
    inputs: inputs ?? {},
    config,
    templateContext: { inputs: {}, steps: {}, ...bubu.payload.templateContext },
    payloadLimits: payloadLimitsOf(bubu),
  };
}
