/**
 * `startBatch`: the process entry point of a batch engram. Reads the environment (and in local
 * mode the command line), runs the engram once, reports, and exits with the contract's code.
 * @module
 */
import type { BatchEngram } from "../engram/batch-engram.ts";
import { expandSecrets } from "../engram/secret-expansion.ts";
import type { Secrets } from "../engram/secrets.ts";
import { BubuError } from "../errors/bubu-error.ts";
import { EnvError } from "../env/errors.ts";
import { createLogger, LogCapture, type Logger } from "../observability/logger.ts";
import { detectRuntime } from "../runtime/detect.ts";
import type { Runtime, ProcessSignal } from "../runtime/types.ts";
import { isClusterMode } from "../env/namespace.ts";
import { parseDebugFlag } from "../env/flags.ts";
import { runBatch, type BatchOutcome } from "./run-batch.ts";
import type { BubuEnv } from "../env/load.ts";
import type { BatchSettings } from "./settings.ts";
import { hasTemplates } from "./has-templates.ts";
import { setDefaultLogger } from "../observability/context-logger.ts";
import { registerSecrets } from "../observability/redaction.ts";
import { configureObservabilityFromEnv } from "../observability/toggles.ts";
import type { BatchSeams } from "./seams.ts";
import { loadBatchSettings } from "./settings-from-env.ts";
import { LOCAL_USAGE, parseLocalArgs } from "./local-args.ts";
import { buildTerminalStatus, errorText } from "./status.ts";
import { graceAfter, type GraceAfterSignal } from "./write-window.ts";


/** Options of {@link startBatch}; all optional. */
export interface StartBatchOptions {
  /** Defaults to the detected runtime. */
  readonly runtime?: Runtime;
  /** Environment; defaults to the process environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** Command-line arguments (local mode); defaults to the process arguments. */
  readonly args?: readonly string[];
  /** Services that replace the defaults (storage, templating, status writer). */
  readonly seams?: BatchSeams;
  /** When false, returns the outcome instead of exiting the process. Default true. */
  readonly exit?: boolean;
  /** Logger to use instead of the default JSON logger (then no log capture). */
  readonly logger?: Logger;
  /** PEM CA trusted for a TLS connector endpoint (hybrid bridge) instead of the system roots. */
  readonly connectorCa?: string;
}

/**
 * Runs a batch engram as a process: in a cluster (`KUBERNETES_SERVICE_HOST` or
 * `BUBU_STEPRUN_NAME` set) it writes the StepRun status; locally it prints the output JSON on
 * stdout. Exits 0 on success, 1 on failure, 124 on timeout, 143 on SIGTERM (130 on SIGINT).
 */
export async function startBatch<C, I, O>(engram: BatchEngram<C, I, O>, options: StartBatchOptions = {}): Promise<BatchOutcome> {
  const base = options.runtime ?? detectRuntime();
  const env = options.env ?? base.envAll();
  // Every client the run builds (Kubernetes, storage, signals) reads the run's environment.
  const rt: Runtime = options.env === undefined ? base : { ...base, env: (name) => env[name], envAll: () => ({ ...env }) };
  const cluster = isClusterMode(env);
  const capture = new LogCapture();
  // Locally stdout carries the result, so logs go to stderr; in a pod they go to stdout (Go).
  const sink = cluster ? capture.tee((line) => rt.writeStdout(line)) : (line: string) => rt.writeStderr(line);
  const logger = options.logger ?? createLogger({ sink, level: parseDebugFlag(env.BUBU_DEBUG) ? "DEBUG" : "INFO" });
  const finish = (outcome: BatchOutcome): BatchOutcome => {
    if (options.exit !== false) rt.exit(outcome.exitCode);
    return outcome;
  };

  const terminate = new AbortController();
  let forced = false;
  const onSignal = (signal: ProcessSignal) => (): void => {
    if (terminate.signal.aborted) {
      // A second signal: the user or kubelet insists; leave now.
      forced = true;
      rt.exit(signal === "SIGINT" ? 130 : 143);
    }
    logger.warn("signal received, aborting the engram", { signal });
    terminate.abort(signal);
  };
  const offs = [rt.onSignal("SIGTERM", onSignal("SIGTERM")), rt.onSignal("SIGINT", onSignal("SIGINT"))];
  // Secret values are scrubbed from logs, spans, metrics and error messages until the run is reported.
  let unregisterSecrets = (): void => {};
  // Once a signal arrives, best-effort work after the status write gets one grace window.
  let stopping: GraceAfterSignal | undefined;

  try {
    const args = options.args ?? rt.args();
    const local = cluster ? undefined : parseLocalArgsOrExit(args, rt, options.exit !== false);
    const { settings, env: bubu } = await loadBatchSettings(env, { local, fs: rt.fs });
    stopping = graceAfter(terminate.signal, settings.graceMs);
    configureObservabilityFromEnv((name) => env[name], logger);
    setDefaultLogger(logger);
    const services = options.seams === undefined ? await defaultServices(rt, bubu, settings, cluster, logger) : undefined;
    const seams = options.seams ?? services?.seams;
    const loadSecrets = async (descriptors: Readonly<Record<string, string>>, signal: AbortSignal): Promise<Secrets> => {
      const expanded = await expandSecrets(descriptors, { env, fs: rt.fs, signal, warn: (msg, attrs) => logger.warn(msg, attrs) });
      if (expanded.error) throw expanded.error;
      unregisterSecrets = registerSecrets(expanded.secrets);
      return expanded.secrets;
    };
    const outcome = await runBatch(engram, { settings, logger, seams, loadSecrets, terminate: terminate.signal });
    report(outcome, cluster, rt, logger);
    // Hybrid bridge: only after a success whose status was written (Go: success and no patch error).
    if (bubu.hybridBridge.enabled && outcome.end.kind === "success" && outcome.exitCode === 0 && outcome.statusError === undefined) {
      await bridgeOutput(outcome, settings, bubu, { rt, env, logger, signal: terminate.signal, ca: options.connectorCa });
    }
    // After the terminal patch (and before exit 124 on timeout), as Go's publishCapturedLogs.
    if (services && options.logger === undefined) await services.publishLogs(capture.bytes(), logger, stopping.signal);
    await services?.close();
    return finish(outcome);
  } catch (err) {
    // Bootstrap failures (malformed env, bad flags, no client): Go's "failed to load execution
    // context". Go never reports these to the StepRun (quirks A7); we try, so the operator sees why.
    const outcome = bootstrapFailure(err);
    if (cluster && options.seams === undefined) await reportBootstrapFailure(rt, env, outcome, logger);
    report(outcome, cluster, rt, logger);
    return finish(outcome);
  } finally {
    if (!forced) for (const off of offs) off();
    stopping?.close();
    unregisterSecrets();
  }
}

/** Forwards the output to the connector (contract streaming.md §18); never throws. */
async function bridgeOutput(
  outcome: BatchOutcome,
  settings: BatchSettings,
  bubu: BubuEnv,
  ctx: { rt: Runtime; env: Readonly<Record<string, string>>; logger: Logger; signal: AbortSignal; ca?: string },
): Promise<void> {
  if ((ctx.env.BUBU_TRANSPORT_BINDING ?? "").trim() === "") {
    // The common case: not a hybrid step. The gRPC client is not even loaded.
    ctx.logger.debug("No transport binding provided; skipping hybrid bridge delivery");
    return;
  }
  try {
    const { runHybridBridge } = await import("./hybrid-bridge.ts");
    await runHybridBridge(
      { output: outcome.output, inputs: settings.inputs, storyInfo: settings.storyInfo, transports: bubu.payload.transports },
      { runtime: ctx.rt, env: (name) => ctx.env[name], logger: ctx.logger, timeoutNs: bubu.hybridBridge.timeout.nanos, signal: ctx.signal, tlsCa: ctx.ca },
    );
  } catch (err) {
    // runHybridBridge logs its own failures; this is a failed module load.
    ctx.logger.warn("Hybrid bridge (batch→stream) send failed; continuing without downstream delivery", { error: errorText(err) });
  }
}

/** Storage (when configured) and, in a cluster, the Kubernetes seams; loaded lazily. */
async function defaultServices(
  rt: Runtime,
  bubu: BubuEnv,
  settings: BatchSettings,
  cluster: boolean,
  logger: Logger,
): Promise<DefaultServices> {
  // Locally storage is used only when asked for (BUBU_STORAGE_PROVIDER): printing stored
  // references instead of the output would hide what the engram produced.
  const storage = cluster || bubu.storage.provider !== "" ? await (await import("../storage/batch-seams.ts")).createStorageSeams(rt, bubu, logger) : undefined;
  // publishLogs() from inside process() reuses the run's manager instead of building another.
  if (storage) await (await import("../storage/shared-manager.ts")).setSharedStorageManager(storage.manager);
  let seams: BatchSeams = storage
    ? { hydrateConfig: storage.hydrateConfig, hydrateInputs: storage.hydrateInputs, dehydrateOutput: storage.dehydrateOutput }
    : {};
  let cs: Awaited<ReturnType<typeof import("./cluster-seams.ts").createClusterSeams>> | undefined;
  if (cluster) {
    try {
      // Loaded only in a cluster: local runs never pay for the Kubernetes client or JSON Schema.
      cs = await (await import("./cluster-seams.ts")).createClusterSeams(rt, bubu, logger);
    } catch (err) {
      if (storage) await (await import("../storage/shared-manager.ts")).setSharedStorageManager(undefined);
      await storage?.close();
      throw new Error(`failed to create Kubernetes client: ${errorText(err)}`, { cause: err });
    }
    seams = { ...seams, ...cs.seams };
  }
  // Templates are resolved as in Go; the engine is loaded only when there is something to
  // resolve (a payload without `{{` or `$bubuTemplate` comes out of it unchanged).
  if (hasTemplates(settings.config) || (!settings.skipInputTemplating && hasTemplates(settings.inputs))) {
    const { createTemplateSeam } = await import("../templating/seam.ts");
    const manager = storage?.manager;
    seams = {
      ...seams,
      ...createTemplateSeam(bubu, logger, manager ? { hydrateContext: (vars, signal) => manager.hydrate(vars, { signal }) } : {}),
    };
  }
  return {
    seams,
    async publishLogs(bytes, log, stop) {
      if (!storage || !cs) return;
      try {
        const ref = await storage.publishLogs(bytes, "application/x-ndjson", AbortSignal.any([AbortSignal.timeout(30_000), stop]));
        if (!ref) return;
        const { buildLogsStatusUpdate } = await import("../k8s/logs-patch.ts");
        const { patchStepRunStatus } = await import("../k8s/steprun-status.ts");
        await patchStepRunStatus(cs.client, cs.client.namespace, bubu.storyInfo.stepRunID, buildLogsStatusUpdate(ref), {
          signal: AbortSignal.any([AbortSignal.timeout(5_000), stop]),
        });
      } catch (err) {
        log.warn("captured logs not published", { error: errorText(err) });
      }
    },
    async close() {
      // publishLogs() after the run must not get the closed manager (in-process reuse).
      if (storage) await (await import("../storage/shared-manager.ts")).setSharedStorageManager(undefined);
      await storage?.close();
      await cs?.close();
    },
  };
}

interface DefaultServices {
  readonly seams: BatchSeams;
  /** `stop` ends it early (the grace window after SIGTERM). */
  publishLogs(bytes: Uint8Array, logger: Logger, stop: AbortSignal): Promise<void>;
  close(): Promise<void>;
}


function parseLocalArgsOrExit(args: readonly string[], rt: Runtime, mayExit: boolean): ReturnType<typeof parseLocalArgs> {
  const parsed = parseLocalArgs(args);
  if (parsed.help && mayExit) {
    rt.writeStdout(LOCAL_USAGE);
    rt.exit(0);
  }
  return parsed;
}

function bootstrapFailure(err: unknown): BatchOutcome {
  // Client and storage-manager failures keep their own texts (Go's patchBootstrapFailure).
  const own = err instanceof Error && /^failed to create (Kubernetes client|storage manager)/.test(err.message);
  if (own) return failedOutcome(err);
  const message = `failed to load execution context: ${errorText(err)}`;
  // Malformed env and flags are the caller's input errors, not execution failures.
  const error = err instanceof EnvError
    ? new BubuError("validation_error", message, { retryable: false, code: err.code, details: { variable: err.variable }, cause: err })
    : new Error(message, { cause: err });
  return failedOutcome(error);
}

function failedOutcome(error: unknown): BatchOutcome {
  const end = { kind: "failure", error } as const;
  const status = buildTerminalStatus(end, { startedAt: new Date(performance.timeOrigin), finishedAt: new Date() }, undefined);
  return { end, exitCode: 1, status, abandoned: false };
}

/** Best effort: a Failed status for a run that could not start. */
async function reportBootstrapFailure(
  rt: Runtime,
  env: Readonly<Record<string, string | undefined>>,
  outcome: BatchOutcome,
  logger: Logger,
): Promise<void> {
  const name = (env.BUBU_STEPRUN_NAME ?? "").trim();
  if (name === "") return;
  try {
    const { createKubeClient } = await import("../k8s/create-client.ts");
    const { patchStepRunStatus } = await import("../k8s/steprun-status.ts");
    const client = await createKubeClient(rt);
    try {
      await patchStepRunStatus(client, client.namespace, name, outcome.status);
    } finally {
      await client.close();
    }
  } catch (err) {
    logger.error("could not report the startup failure to the StepRun", { error: errorText(err) });
  }
}

function report(outcome: BatchOutcome, cluster: boolean, rt: Runtime, logger: Logger): void {
  const { status } = outcome;
  if (cluster) {
    if (status.phase === "Succeeded") logger.info("engram completed", { phase: status.phase, duration: status.duration });
    else logger.error("engram failed", { phase: status.phase, exitCode: outcome.exitCode, error: status.error });
    return;
  }
  if (status.phase === "Succeeded") rt.writeStdout(JSON.stringify(outcome.output ?? {}) + "\n");
  else rt.writeStderr(JSON.stringify(status.error ?? { message: status.lastFailureMsg }) + "\n");
}
