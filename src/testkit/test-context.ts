/**
 * The context a harness hands to handlers: real secret expansion and config decoding, captured
 * signals, effects, published logs and log lines, and optionally a shared effect store so a test
 * can check that `effects.once` runs once across retries.
 * @module
 */
import type { GenericSchema } from "valibot";
import { blobStorage } from "../context/blob-storage.ts";
import { createContext } from "../context/create-context.ts";
import { type EffectStore, memoryEffectStore } from "../context/effect-store.ts";
import { emptyRunRecord, type RunRecord, recordingCapabilities } from "../context/recording-capabilities.ts";
import { DEFAULT_EFFECT_MAX_DETAILS_BYTES } from "../effects/details.ts";
import type { Context } from "../engram/context.ts";
import { checkRequiredSecrets } from "../engram/required-secrets.ts";
import type { SecretDeclarations } from "../engram/secret-declarations.ts";
import { expandSecrets } from "../engram/secret-expansion.ts";
import type { StoryInfo } from "../env/story-info.ts";
import { holdConsoleRedaction } from "../observability/console-redaction.ts";
import { createLogger, type Logger } from "../observability/logger.ts";
import { registerSecrets } from "../observability/redaction.ts";
import { decodePayload } from "../process/decode.ts";
import { detectRuntime } from "../runtime/detect.ts";
import type { RuntimeFs } from "../runtime/types.ts";
import { DEFAULT_SIGNAL_MAX_PAYLOAD_BYTES } from "../signals/emit.ts";

/** Options every harness takes. */
export interface HarnessOptions {
  /** Config as it arrives (JSON); decoded through the `config` schema. Default `{}`. */
  readonly config?: unknown;
  /** Decode through the schemas (default true). `false` passes config (and inputs) as given. */
  readonly decode?: boolean;
  /** Reject unknown object keys while decoding (`BUBU_RUNTIME_STRICT_UNMARSHAL`). Default false. */
  readonly strict?: boolean;
  /** Secret descriptors by name: a literal value, `env:PREFIX` or `file:/path`. */
  readonly secrets?: Readonly<Record<string, string>>;
  /** The run's identity (`ctx.story`); empty by default. */
  readonly story?: StoryInfo;
  readonly templateContext?: Record<string, unknown>;
  /** `ctx.signal`; default never aborted. */
  readonly signal?: AbortSignal;
  /** Receives the handler's log lines; default they are captured in the result. */
  readonly logger?: Logger;
  /**
   * Claims of `ctx.effects.once`. Pass one store to several runs to test that an effect runs once
   * across retries; default a new store per run.
   */
  readonly effectStore?: EffectStore;
  /** Environment for `env:` secret descriptors; default the process environment. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** File system for `file:` secret descriptors; default the runtime's. */
  readonly fs?: RuntimeFs;
}

/** What a harness recorded besides the handler's result. */
export interface Captured extends RunRecord {
  /** The handler's log lines, parsed. */
  readonly logLines: Record<string, unknown>[];
}

/** A test context and what it records. */
export interface TestContext<C> {
  readonly ctx: Context<C>;
  readonly captured: Captured;
  /** Forgets the run's secret values (call once the run's last line is logged). */
  release(): void;
}

/** Expands secrets, decodes the config, and builds a context that records everything. */
export async function testContext<C>(
  options: HarnessOptions,
  configSchema: GenericSchema | undefined,
  declared?: SecretDeclarations,
): Promise<TestContext<C>> {
  const signal = options.signal ?? new AbortController().signal;
  // As at a real start: a secret declared required must be given.
  checkRequiredSecrets(declared, options.secrets ?? {});
  const runtime = options.env && options.fs ? undefined : detectRuntime();
  const expanded = await expandSecrets(options.secrets ?? {}, {
    env: options.env ?? (runtime as NonNullable<typeof runtime>).envAll(),
    fs: options.fs ?? (runtime as NonNullable<typeof runtime>).fs,
    signal,
  });
  if (expanded.error) throw new Error(`failed to expand secrets: ${expanded.error.message}`, { cause: expanded.error });
  // As in a real run, the values are scrubbed from log lines (and errors' texts) while it lives,
  // so a test can check that nothing leaks.
  const forget = registerSecrets(expanded.secrets);
  // `console.*` from the handler too, as a real run does.
  const unguard = holdConsoleRedaction();
  const release = (): void => {
    unguard();
    forget();
  };
  let config: unknown;
  try {
    config =
      options.decode === false
        ? options.config
        : decodePayload("config", configSchema, options.config ?? {}, options.strict === true);
  } catch (err) {
    release();
    throw err;
  }
  const record = emptyRunRecord();
  const logLines: Record<string, unknown>[] = [];
  const logger =
    options.logger ??
    createLogger({ sink: (line) => logLines.push(JSON.parse(line) as Record<string, unknown>), level: "DEBUG" });
  let logs = 0;
  const caps = recordingCapabilities({
    record,
    effectStore: options.effectStore ?? memoryEffectStore(),
    maxSignalBytes: DEFAULT_SIGNAL_MAX_PAYLOAD_BYTES,
    maxEffectDetailsBytes: DEFAULT_EFFECT_MAX_DETAILS_BYTES,
    storeLog: (_bytes, contentType) => Promise.resolve({ path: `test/logs/${++logs}.log`, contentType }),
  });
  const ctx = createContext<C>({
    signal,
    logger,
    config: config as C,
    secrets: expanded.secrets,
    place: "test",
    ...(options.story !== undefined ? { story: options.story } : {}),
    ...(options.templateContext !== undefined ? { templateContext: options.templateContext } : {}),
    ...caps,
    storage: blobStorage(false, () => Promise.reject(new Error("no storage in a test harness"))),
  });
  return { ctx, captured: { ...record, logLines }, release };
}
