/**
 * `startStreaming`: the process entry point of a streaming engram. With `BUBU_TRANSPORT_BINDING`
 * it is a gRPC client of the connector sidecar; locally (no binding, no cluster) it reads NDJSON
 * messages on stdin and prints NDJSON on stdout, and loads none of the gRPC packages.
 *
 * Shutdown: on SIGTERM it stops reading, lets `stream` finish, flushes the output, sends the
 * pending `downstream.delivered` receipts, closes both streams and exits 0; if the grace period
 * (`BUBU_SDK_GRACEFUL_SHUTDOWN_TIMEOUT`) ends with messages or receipts undelivered, it exits 1.
 * @module
 */
import type { Context } from "../engram/context.ts";
import type { StreamingEngram } from "../engram/streaming-engram.ts";
import { newStreamErrorMessage } from "../engram/streaming-error.ts";
import { ExitCode } from "../errors/exit.ts";
import { rethrowMissing, STREAMING_PACKAGES } from "../errors/missing-package.ts";
import { recordClientBufferDropped, registerClientBufferGauges } from "../observability/instruments.ts";
import { isUsageError, localConfigUsage } from "../process/local-args.ts";
import { type ProcessOptions, ProcessRun } from "../process/process-run.ts";
import { prepareStartupConfig } from "../process/startup-config.ts";
import { within } from "./async-util.ts";
import type { TransportBinding } from "./binding.ts";
import type { ConnectorEndpoint } from "./endpoint.ts";
import { describeError } from "./errors.ts";
import { readLocalInput, writeLocalOutput } from "./local-mode.ts";
import { StreamPipeline } from "./pipeline.ts";
import { resolveStreamingSettings } from "./settings.ts";
import type { ChunkLimits } from "./wire/chunks.ts";

/** Options of {@link startStreaming}. */
export interface StartStreamingOptions extends ProcessOptions {
  /** Local mode input; defaults to the runtime's stdin. */
  readonly stdin?: AsyncIterable<Uint8Array>;
  /** PEM CA trusted for a TLS connector endpoint instead of the system roots. */
  readonly connectorCa?: string;
  /** Reassembly limits (tests). */
  readonly chunkLimits?: ChunkLimits;
}

/** How a streaming run ended. */
export interface StreamingOutcome {
  readonly exitCode: number;
  readonly mode: "connector" | "local";
  /** Set when the run failed. */
  readonly error?: unknown;
  /** Messages the engram sent that were not delivered to the connector or stdout. */
  readonly unsent: number;
}

/** What `startStreaming` runs: a streaming engram's handlers and config schema. */
export type RunnableStreaming<C> = Pick<StreamingEngram<C>, "init" | "stream" | "control"> & {
  readonly schemas?: StreamingEngram<C>["schemas"];
  readonly secrets?: StreamingEngram<C>["secrets"];
};

/**
 * Runs a streaming engram as a process. Exits 0 after a clean end or drain, 1 on failure
 * (bad binding or env, `init`/`stream` threw, retries exhausted, output lost at shutdown).
 */
export async function startStreaming<C>(
  engram: RunnableStreaming<C>,
  options: StartStreamingOptions = {},
): Promise<StreamingOutcome> {
  const run = new ProcessRun(options, "signal received, draining the stream");
  const { rt, logger, vars: env } = run;
  const bindingRaw = (env.BUBU_TRANSPORT_BINDING ?? "").trim();
  const mode: StreamingOutcome["mode"] = bindingRaw === "" && !run.cluster ? "local" : "connector";
  const getEnv = (name: string): string | undefined => env[name];

  // drain: SIGTERM (or options.signal) — stop reading, let stream finish, flush.
  // hardStop: the grace period ran out, or the transport failed for good.
  const drain = run.termination.signal;
  const hardStop = new AbortController();

  const finish = async (outcome: StreamingOutcome): Promise<StreamingOutcome> => {
    if (outcome.error !== undefined) {
      logger.error("streaming engram failed", { error: describeError(outcome.error), exitCode: outcome.exitCode });
      run.reportErrorDetail(outcome.error);
    }
    await run.close();
    run.exit(outcome.exitCode);
    return outcome;
  };
  const failed = (error: unknown, unsent = 0): StreamingOutcome => ({
    exitCode: ExitCode.Failure,
    mode,
    error,
    unsent,
  });

  try {
    // Bootstrap: config, secrets, init. The binding is parsed first, so a broken binding fails
    // before any side effect of init.
    let graceMs: number;
    let settings;
    let binding: TransportBinding | undefined;
    let endpoint: ConnectorEndpoint | undefined;
    let connector: typeof import("./connector.ts") | undefined;
    let config: unknown;
    try {
      graceMs = run.graceMs();
      run.loadEnv(await run.localConfigOverrides(localConfigUsage("streaming")));
      await run.loadTelemetry();
      if (mode === "connector") {
        connector = await import("./connector.ts").catch(rethrowMissing(STREAMING_PACKAGES, "a streaming engram"));
        binding = connector.parseTransportBinding(bindingRaw, getEnv);
        settings = resolveStreamingSettings(getEnv, binding.envOverrides);
        endpoint = connector.parseConnectorEndpoint(binding.endpoint);
      } else {
        settings = resolveStreamingSettings(getEnv);
      }
      // As batch config: storage and ConfigMap/Secret refs hydrated, templates resolved.
      config = await prepareStartupConfig(run.services, logger, engram.schemas?.config, hardStop.signal);
    } catch (err) {
      if (isUsageError(err)) return finish({ exitCode: 2, mode, error: err, unsent: 0 });
      return finish(failed(new Error(`failed to load streaming context: ${describeError(err)}`, { cause: err })));
    }
    let ctx: Context<C>;
    try {
      const secrets = await run.openSecrets(hardStop.signal, engram.secrets);
      ctx = run.context({ signal: hardStop.signal, config: config as C, secrets });
      await engram.init?.(ctx);
    } catch (err) {
      return finish(failed(new Error(`engram initialization failed: ${describeError(err)}`, { cause: err })));
    }
    run.guardConsole(mode === "local");

    const pipeline = new StreamPipeline({
      bufferSize: settings.bufferSize,
      maxSendBytes: settings.maxSendBytes,
      keepRequests: connector === undefined,
    });
    drain.addEventListener("abort", () => pipeline.stopReading(), { once: true });
    if (drain.aborted) pipeline.stopReading();

    // The client buffer gauges, polled by the app's metric reader (sizes computed only then).
    const unregisterGauges = registerClientBufferGauges(
      () => pipeline.outbound.size,
      () => pipeline.outbound.peekAll().reduce((n, p) => n + p.frame.length - 5, 0),
    );

    let transport: Promise<void>;
    if (connector !== undefined) {
      transport = connector.runConnector({
        runtime: rt,
        endpoint: endpoint!,
        bindingRef: connector.bindingReference(binding!),
        settings,
        pipeline,
        logger,
        handler: engram.control?.bind(engram),
        chunkLimits: options.chunkLimits,
        tlsCa: options.connectorCa,
        signal: hardStop.signal,
      });
    } else {
      const io = {
        stdin: options.stdin ?? rt.readStdin(),
        writeStdout: (t: string) => rt.writeStdout(t),
        logger,
        maxLineBytes: settings.maxRecvBytes,
      };
      void readLocalInput(pipeline, io).catch((err) =>
        logger.error("reading stdin failed", { error: describeError(err) }),
      );
      transport = writeLocalOutput(pipeline, io);
    }
    let transportError: unknown;
    const transportDone = transport.then(
      () => {},
      (err) => {
        transportError = err;
        // The transport is gone for good: nothing can be delivered any more.
        pipeline.stopReading();
        hardStop.abort(err);
      },
    );

    let streamError: unknown;
    try {
      await engram.stream(ctx, pipeline.messages(hardStop.signal), pipeline.sender());
    } catch (err) {
      streamError = hardStop.signal.aborted && err === hardStop.signal.reason ? undefined : err;
    }
    pipeline.stopReading();
    if (streamError !== undefined && !hardStop.signal.aborted) {
      // Tell downstream steps, in band, that this stream failed: a `kind: "error"` message.
      try {
        const msg = newStreamErrorMessage(streamError);
        await within(
          pipeline.outbound.push(pipeline.convert(msg), hardStop.signal),
          settings.messageTimeoutMs,
          undefined,
        );
      } catch (err) {
        logger.warn("could not send the stream error message", { error: describeError(err) });
      }
    }
    pipeline.closeOutbound();

    // Flush: bounded by the grace period once a drain was requested (SIGTERM), else by the
    // transport's own limits (message timeout, retry budget).
    const grace = new Promise<void>((resolve) => {
      const arm = (): void => {
        const t = setTimeout(resolve, graceMs);
        void transportDone.then(() => clearTimeout(t));
      };
      if (drain.aborted) arm();
      else drain.addEventListener("abort", arm, { once: true });
    });
    await Promise.race([transportDone, grace]);
    const unsent = pipeline.outbound.size;
    // Never sent: the client buffer gives these up with the stream.
    for (let i = 0; i < unsent; i++) recordClientBufferDropped("shutdown");
    if (!hardStop.signal.aborted) hardStop.abort(new Error("streaming finished"));
    await within(transportDone, 2_000, undefined);
    unregisterGauges();

    if (streamError !== undefined) {
      return finish(
        failed(
          new Error(`streaming engram stream failed: ${describeError(streamError)}`, { cause: streamError }),
          unsent,
        ),
      );
    }
    if (transportError !== undefined) return finish(failed(transportError, unsent));
    if (unsent > 0 || !pipeline.flushed) {
      const lost = unsent + pipeline.receipts.size + pipeline.handover.unconfirmed;
      return finish(
        failed(new Error(`shutdown grace period ended with ${lost} messages or receipts not delivered`), unsent),
      );
    }
    return finish({ exitCode: ExitCode.Success, mode, unsent: 0 });
  } catch (err) {
    return finish(failed(err));
  }
}
