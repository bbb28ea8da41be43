/**
 * Builds {@link BatchSettings} from the environment (and local-mode flags).
 * @module
 */
import { emptyStoryInfo } from "../engram/story-info.ts";
import { formatGoDuration, parseGoDuration } from "../env/duration.ts";
import { EnvError } from "../env/errors.ts";
import { parseDebugFlag, parseSkipInputTemplating, parseStrictUnmarshal } from "../env/flags.ts";
import {
  collectConfigOverrides,
  collectSecretDescriptors,
  mergeConfig,
  parseJsonObjectEnv,
  parseTransports,
} from "../env/payload.ts";
import { envReader } from "../env/source.ts";
import { parseRfc3339 } from "../env/started-at.ts";
import type { RuntimeFs } from "../runtime/types.ts";
import { readFlagPayload, type LocalArgs } from "./local-args.ts";
import type { BatchSettings } from "./settings.ts";

/** 30m, the Go SDK's default step timeout. */
const DEFAULT_STEP_TIMEOUT_NS = 30n * 60n * 1_000_000_000n;
/** How long an aborted engram may keep running before we report and exit anyway. */
const DEFAULT_GRACE_NS = 10n * 1_000_000_000n;
/**
 * Not read by the Go SDK, which documents it but has no shutdown logic (quirks A1); we
 * implement the documented knob rather than inventing a new name.
 */
export const GRACE_ENV = "BUBU_SDK_GRACEFUL_SHUTDOWN_TIMEOUT";

/**
 * Reads and validates everything a batch run needs. Malformed values throw an
 * {@link EnvError} naming the variable (or flag); secret values are never quoted.
 */
export async function loadBatchSettings(
  env: Readonly<Record<string, string | undefined>>,
  options: { readonly local?: LocalArgs; readonly fs: RuntimeFs },
): Promise<BatchSettings> {
  const reader = envReader(env);
  const local = options.local;
  const inputsText = local?.inputs !== undefined ? await readFlagPayload("--inputs", local.inputs, options.fs) : env.BUBU_TRIGGER_DATA;
  const configText = local?.config !== undefined ? await readFlagPayload("--config", local.config, options.fs) : env.BUBU_STEP_CONFIG;
  const inputs = parseJsonObjectEnv(local?.inputs !== undefined ? "--inputs" : "BUBU_TRIGGER_DATA", inputsText) ?? {};
  const baseConfig = parseJsonObjectEnv(local?.config !== undefined ? "--config" : "BUBU_STEP_CONFIG", configText);
  const templateContext = parseJsonObjectEnv("BUBU_TEMPLATE_CONTEXT", env.BUBU_TEMPLATE_CONTEXT) ?? {};
  // Parsed only to fail early on malformed JSON, as Go's LoadExecutionContextData does.
  parseTransports(env.BUBU_TRANSPORTS);
  const strict = env.BUBU_RUNTIME_STRICT_UNMARSHAL === undefined ? false : parseStrictUnmarshal(env.BUBU_RUNTIME_STRICT_UNMARSHAL);
  if (strict === undefined) {
    throw EnvError.of("BUBU_RUNTIME_STRICT_UNMARSHAL", `invalid boolean ${JSON.stringify(env.BUBU_RUNTIME_STRICT_UNMARSHAL)} (expected true or false)`);
  }
  return {
    stepTimeoutNs: positiveDuration("BUBU_STEP_TIMEOUT", env.BUBU_STEP_TIMEOUT, DEFAULT_STEP_TIMEOUT_NS),
    graceMs: Number(positiveDuration(GRACE_ENV, env[GRACE_ENV], DEFAULT_GRACE_NS) / 1_000_000n),
    debug: parseDebugFlag(env.BUBU_DEBUG),
    skipInputTemplating: parseSkipInputTemplating(env.BUBU_SKIP_INPUT_TEMPLATING),
    strictUnmarshal: strict,
    storyInfo: {
      ...emptyStoryInfo,
      storyName: env.BUBU_STORY_NAME ?? "",
      storyRunID: env.BUBU_STORYRUN_ID ?? "",
      stepName: env.BUBU_STEP_NAME ?? "",
      stepRunID: env.BUBU_STEPRUN_NAME ?? "",
      stepRunNamespace: env.BUBU_STEPRUN_NAMESPACE ?? "",
    },
    startedAt: startedAt(env.BUBU_STARTED_AT),
    inputs,
    config: mergeConfig(baseConfig, collectConfigOverrides(reader)),
    templateContext: { inputs: {}, steps: {}, ...templateContext },
    secretDescriptors: collectSecretDescriptors(reader),
  };
}

/**
 * Go falls back to 30m (with a warning) on an invalid or non-positive timeout; a typo there
 * silently turns a 5m budget into 30m, so we refuse to start instead.
 */
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

function startedAt(raw: string | undefined): Date {
  if (raw === undefined || raw.trim() === "") return new Date(performance.timeOrigin);
  const parsed = parseRfc3339(raw.trim());
  if (typeof parsed === "string") throw EnvError.of("BUBU_STARTED_AT", `${parsed}: ${JSON.stringify(raw)}`);
  return parsed.date;
}
