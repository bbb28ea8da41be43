/**
 * One process lifecycle for batch engrams, streaming engrams and impulses: the runtime and its
 * environment, the logger (stdout in a pod, stderr on a laptop), SIGTERM/SIGINT, the grace
 * window, secrets and their redaction, telemetry toggles, the shared clients, the handler
 * context, and the exit. Each kind opens a {@link ProcessRun}, does its own work in between, and
 * closes it; none of them repeats these steps.
 * @module
 */

import { createContext, withStories } from "../context/create-context.ts";
import { emptyRunRecord, type RunRecord } from "../context/recording-capabilities.ts";
import type { Context, ImpulseContext, RunPlace, Stories } from "../engram/context.ts";
import { checkRequiredSecrets } from "../engram/required-secrets.ts";
import type { SecretDeclarations } from "../engram/secret-declarations.ts";
import type { Secrets } from "../engram/secrets.ts";
import { parseDebugFlag } from "../env/flags.ts";
import { type BubuEnv, loadEnv } from "../env/load.ts";
import { isClusterMode } from "../env/namespace.ts";
import { errorDetail, isInputError } from "../errors/error-detail.ts";
import { errorText } from "../errors/error-text.ts";
import { redactConsole } from "../observability/console-redaction.ts";
import { setDefaultLogger } from "../observability/context-logger.ts";
import { createLogger, LogCapture, type Logger } from "../observability/logger.ts";
import { loadTelemetry } from "../observability/otel-gate.ts";
import { configureObservabilityFromEnv } from "../observability/toggles.ts";
import { detectRuntime } from "../runtime/detect.ts";
import type { Runtime } from "../runtime/types.ts";
import { readGraceMs } from "./grace.ts";
import { isUsageError, type LocalArgs, type LocalFlag, parseLocalArgs, readFlagObject } from "./local-args.ts";
import { placeCapabilities } from "./place-capabilities.ts";
import { openSecrets } from "./secrets.ts";
import { RunServices } from "./services.ts";
import { listenForTermination, type Termination } from "./termination.ts";

/** Options every entry point takes; all optional. */
export interface ProcessOptions {
  /** Environment variables; default the process environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** Command-line arguments (local mode); default the process arguments. */
  readonly args?: readonly string[];
  /** When false, resolve with the outcome instead of exiting the process. Default true. */
  readonly exit?: boolean;
  /** A logger instead of the JSON logger on stdout (pod) or stderr (laptop). */
  readonly logger?: Logger;
  /** Aborting it has the effect of SIGTERM. */
  readonly signal?: AbortSignal;
  /** The runtime adapter; default the detected one (tests replace stdout, stdin, signals). */
  readonly runtime?: Runtime;
}

/**
 * `options.env`, else the process environment. When the runtime refuses it (Deno without
 * `--allow-env`, whose error says which flags to pass), the process ends with that one error
 * line and exit 1, without a stack, unless the caller asked for the outcome (`exit: false`: the
 * error is thrown).
 */
export function readProcessEnv(rt: Runtime, options: ProcessOptions): Readonly<Record<string, string>> {
  if (options.env !== undefined) return options.env;
  try {
    return rt.envAll();
  } catch (err) {
    if (options.exit === false) throw err;
    const logger = options.logger ?? createLogger({ sink: (line) => rt.writeStderr(line) });
    logger.error("cannot read the environment", { error: errorText(err) });
    return rt.exit(1);
  }
}

/** The state of one run of one component in this process. */
export class ProcessRun {
  readonly rt: Runtime;
  readonly vars: Readonly<Record<string, string>>;
  readonly place: RunPlace;
  readonly logger: Logger;
  /** Log lines kept for upload to the StepRun (a pod, with the default logger). */
  readonly capture: LogCapture | undefined;
  readonly termination: Termination;
  /** Signals, effects and logs recorded by the local sink (laptop runs). */
  readonly record: RunRecord = emptyRunRecord();
  readonly #options: ProcessOptions;
  readonly #closers: (() => void | Promise<void>)[] = [];
  #env: BubuEnv | undefined;
  #services: RunServices | undefined;
  #usage: string | undefined;

  constructor(options: ProcessOptions, terminationMessage: string) {
    this.#options = options;
    const base = options.runtime ?? detectRuntime();
    const vars = readProcessEnv(base, options);
    this.vars = vars;
    this.rt = options.env === undefined ? base : { ...base, env: (name) => vars[name], envAll: () => ({ ...vars }) };
    this.place = isClusterMode(vars) ? "cluster" : "local";
    const cluster = this.place === "cluster";
    this.capture = cluster && options.logger === undefined ? new LogCapture() : undefined;
    const rt = this.rt;
    // On a laptop stdout carries the result, so logs go to stderr; in a pod they go to stdout.
    const sink = this.capture
      ? this.capture.tee((line) => rt.writeStdout(line))
      : cluster
        ? (line: string) => rt.writeStdout(line)
        : (line: string) => rt.writeStderr(line);
    this.logger = options.logger ?? createLogger({ sink, level: parseDebugFlag(vars.BUBU_DEBUG) ? "DEBUG" : "INFO" });
    this.termination = listenForTermination(rt, this.logger, terminationMessage, options.signal);
  }

  get cluster(): boolean {
    return this.place === "cluster";
  }

  /** The command-line arguments (local mode). */
  args(): readonly string[] {
    return this.#options.args ?? this.rt.args();
  }

  /** The parsed environment; {@link loadEnv} must have run. */
  get env(): BubuEnv {
    if (this.#env === undefined) throw new Error("loadEnv() has not run");
    return this.#env;
  }

  /** The run's clients; {@link loadEnv} must have run. */
  get services(): RunServices {
    if (this.#services === undefined) throw new Error("loadEnv() has not run");
    return this.#services;
  }

  /**
   * Parses the environment (`overrides` replace variables, e.g. local flags) and applies the
   * telemetry toggles. Throws an `EnvError` naming the variable for a malformed value.
   */
  loadEnv(overrides?: Readonly<Record<string, string | undefined>>): BubuEnv {
    const env = loadEnv(overrides === undefined ? this.vars : { ...this.vars, ...overrides });
    for (const w of env.warnings) this.logger.warn(w.message, { variable: w.variable, value: w.value });
    configureObservabilityFromEnv((name) => this.vars[name], this.logger);
    setDefaultLogger(this.logger);
    this.#closers.push(() => setDefaultLogger(undefined));
    this.#env = env;
    this.#services = new RunServices({ rt: this.rt, vars: this.vars, env, logger: this.logger });
    return env;
  }

  /**
   * A laptop run's command line (`flags`, and `--help`, which prints `usage` and exits 0);
   * anything else is a usage error (exit 2), reported with `usage` by {@link reportErrorDetail}.
   * `undefined` in a pod, whose arguments are never read.
   */
  localArgs(usage: string, flags: readonly LocalFlag[]): LocalArgs | undefined {
    if (this.cluster) return undefined;
    this.#usage = usage;
    const local = parseLocalArgs(this.args(), flags);
    if (local.help && this.#options.exit !== false) {
      this.rt.writeStdout(usage);
      this.rt.exit(0);
    }
    return local;
  }

  /**
   * {@link localArgs} for a streaming engram or an impulse: `--config <json|file>` becomes the
   * `BUBU_STEP_CONFIG` override for {@link loadEnv}, an impulse's `--story`
   * `BUBU_TARGET_STORY_NAME`.
   */
  async localConfigOverrides(
    usage: string,
    flags: readonly LocalFlag[] = ["--config"],
  ): Promise<Record<string, string> | undefined> {
    const local = this.localArgs(usage, flags);
    if (local === undefined) return undefined;
    const overrides: Record<string, string> = {};
    if (local.config !== undefined)
      overrides.BUBU_STEP_CONFIG = (await readFlagObject("--config", local.config, this.rt.fs)).text;
    if (local.story !== undefined) overrides.BUBU_TARGET_STORY_NAME = local.story;
    return Object.keys(overrides).length > 0 ? overrides : undefined;
  }

  /**
   * Loads the SDK's spans and metrics when OpenTelemetry is registered (`otel-gate.ts`); a no-op
   * otherwise. Entry points await it after {@link loadEnv}, before any handler runs.
   */
  async loadTelemetry(): Promise<void> {
    await loadTelemetry().catch((err: unknown) =>
      this.logger.warn("OpenTelemetry support could not be loaded", { error: String(err) }),
    );
  }

  /** The grace window in ms (`BUBU_SDK_GRACEFUL_SHUTDOWN_TIMEOUT`); throws an `EnvError` when malformed. */
  graceMs(): number {
    return readGraceMs(this.vars);
  }

  /**
   * Expands the `BUBU_SECRET_*` descriptors; their values are scrubbed from output until
   * {@link close}. A secret `declared` required without a descriptor fails first (its message
   * names the `owner` resource that maps Secrets in a cluster).
   */
  async openSecrets(
    signal: AbortSignal,
    declared?: SecretDeclarations,
    owner: "Engram" | "Impulse" = "Engram",
  ): Promise<Secrets> {
    const descriptors = this.env.secrets.reveal();
    checkRequiredSecrets(declared, descriptors, owner);
    const opened = await openSecrets(descriptors, { vars: this.vars, fs: this.rt.fs, logger: this.logger, signal });
    this.#closers.push(() => opened.close());
    return opened.secrets;
  }

  /**
   * While the run lasts, `console` output is scrubbed of secret values as the SDK's logs are.
   * With `reserveStdout` (a laptop run whose stdout carries the output or the messages),
   * `console.log`/`info`/`debug` write to stderr.
   */
  guardConsole(reserveStdout: boolean): void {
    const toStderr = console.error.bind(console);
    const route = reserveStdout ? { log: toStderr, info: toStderr, debug: toStderr } : {};
    this.#closers.push(redactConsole(console, route));
  }

  /** The handler context for `config` and `secrets`, with the capabilities of this place. */
  context<C>(init: { readonly signal: AbortSignal; readonly config: C; readonly secrets: Secrets }): Context<C> {
    const env = this.env;
    const { flush, ...capabilities } = placeCapabilities(this);
    if (flush) this.#closers.push(flush);
    return createContext({
      ...init,
      logger: this.logger,
      place: this.place,
      story: env.storyInfo,
      startedAt: env.startedAt?.date ?? new Date(performance.timeOrigin),
      templateContext: { inputs: {}, steps: {}, ...env.payload.templateContext },
      ...capabilities,
    });
  }

  /** {@link context} for an impulse. */
  impulseContext<C>(init: {
    readonly signal: AbortSignal;
    readonly config: C;
    readonly secrets: Secrets;
    readonly stories: Stories;
  }): ImpulseContext<C> {
    return withStories(this.context(init), init.stories);
  }

  /** Releases everything the run opened (clients, secret registrations, signal listeners). */
  async close(): Promise<void> {
    await this.#services?.close();
    for (const close of this.#closers.splice(0).reverse()) await close();
    this.termination.dispose();
  }

  /**
   * The stack and cause chain of a failure, for the developer: on stderr locally, as a DEBUG log
   * line in a pod with `BUBU_DEBUG`. Never part of a status. Locally a mistake in the input (bad
   * inputs, flags, variables, a missing secret) gets its message only, unless `BUBU_DEBUG` is set.
   */
  reportErrorDetail(err: unknown): void {
    if (!this.cluster && this.#usage !== undefined && isUsageError(err)) {
      this.rt.writeStderr(`\n${this.#usage}`);
      return;
    }
    if (!this.cluster && isInputError(err) && !parseDebugFlag(this.vars.BUBU_DEBUG)) return;
    const detail = errorDetail(err);
    if (detail === "") return;
    if (!this.cluster) this.rt.writeStderr(detail + "\n");
    else this.logger.debug("error detail", { stack: detail });
  }

  /** Exits with `code` unless the caller asked for the outcome (`exit: false`). */
  exit(code: number): void {
    if (this.#options.exit !== false) this.rt.exit(code);
  }
}
