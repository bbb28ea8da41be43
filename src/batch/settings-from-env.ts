/**
 * Builds {@link BatchSettings} from the environment (and local-mode flags) through `loadEnv`.
 * @module
 */
import { formatGoDuration, parseGoDuration } from "../env/duration.ts";
import { EnvError } from "../env/errors.ts";
import { type BubuEnv, loadEnv } from "../env/load.ts";
import { parseJsonObjectEnv } from "../env/payload.ts";
import type { RuntimeFs } from "../runtime/types.ts";
import { type LocalArgs, readFlagPayload } from "./local-args.ts";
import type { BatchSettings } from "./settings.ts";

/** How long an aborted engram may keep running before we report and exit anyway. */
const DEFAULT_GRACE_NS = 10n * 1_000_000_000n;
/**
 * Documented by the Go SDK but never read there (quirks A1); we implement the documented knob
 * rather than inventing a new name.
 */
export const GRACE_ENV = "BUBU_SDK_GRACEFUL_SHUTDOWN_TIMEOUT";

/**
 * Reads and validates everything a batch run needs. Malformed values throw an
 * {@link EnvError} naming the variable (or flag); secret values are never quoted.
 */
export async function loadBatchSettings(
  env: Readonly<Record<string, string | undefined>>,
  options: { readonly local?: LocalArgs; readonly fs: RuntimeFs },
): Promise<{ settings: BatchSettings; env: BubuEnv }> {
  const local = options.local;
  // Local flags replace the payload variables entirely (a stale malformed export must not matter).
  const effective: Record<string, string | undefined> = { ...env };
  if (local?.inputs !== undefined) delete effective.BUBU_TRIGGER_DATA;
  if (local?.config !== undefined) delete effective.BUBU_STEP_CONFIG;
  const bubu = loadEnv(effective);
  const inputs = local?.inputs !== undefined
    ? parseJsonObjectEnv("--inputs", await readFlagPayload("--inputs", local.inputs, options.fs))
    : bubu.payload.inputs;
  const config = local?.config !== undefined
    ? { ...parseJsonObjectEnv("--config", await readFlagPayload("--config", local.config, options.fs)), ...bubu.payload.configOverrides }
    : bubu.payload.config;
  const settings: BatchSettings = {
    stepTimeoutNs: bubu.limits.stepTimeout.nanos,
    graceMs: Number(positiveDuration(GRACE_ENV, env[GRACE_ENV], DEFAULT_GRACE_NS) / 1_000_000n),
    statusWriteMinMs: bubu.vars.BUBU_K8S_OPERATION_TIMEOUT.millis,
    debug: bubu.vars.BUBU_DEBUG,
    skipInputTemplating: bubu.payload.skipInputTemplating,
    strictUnmarshal: bubu.payload.strictUnmarshal,
    storyInfo: bubu.storyInfo,
    startedAt: bubu.startedAt?.date ?? new Date(performance.timeOrigin),
    inputs: inputs ?? {},
    config,
    templateContext: { inputs: {}, steps: {}, ...bubu.payload.templateContext },
    secretDescriptors: bubu.secrets.reveal(),
  };
  return { settings, env: bubu };
}

function positiveDuration(variable: string, raw: string | undefined, fallback: bigint): bigint {
  if (raw === undefined || raw.trim() === "") return fallback;
  let ns: bigint;
  try {
    ns = parseGoDuration(raw.trim());
  } catch {
    throw EnvError.of(variable, `invalid Go duration ${JSON.stringify(raw)} (expected e.g. 30s, 5m, 1h30m)`);
  }
  if (ns <= 0n) throw EnvError.of(variable, `must be positive, got ${formatGoDuration(ns)}`);
  return ns;
}
