/**
 * One batch run, top to bottom: config → secrets → init → inputs → process → output → status.
 * It never exits the process: `startBatch` does that with the returned outcome.
 * @module
 */
import type { BatchEngram, EngramSchemas } from "../engram/batch-engram.ts";
import type { Context } from "../engram/context.ts";
import type { SecretDeclarations } from "../engram/secret-declarations.ts";
import type { Secrets } from "../engram/secrets.ts";
import { formatGoDuration } from "../env/duration.ts";
import { errorText, wrapError } from "../errors/error-text.ts";
import type { Logger } from "../observability/logger.ts";
import type { JsonObject } from "../process/payload-services.ts";
import { prepareConfig, prepareInputs } from "../process/prepare.ts";
import { signalExitCode } from "../process/termination.ts";
import { abortCause, abortReason, type Guarded, guard } from "../process/watchdog.ts";
import { abandonedError, BatchTimeoutError, terminatedError } from "./errors.ts";
import { finishOutput } from "./output.ts";
import { debugPreview } from "./preview.ts";
import type { BatchServices } from "./services.ts";
import type { BatchSettings } from "./settings.ts";
import { buildTerminalStatus, type RunEnd, type StepRunStatusUpdate } from "./status.ts";
import { openStatusWriteWindow } from "./write-window.ts";

/** What `runBatch` needs besides the engram. */
export interface RunBatchDeps {
  readonly settings: BatchSettings;
  readonly logger: Logger;
  readonly services?: BatchServices;
  /** Expands the secrets; throws on any failed descriptor. */
  readonly openSecrets: (signal: AbortSignal) => Promise<Secrets>;
  /** The handler context for the decoded config and the secrets. */
  readonly context: (init: {
    readonly signal: AbortSignal;
    readonly config: unknown;
    readonly secrets: Secrets;
  }) => Context<unknown>;
  /** Aborted when the process receives SIGTERM/SIGINT; its `reason` is the signal name. */
  readonly terminate?: AbortSignal;
  readonly now?: () => Date;
}

/** How a run ended, and what was (or was not) written. */
export interface BatchOutcome {
  readonly end: RunEnd;
  readonly exitCode: number;
  readonly status: StepRunStatusUpdate;
  /** The output as written to the status (after offload), when there is one. */
  readonly output?: JsonObject;
  /** Set when writing the status failed. */
  readonly statusError?: unknown;
  /** The engram kept running past the grace window; the caller must exit now. */
  readonly abandoned: boolean;
}

/** What `runBatch` runs: a batch engram's handlers and schemas. */
export type RunnableBatch<C, I, O> = Pick<BatchEngram<C, I, O>, "init" | "process"> & {
  readonly schemas?: EngramSchemas;
  readonly secrets?: SecretDeclarations | undefined;
};

/** Runs `engram` once under `deps.settings`. */
export async function runBatch<C, I, O>(engram: RunnableBatch<C, I, O>, deps: RunBatchDeps): Promise<BatchOutcome> {
  const { settings, logger } = deps;
  const seams = deps.services ?? {};
  const now = deps.now ?? (() => new Date());
  const run = new AbortController();
  const timeoutMs = Number(settings.stepTimeoutNs / 1_000_000n);
  const deadline = setTimeout(() => {
    const after = formatGoDuration(settings.stepTimeoutNs);
    // Said out loud: a handler that ignores its signal would otherwise look like a silent hang.
    logger.warn("step deadline reached: the engram's signal is aborted", {
      timeout: after,
      graceWindowMs: settings.graceMs,
    });
    // The reason reads as Go's ctx.Err() at the deadline, so a handler that rethrows it ends with
    // Go's text: `batch execution timed out after <d>: context deadline exceeded`.
    run.abort(abortReason("timeout", DEADLINE_EXCEEDED));
  }, timeoutMs);
  const signalName = (): "SIGTERM" | "SIGINT" => (deps.terminate?.reason === "SIGINT" ? "SIGINT" : "SIGTERM");
  const onTerminate = (): void => run.abort(abortReason("sigterm", `terminated by ${signalName()}`));
  if (deps.terminate?.aborted) onTerminate();
  deps.terminate?.addEventListener("abort", onTerminate, { once: true });
  const schemas = engram.schemas ?? {};

  let end: RunEnd;
  let rawOutput: unknown;
  let abandoned = false;
  try {
    const init = await guard(
      async () => {
        const config = await prepareConfig(schemas.config, settings, seams, run.signal);
        const secrets = await deps.openSecrets(run.signal).catch((err: unknown) => {
          throw wrapError("failed to expand secrets", err);
        });
        if (settings.debug) logger.debug("Execution context hydrated", debugPreview(settings, config, secrets));
        const ctx = deps.context({ signal: run.signal, config, secrets }) as Context<C>;
        try {
          await engram.init?.(ctx);
        } catch (err) {
          throw wrapError("engram initialization failed", err);
        }
        return ctx;
      },
      run.signal,
      settings.graceMs,
    );

    if (init.state !== "fulfilled") {
      abandoned = init.state === "abandoned";
      // A deadline during init is a failure (as in Go); only a hang becomes a timeout.
      const aborted = init.state === "abandoned" || abortCause(run.signal) === "sigterm";
      end = (aborted ? endAfterAbort(run.signal, init, settings, signalName()) : undefined) ?? {
        kind: "failure",
        error: errorOf(init),
      };
    } else {
      const inputs = await guard(
        () => prepareInputs(schemas.inputs, settings, seams, run.signal),
        run.signal,
        settings.graceMs,
      );
      if (inputs.state !== "fulfilled") {
        abandoned = inputs.state === "abandoned";
        end = endAfterAbort(run.signal, inputs, settings, signalName()) ?? { kind: "failure", error: errorOf(inputs) };
      } else {
        const ctx = init.value;
        const processed = await guard(() => engram.process(ctx, inputs.value as I), run.signal, settings.graceMs);
        abandoned = processed.state === "abandoned";
        if (processed.state === "fulfilled") rawOutput = processed.value;
        end =
          endAfterAbort(run.signal, processed, settings, signalName()) ??
          (processed.state === "fulfilled" ? { kind: "success" } : { kind: "failure", error: errorOf(processed) });
      }
    }
  } finally {
    clearTimeout(deadline);
    deps.terminate?.removeEventListener("abort", onTerminate);
  }

  // Output is handled on every path: it is persisted on Failed and Timeout too.
  const finished = await finishOutput(schemas.output, rawOutput, end, settings, seams, deps.terminate);
  end = finished.end;
  const status = buildTerminalStatus(end, { startedAt: settings.startedAt, finishedAt: now() }, finished.output);
  if (settings.debug) {
    logger.debug("StepRun status patch detail", {
      phase: status.phase,
      timedOut: end.kind === "timeout",
      outputPreview: finished.output === undefined ? "" : JSON.stringify(finished.output).slice(0, 2048),
    });
  }
  let statusError: unknown;
  let signalled: "SIGTERM" | "SIGINT" | undefined;
  if (seams.writeStatus) {
    const window = openStatusWriteWindow(settings, deps.terminate);
    try {
      await seams.writeStatus(status, window.signal, end);
    } catch (err) {
      statusError = err;
      logger.error("StepRun status patch failed", { error: errorText(err) });
    } finally {
      window.close();
      signalled = window.signalled;
    }
  }
  // A result that was never recorded while the pod was being stopped: exit as the signal says.
  const exitCode =
    statusError !== undefined && signalled !== undefined ? signalExitCode(signalled) : exitCodeFor(end, statusError);
  return { end, exitCode, status, output: finished.output, statusError, abandoned };
}

function exitCodeFor(end: RunEnd, statusError: unknown): number {
  switch (end.kind) {
    case "timeout":
      return 124;
    case "terminated":
      return signalExitCode(end.signal);
    case "failure":
      return 1;
    case "success":
      // A success whose status could not be written is a failure of the step.
      return statusError === undefined ? 0 : 1;
  }
}

/** The rejection of `g`; a thrown non-Error value becomes an Error whose `cause` is the value. */
function errorOf(g: Guarded<unknown>): unknown {
  if (g.state !== "rejected") return undefined;
  return g.error instanceof Error ? g.error : new Error(errorText(g.error), { cause: g.error });
}

/** The end of a run whose signal was aborted; `undefined` when it was not. */
function endAfterAbort(
  signal: AbortSignal,
  g: Guarded<unknown>,
  settings: BatchSettings,
  received: "SIGTERM" | "SIGINT",
): RunEnd | undefined {
  const cause = abortCause(signal);
  if (cause === undefined) return undefined;
  const inner = g.state === "abandoned" ? abandonedError(settings.graceMs) : errorOf(g);
  if (cause === "sigterm") return { kind: "terminated", error: terminatedError(received, inner), signal: received };
  return { kind: "timeout", error: new BatchTimeoutError(settings.stepTimeoutNs, inner ?? deadlineExceeded()) };
}

/** The deadline text used when the engram returned without an error after the deadline. */
function deadlineExceeded(): Error {
  return new Error(DEADLINE_EXCEEDED);
}

/** Go's `context.DeadlineExceeded` text. */
const DEADLINE_EXCEEDED = "context deadline exceeded";
