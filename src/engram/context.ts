/**
 * The one context every handler gets: batch `init`/`process`, streaming `init`/`stream`, impulse
 * `init`/`run`. It carries the run's cancellation, logger, identity, config and secrets, and the
 * platform capabilities (signals, effects, logs, storage; stories for impulses). In a cluster the
 * capabilities write to the StepRun; on a laptop they write to a local sink; in a test harness
 * they are captured for assertions.
 * @module
 */
import type { Tracer } from "@opentelemetry/api";
import type { StoryInfo } from "../env/story-info.ts";
import type { LogsRef } from "../k8s/logs-patch.ts";
import type { SignalEvent } from "../k8s/steprun-merge.ts";
import type { StoryRun } from "../k8s/story-run.ts";
import type { Logger } from "../observability/logger.ts";
import type { Secrets } from "./secrets.ts";

/** Where a component runs: a pod of a Story, a laptop, or a test harness. */
export type RunPlace = "cluster" | "local" | "test";

/** What every handler receives. `C` is the decoded config. */
export interface Context<C = Record<string, unknown>> {
  /**
   * Aborted when the work must stop: at the step deadline (`BUBU_STEP_TIMEOUT`) or on SIGTERM for
   * batch; when the drain grace runs out for streaming; on SIGTERM/SIGINT for impulses.
   */
  readonly signal: AbortSignal;
  /** JSON logger; secret values are scrubbed from every line. */
  readonly logger: Logger;
  /** The config, decoded by the `config` schema. */
  readonly config: C;
  /** The secrets mapped to this component; printing them never shows a value. */
  readonly secrets: Secrets;
  /** Which Story, StoryRun, step and StepRun this is (empty strings outside a cluster). */
  readonly story: StoryInfo;
  readonly place: RunPlace;
  /** When the step started (`BUBU_STARTED_AT`, else process start). */
  readonly startedAt: Date;
  /** The SDK's tracer (a no-op unless the app registers an OpenTelemetry provider). */
  readonly tracer: Tracer;
  /** Live progress and metadata for the StepRun. */
  readonly signals: Signals;
  /** Side effects recorded once per StepRun, across retries. */
  readonly effects: Effects;
  /** Log files and bytes attached to the StepRun. */
  readonly logs: Logs;
  /** The shared blob storage of the Story (disabled when none is configured). */
  readonly storage: BlobStorage;
  /** A copy of the template variables (`{inputs, steps}`) the operator passed. */
  templateContext(): Record<string, unknown>;
  /**
   * `ns/<ns>/storyrun/<run>/steprun/<step>`: a key that is stable across retries of this step.
   * Throws when the run identity is unknown (locally, unless `BUBU_STORYRUN_ID` and
   * `BUBU_STEPRUN_NAME` are set).
   */
  idempotencyKey(): string;
}

/** The context of an impulse: a {@link Context} that can also start and stop Stories. */
export interface ImpulseContext<C = Record<string, unknown>> extends Context<C> {
  readonly stories: Stories;
}

/** Options of {@link Signals.emit}. */
export interface EmitOptions {
  /**
   * A sequence number of your own: the value is stored as `{seq, emittedAt, value}` and an event
   * whose `seq` already exists is dropped. Without it events are numbered after the highest one
   * already recorded, so a retried pod continues the count.
   */
  readonly seq?: number;
  /** Deadline of the write (default 3s). */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** Options of {@link Signals.emitText}. */
export interface EmitTextOptions extends Omit<EmitOptions, "seq"> {
  /** `meta.format` (default `text`). */
  readonly format?: string;
  readonly contentType?: string;
  /** Include a sample of at most this many UTF-8 bytes. */
  readonly sampleBytes?: number;
  /** Add the SHA-256 of the whole text. */
  readonly includeHash?: boolean;
  readonly attributes?: Readonly<Record<string, string>>;
}

/** What an emit wrote. */
export interface SignalReceipt {
  /** The event's sequence number. */
  readonly seq: number;
  /** How the latest value was stored: as given, as a summary (too large or not a signal struct), or deleted. */
  readonly stored: "value" | "summary" | "deleted";
}

/** A recorded signal event. */
export type { SignalEvent };

/** Signals: the latest value per key plus an event log, on the StepRun's status. */
export interface Signals {
  /**
   * Records `value` as the latest value of `key` and appends an event. `null`/`undefined`
   * deletes the key. Values larger than `BUBU_SIGNAL_MAX_PAYLOAD_BYTES` are stored as a summary.
   *
   * @example
   * ```ts
   * await ctx.signals.emit("progress", { done: 3, total: 10 });
   * ```
   */
  emit(key: string, value: unknown, options?: EmitOptions): Promise<SignalReceipt>;
  /** Records a summary of `text` (size, format, optionally a sample and its hash). */
  emitText(key: string, text: string, options?: EmitTextOptions): Promise<SignalReceipt>;
  /** The events recorded so far, after `sinceSeq`, in order. */
  replay(options?: { readonly sinceSeq?: number; readonly signal?: AbortSignal }): Promise<SignalEvent[]>;
}

/** Options of {@link Effects.record}. */
export interface RecordOptions {
  /** The record's `status`, e.g. `succeeded`. */
  readonly status?: string;
  /** JSON details (a summary replaces details over `BUBU_EFFECT_MAX_DETAILS_BYTES`). */
  readonly details?: unknown;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** Options of {@link Effects.once}. */
export interface OnceOptions {
  /** Lease of the claim while `fn` runs (default 600s); it is renewed until `fn` returns. */
  readonly leaseSeconds?: number;
  readonly signal?: AbortSignal;
}

/** The outcome of {@link Effects.once}. */
export type OnceOutcome<T> =
  | { readonly already: false; readonly result: T }
  | {
      readonly already: true;
      /** `completed`: it ran before; `held`: another live process runs it right now. */
      readonly reason: "completed" | "held";
      readonly result?: undefined;
    };

/** Side effects, recorded in the StepRun's ledger and guarded by a lease so they run once. */
export interface Effects {
  /** Appends a record for `key` unless one exists. */
  record(key: string, options?: RecordOptions): Promise<{ readonly recorded: boolean; readonly seq: number }>;
  /** Whether a record for `key` exists. */
  has(key: string, options?: { readonly timeoutMs?: number; readonly signal?: AbortSignal }): Promise<boolean>;
  /**
   * Runs `fn` unless the effect `key` already ran for this step (in an earlier attempt or in
   * another process), then records it. `fn`'s signal aborts when the lease is lost.
   *
   * @example
   * ```ts
   * const sent = await ctx.effects.once("email:welcome", () => mailer.send(user));
   * if (sent.already) ctx.logger.info("welcome email was sent before");
   * ```
   */
  once<T>(key: string, fn: (signal: AbortSignal) => T | Promise<T>, options?: OnceOptions): Promise<OnceOutcome<T>>;
}

/** Options of {@link Logs.publish}. */
export interface PublishOptions {
  /** Content type of the stored log (default `text/plain; charset=utf-8`). */
  readonly contentType?: string;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** Where a published log was stored. */
export type { LogsRef };

/** Logs attached to the StepRun (`status.logs`), stored in the Story's storage. */
export interface Logs {
  /** Stores `payload` and points the StepRun at it; `undefined` for an empty payload. */
  publish(payload: Uint8Array | string, options?: PublishOptions): Promise<LogsRef | undefined>;
  /**
   * Publishes a file. Only regular files under `BUBU_LOG_ALLOWED_ROOTS` (default: the temp dirs,
   * `/var/log` and the working directory) up to `BUBU_LOG_FILE_MAX_BYTES` are read.
   */
  publishFile(path: string, options?: PublishOptions): Promise<LogsRef | undefined>;
}

/** Blob storage shared by the steps of a Story (S3 or a file system). */
export interface BlobStorage {
  /** False when no storage is configured; then reads and writes throw. */
  readonly enabled: boolean;
  writeBlob(
    path: string,
    contentType: string,
    data: Uint8Array,
    options?: { readonly signal?: AbortSignal },
  ): Promise<void>;
  readBlob(path: string, options?: { readonly signal?: AbortSignal; readonly maxBytes?: number }): Promise<Uint8Array>;
}

/** Options of {@link Stories.start}. */
export interface StartStoryOptions {
  /** The Story to start; default the impulse's target Story (`BUBU_TARGET_STORY_NAME`). */
  readonly story?: string;
  /** Its namespace; default the target Story's namespace, else the impulse's. */
  readonly namespace?: string;
  /** The StoryRun's inputs (a JSON object). */
  readonly inputs?: Readonly<Record<string, unknown>>;
  /**
   * An idempotency token: the same token starts the Story once. Without it the delivery policy
   * (`BUBU_TRIGGER_DEDUPE_*`) decides.
   */
  readonly token?: string;
  readonly signal?: AbortSignal;
  /** Bound on the whole call, including retries. */
  readonly timeoutMs?: number;
}

/** The outcome of {@link Stories.stop}. */
export type StopOutcome = "requested" | "already-requested" | "terminal";

/** Starting and stopping Stories (impulses). */
export interface Stories {
  /** The impulse's target Story, when the operator set one. */
  readonly target: { readonly name: string; readonly namespace: string } | undefined;
  /**
   * How repeated starts are recognised (`BUBU_TRIGGER_DEDUPE_MODE`): `none` (only a `token`
   * dedupes), `token` (a token is required) or `key` (a key computed from the inputs; a token that
   * differs from it is an error).
   */
  readonly dedupe: "none" | "token" | "key";
  /**
   * Starts a Story through a StoryTrigger and resolves to the StoryRun that the operator created
   * (or reused, for a repeated token).
   *
   * @example
   * ```ts
   * const run = await ctx.stories.start({ inputs: { orderId: "A-1" }, token: "A-1" });
   * ```
   */
  start(options?: StartStoryOptions): Promise<StoryRun>;
  /** Asks the operator to cancel a StoryRun. */
  stop(
    storyRun: string,
    options?: { readonly namespace?: string; readonly signal?: AbortSignal },
  ): Promise<StopOutcome>;
}

/** A StoryRun as the API server returns it. */
export type { StoryRun };
