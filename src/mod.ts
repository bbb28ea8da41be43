/**
 * BubuStack SDK for TypeScript: batch engrams (and, as they land, streaming engrams and
 * impulses) on Bun, Deno and Node, wire-compatible with bubu-sdk-go.
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { defineBatch, startBatch } from "@bubustack/sdk";
 *
 * await startBatch(defineBatch({
 *   inputs: v.object({ name: v.string() }),
 *   process: (_ctx, { name }) => ({ greeting: `Hello, ${name}!` }),
 * }));
 * ```
 * @module
 */

// Author API
export {
  type BatchDefinition,
  type BatchEngram,
  defineBatch,
  type EngramSchemas,
  type InferSchema,
  type ProcessOutput,
} from "./engram/batch-engram.ts";
export { createExecutionContext, type ExecutionContext, type ExecutionContextInit, type TemplateContext } from "./engram/execution-context.ts";
export { Result, result } from "./engram/result.ts";
export { emptyStoryInfo, idempotencyKey, IdempotencyUnavailableError, type StoryInfo } from "./engram/story-info.ts";
export { MissingSecretError, Secrets } from "./engram/secrets.ts";
export { executionTarget, type ExecutionTarget, isKnownExecutionMode, start, type StartOptions, type StartOutcome } from "./batch/start-dual.ts";
export { type DualDefinition, defineDual, type DualEngram } from "./engram/dual-engram.ts";
export { expandSecrets, isSecretExpansionError, SecretExpansionError, type SecretExpansionResult } from "./engram/secret-expansion.ts";

// Batch
export { startBatch, type StartBatchOptions } from "./batch/start-batch.ts";
export { BatchTimeoutError, batchExitCode, isBatchTimeout, REASON_TIMEOUT } from "./batch/errors.ts";
export { type BatchOutcome, runBatch, type RunBatchDeps } from "./batch/run-batch.ts";
export type { BatchSeams } from "./batch/seams.ts";
export type { BatchSettings } from "./batch/settings.ts";
export type { RunEnd, StepRunStatusUpdate, TerminalPhase } from "./batch/status.ts";

// Errors
export * from "./errors/mod.ts";

// Env
export { type Duration, formatGoDuration, GoDurationError, parseGoDuration } from "./env/duration.ts";
export { EnvError, type EnvProblem } from "./env/errors.ts";
export { type BubuEnv, loadEnv } from "./env/load.ts";
export { ENV, type EnvName } from "./env/names.ts";
export { executionMode, isClusterMode, resolvePodNamespace } from "./env/namespace.ts";
export type { TransportDescriptor } from "./env/payload.ts";

// The Kubernetes client, storage, schemas and template YAML, impulses and streaming have their
// own entry points so that a plain batch engram does not load them: "@bubustack/sdk/k8s",
// "/storage", "/media", "/schema", "/impulse", "/streaming".

// Signals and effects
export {
  DEFAULT_SIGNAL_MAX_PAYLOAD_BYTES,
  emitSequencedSignal,
  emitSignal,
  type EmitSignalOptions,
  type EmitSignalResult,
  emitSignalWithSequence,
  emitTextSignal,
  replaySignals,
  type ReplaySignalsOptions,
  SequencedSignal,
  SignalEnvelope,
  SignalMeta,
  type SignalMetaInit,
  SignalSequence,
  SignalsUnavailableError,
  type SignalSummary,
  SignalTooLargeError,
  type StepRunContext,
  type TextSignalOptions,
} from "./signals/mod.ts";
export {
  DEFAULT_EFFECT_MAX_DETAILS_BYTES,
  EffectAlreadyRecordedError,
  type EffectCallOptions,
  type EffectFn,
  type EffectOutcome,
  EffectOutcomeError,
  EffectsUnavailableError,
  executeEffectOnce,
  type ExecuteEffectOnceOptions,
  effectResultOrThrow,
  hasEffect,
  recordEffect,
  type RecordEffectResult,
} from "./effects/mod.ts";

// Publishing logs to storage, referenced from StepRun.status.logs
export {
  DEFAULT_LOG_FILE_MAX_BYTES,
  LOG_PATCH_TIMEOUT_MS,
  LogFileError,
  type LogFileErrorCode,
  type LogPayload,
  type LogsContext,
  type LogsRef,
  LogsUnavailableError,
  publishLogFile,
  publishLogs,
  type PublishLogsOptions,
  publishLogsWithContentType,
} from "./logs/mod.ts";

// Logging and tracing (metrics: "@bubustack/sdk/metrics")
export { createLogger, type LogAttrs, type Logger, type LogLevel, type LoggerOptions, noopLogger } from "./observability/logger.ts";
export { loggerFromContext, setDefaultLogger, withLogger } from "./observability/context-logger.ts";
export { extractTraceContext, injectTraceContext } from "./observability/propagation.ts";
export { sdkTracer } from "./observability/tracing.ts";

// Runtime
export { detectRuntime, runtimeName } from "./runtime/detect.ts";
export type { FetchFn, ProcessSignal, Runtime, RuntimeFs, RuntimeName, TlsFetch, TlsFetchOptions } from "./runtime/types.ts";
