/**
 * The process entry point of a batch engram: reads the environment (and locally the command
 * line), runs the engram once, reports, and exits with the step's code.
 * @module
 */
import { EnvError } from "../env/errors.ts";
import { parseDebugFlag } from "../env/flags.ts";
import { ENV } from "../env/names.ts";
import { BubuError } from "../errors/bubu-error.ts";
import { errorText } from "../errors/error-text.ts";
import { rethrowMissing, STREAMING_PACKAGES } from "../errors/missing-package.ts";
import type { Logger } from "../observability/logger.ts";
import { isUsageError, LOCAL_USAGE } from "../process/local-args.ts";
import { payloadServices } from "../process/payload.ts";
import { type ProcessOptions, ProcessRun } from "../process/process-run.ts";
import { type BatchOutcome, type RunnableBatch, runBatch } from "./run-batch.ts";
import type { BatchServices } from "./services.ts";
import type { BatchSettings } from "./settings.ts";
import { loadBatchSettings } from "./settings-from-env.ts";
import { buildTerminalStatus } from "./status.ts";
import { graceAfter } from "./write-window.ts";

/** Options of {@link startBatch}. */
export interface StartBatchOptions extends ProcessOptions {
  /** Services that replace the defaults (storage, templating, status writer). */
  readonly services?: BatchServices;
  /** PEM CA trusted for a TLS connector endpoint (hybrid bridge) instead of the system roots. */
  readonly connectorCa?: string;
}

/**
 * Runs a batch engram as a process: in a cluster (`KUBERNETES_SERVICE_HOST` or
 * `BUBU_STEPRUN_NAME` set) it writes the StepRun status; locally it prints the output JSON on
 * stdout. Exits 0 on success, 1 on failure, 124 on timeout, 143 on SIGTERM (130 on SIGINT).
 */
export async function startBatch<C, I, O>(
  engram: RunnableBatch<C, I, O>,
  options: StartBatchOptions = {},
): Promise<BatchOutcome> {
  const run = new ProcessRun(options, "signal received, aborting the engram");
  const { logger } = run;
  let outcome: BatchOutcome;
  try {
    const local = run.localArgs(LOCAL_USAGE, ["--inputs", "--config"]);
    let settings: BatchSettings;
    let services: BatchServices;
    try {
      settings = await loadBatchSettings(run, local);
      services = options.services ?? (await defaultServices(run, settings));
    } catch (err) {
      outcome = bootstrapFailure(err);
      if (run.cluster && options.services === undefined) await reportBootstrapFailure(run, outcome);
      report(outcome, run);
      return outcome;
    }
    run.guardConsole(!run.cluster);
    outcome = await runBatch(engram, {
      settings,
      logger,
      services,
      openSecrets: (signal) => run.openSecrets(signal, engram.secrets),
      context: (init) => run.context(init),
      terminate: run.termination.signal,
    });
    report(outcome, run);
    // Hybrid bridge: only after a success whose status was written.
    if (
      run.env.hybridBridge.enabled &&
      outcome.end.kind === "success" &&
      outcome.exitCode === 0 &&
      outcome.statusError === undefined
    ) {
      await bridgeOutput(outcome, settings, run, options.connectorCa);
    }
    // After the terminal patch (and before exit 124 on timeout); after a SIGTERM it gets what is
    // left of one grace window.
    if (run.capture && options.services === undefined) {
      const stopping = graceAfter(run.termination.signal, settings.graceMs);
      try {
        await publishCapturedLogs(run, stopping.signal);
      } finally {
        stopping.close();
      }
    }
    return outcome;
  } catch (err) {
    // Bad local flags.
    outcome = bootstrapFailure(err);
    report(outcome, run);
    return outcome;
  } finally {
    await run.close();
    run.exit(outcome!.exitCode);
  }
}

/** Storage (cluster, or `BUBU_STORAGE_PROVIDER`), templates and, in a cluster, the status writer. */
async function defaultServices(run: ProcessRun, settings: BatchSettings): Promise<BatchServices> {
  const { logger } = run;
  if (run.cluster) {
    // Created now, so a broken in-cluster config fails the start, not the first write.
    await run.services.kube();
  }
  const payload = await payloadServices(run.services, logger, {
    config: settings.config,
    inputs: settings.inputs,
    skipInputTemplating: settings.skipInputTemplating,
    alwaysStorage: true,
  });
  if (!run.cluster) return payload;
  // Loaded only in a cluster: local runs never pay for the schema lookup or the status writer.
  const { clusterServices } = await import("./cluster-services.ts");
  // Under `bubu story run` the runner checks inputs and output against the template itself: its
  // API's 403 on the lookup is no news worth an info line per step.
  const { prefetchTemplate, ...cluster } = clusterServices(() => run.services.kube(), run.env, logger, {
    forbiddenLevel: parseDebugFlag(run.vars[ENV.LOCAL_STORY_RUNNER]) ? "debug" : "info",
  });
  // Overlaps the first API round trip (and the TLS handshake) with config decoding and init.
  prefetchTemplate(run.termination.signal);
  return { ...payload, ...cluster };
}

/** Forwards the output to the connector; never throws. */
async function bridgeOutput(
  outcome: BatchOutcome,
  settings: BatchSettings,
  run: ProcessRun,
  ca: string | undefined,
): Promise<void> {
  const { logger, env } = run;
  if ((run.vars.BUBU_TRANSPORT_BINDING ?? "").trim() === "") {
    // The common case: not a hybrid step. The gRPC client is not even loaded.
    logger.debug("No transport binding provided; skipping hybrid bridge delivery");
    return;
  }
  try {
    const { runHybridBridge } = await import("./hybrid-bridge.ts").catch(
      rethrowMissing(STREAMING_PACKAGES, "the hybrid bridge"),
    );
    await runHybridBridge(
      {
        output: outcome.output,
        inputs: settings.inputs,
        storyInfo: settings.storyInfo,
        transports: env.payload.transports,
      },
      {
        runtime: run.rt,
        env: (name) => run.vars[name],
        logger,
        timeoutNs: env.hybridBridge.timeout.nanos,
        signal: run.termination.signal,
        tlsCa: ca,
      },
    );
  } catch (err) {
    // runHybridBridge logs its own failures; this is a failed module load.
    logger.warn("Hybrid bridge (batch→stream) send failed; continuing without downstream delivery", {
      error: errorText(err),
    });
  }
}

/** Uploads the captured log lines and points `StepRun.status.logs` at them; never throws. */
async function publishCapturedLogs(run: ProcessRun, stop: AbortSignal): Promise<void> {
  const { env, logger } = run;
  const stepRun = env.storyInfo.stepRunID;
  if (!run.capture || stepRun === "" || !run.services.storageConfigured) return;
  try {
    const storage = await run.services.storage();
    const ref = await storage.publishLogs(
      run.capture.bytes(),
      "application/x-ndjson",
      AbortSignal.any([AbortSignal.timeout(30_000), stop]),
    );
    if (!ref) return;
    const { buildLogsStatusUpdate } = await import("../k8s/logs-patch.ts");
    const { patchStepRunStatus } = await import("../k8s/steprun-status.ts");
    const client = await run.services.kube();
    await patchStepRunStatus(client, client.namespace, stepRun, buildLogsStatusUpdate(ref), {
      signal: AbortSignal.any([AbortSignal.timeout(5_000), stop]),
    });
  } catch (err) {
    logger.warn("captured logs not published", { error: errorText(err) });
  }
}

function bootstrapFailure(err: unknown): BatchOutcome {
  // A command line it cannot use: exit 2, as command-line tools do, with the error as it is.
  if (isUsageError(err)) return { ...failedOutcome(err), exitCode: 2 };
  // Client and storage-manager failures keep their own texts.
  const own = err instanceof Error && /^failed to create (Kubernetes client|storage manager)/.test(err.message);
  if (own) return failedOutcome(err);
  const message = `failed to load execution context: ${errorText(err)}`;
  // Malformed env and flags are the caller's input errors, not execution failures.
  const error =
    err instanceof EnvError
      ? new BubuError("validation_error", message, {
          retryable: false,
          code: err.code,
          details: { variable: err.variable },
          cause: err,
        })
      : new Error(message, { cause: err });
  return failedOutcome(error);
}

function failedOutcome(error: unknown): BatchOutcome {
  const end = { kind: "failure", error } as const;
  const status = buildTerminalStatus(
    end,
    { startedAt: new Date(performance.timeOrigin), finishedAt: new Date() },
    undefined,
  );
  return { end, exitCode: 1, status, abandoned: false };
}

/** Best effort: a Failed status for a run that could not start. */
async function reportBootstrapFailure(run: ProcessRun, outcome: BatchOutcome): Promise<void> {
  const name = (run.vars.BUBU_STEPRUN_NAME ?? "").trim();
  if (name === "") return;
  try {
    const { createKubeClient } = await import("../k8s/create-client.ts");
    const { patchStepRunStatus } = await import("../k8s/steprun-status.ts");
    const client = await createKubeClient(run.rt);
    try {
      await patchStepRunStatus(client, client.namespace, name, outcome.status);
    } finally {
      await client.close();
    }
  } catch (err) {
    run.logger.error("could not report the startup failure to the StepRun", { error: errorText(err) });
  }
}

function report(outcome: BatchOutcome, run: ProcessRun): void {
  const { status } = outcome;
  const logger: Logger = run.logger;
  if (run.cluster) {
    if (status.phase === "Succeeded")
      logger.info("engram completed", { phase: status.phase, duration: status.duration });
    else logger.error("engram failed", { phase: status.phase, exitCode: outcome.exitCode, error: status.error });
    if (outcome.end.kind !== "success") run.reportErrorDetail(outcome.end.error);
    return;
  }
  if (status.phase === "Succeeded") {
    run.rt.writeStdout(JSON.stringify(outcome.output ?? {}) + "\n");
    return;
  }
  const error = status.error ?? { message: status.lastFailureMsg };
  run.rt.writeStderr(JSON.stringify(outcome.exitCode === 2 ? { ...error, exitCode: 2 } : error) + "\n");
  if (outcome.end.kind !== "success") run.reportErrorDetail(outcome.end.error);
}
