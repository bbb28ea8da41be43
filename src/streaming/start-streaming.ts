/**
 * `startStreaming`: the process entry point of a streaming engram. With `BUBU_TRANSPORT_BINDING`
 * it is a gRPC client of the connector sidecar; locally (no binding, no cluster) it reads NDJSON
 * messages on stdin and prints NDJSON on stdout.
 *
 * Shutdown (DESIGN.md): on SIGTERM it stops reading, lets `stream` finish, flushes the output,
 * sends the pending `downstream.delivered` receipts, closes both streams and exits 0.
 * @module
 */
import type { StreamingEngram } from "../engram/streaming-engram.ts";
import { newStreamErrorMessage } from "../engram/streaming-error.ts";
import { expandSecrets } from "../engram/secret-expansion.ts";
import { prepareStartupConfig, type StartupConfig } from "../batch/startup-config.ts";
import { configureObservabilityFromEnv } from "../observability/toggles.ts";
import { registerSecrets } from "../observability/redaction.ts";
import { GRACE_ENV } from "../batch/settings-from-env.ts";
import { parseGoDuration } from "../env/duration.ts";
import { parseDebugFlag } from "../env/flags.ts";
import { loadEnv } from "../env/load.ts";
import { isClusterMode } from "../env/namespace.ts";
import { ExitCode } from "../errors/exit.ts";
import { recordClientBufferDropped, registerClientBufferGauges } from "../observability/instruments.ts";
import { toBinary } from "@bufbuild/protobuf";
import { DataRequestSchema } from "../gen/transport/v1/transport_pb.ts";
import { createLogger, type Logger } from "../observability/logger.ts";
import { detectRuntime } from "../runtime/detect.ts";
import type { ProcessSignal, Runtime } from "../runtime/types.ts";
import { within } from "./async-util.ts";
import { bindingReference, parseTransportBinding } from "./binding.ts";
import type { ChunkLimits } from "./wire/chunks.ts";
import { runConnector } from "./connector-loop.ts";
import { parseConnectorEndpoint } from "./endpoint.ts";
import { describeError } from "./errors.ts";
import { readLocalInput, writeLocalOutput } from "./local-mode.ts";
import { StreamPipeline } from "./pipeline.ts";
import { resolveStreamingSettings } from "./settings.ts";

/** Options of {@link startStreaming}; all optional. */
export interface StartStreamingOptions {
  /** Defaults to the detected runtime. */
  readonly runtime?: Runtime;
  /** Environment; defaults to the process environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** When false, returns the outcome instead of exiting the process. Default true. */
  readonly exit?: boolean;
  readonly logger?: Logger;
  /** Local mode input; defaults to the runtime's stdin. */
  readonly stdin?: AsyncIterable<Uint8Array>;
  /** Aborting it has the effect of SIGTERM (a graceful drain). */
  readonly signal?: AbortSignal;
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

const DEFAULT_GRACE_MS = 10_000;

/**
 * Runs a streaming engram as a process. Exits 0 after a clean end or drain, 1 on failure
 * (bad binding or env, `init`/`stream` threw, retries exhausted, output lost at shutdown).
 */
export async function startStreaming<C>(engram: StreamingEngram<C>, options: StartStreamingOptions = {}): Promise<StreamingOutcome> {
  const rt = options.runtime ?? detectRuntime();
  const env = options.env ?? rt.envAll();
  const cluster = isClusterMode(env);
  const bindingRaw = (env.BUBU_TRANSPORT_BINDING ?? "").trim();
  const mode: StreamingOutcome["mode"] = bindingRaw === "" && !cluster ? "local" : "connector";
  // Locally stdout carries the messages, so logs go to stderr; in a pod they go to stdout (Go).
  const sink = cluster ? (line: string) => rt.writeStdout(line) : (line: string) => rt.writeStderr(line);
  const logger = options.logger ?? createLogger({ sink, level: parseDebugFlag(env.BUBU_DEBUG) ? "DEBUG" : "INFO" });
  const getEnv = (name: string): string | undefined => env[name];

  // drain: SIGTERM (or options.signal) — stop reading, let stream finish, flush.
  // hardStop: the grace period ran out, or the transport failed for good.
  const drain = new AbortController();
  const hardStop = new AbortController();
  let forced = false;
  const onSignal = (signal: ProcessSignal) => (): void => {
    if (drain.signal.aborted) {
      forced = true;
      rt.exit(signal === "SIGINT" ? 130 : 143);
    }
    logger.info("signal received, draining the stream", { signal });
    drain.abort(signal);
  };
  const offs = [rt.onSignal("SIGTERM", onSignal("SIGTERM")), rt.onSignal("SIGINT", onSignal("SIGINT"))];
  const onExternal = (): void => drain.abort(options.signal?.reason ?? "aborted");
  if (options.signal?.aborted) onExternal();
  options.signal?.addEventListener("abort", onExternal, { once: true });

  // What config preparation opened (storage, the Kubernetes client of refs); closed at the end.
  let startup: StartupConfig | undefined;
  // Secret values are scrubbed from logs, spans, metrics and error messages while the engram runs.
  let unregisterSecrets = (): void => {};
  const closeStartup = async (): Promise<void> => {
    try {
      await startup?.close();
    } catch (err) {
      logger.warn("closing the storage backend failed", { error: describeError(err) });
    }
  };
  const finish = async (outcome: StreamingOutcome): Promise<StreamingOutcome> => {
    if (outcome.error !== undefined) logger.error("streaming engram failed", { error: describeError(outcome.error), exitCode: outcome.exitCode });
    await closeStartup();
    unregisterSecrets();
    if (options.exit !== false) rt.exit(outcome.exitCode);
    return outcome;
  };
  const failed = (error: unknown, unsent = 0): StreamingOutcome => ({ exitCode: ExitCode.Failure, mode, error, unsent });

  try {
    // Bootstrap: config, secrets, init (Go runs Init before it parses the binding; quirks I20
    // — we parse the binding first, so a broken binding fails before any side effect of init).
    let graceMs: number;
    let settings;
    let binding;
    let endpoint;
    let config: unknown;
    let descriptors: Readonly<Record<string, string>>;
    try {
      graceMs = graceFrom(env[GRACE_ENV]);
      const bubu = loadEnv(env);
      configureObservabilityFromEnv((name) => env[name], logger);
      descriptors = bubu.secrets.reveal();
      if (mode === "connector") {
        binding = parseTransportBinding(bindingRaw, getEnv);
        settings = resolveStreamingSettings(getEnv, binding.envOverrides);
        endpoint = parseConnectorEndpoint(binding.endpoint);
      } else {
        settings = resolveStreamingSettings(getEnv);
      }
      // As batch config: storage and ConfigMap/Secret refs hydrated, templates resolved (Go's
      // hydrateConfig). After the binding checks, so a broken binding fails before any read.
      startup = await prepareStartupConfig({ runtime: rt, vars: env, env: bubu, logger, schema: engram.schemas?.config, signal: hardStop.signal });
      config = startup.config;
    } catch (err) {
      return finish(failed(new Error(`failed to load streaming context: ${describeError(err)}`, { cause: err })));
    }
    try {
      const expanded = await expandSecrets(descriptors, {
        env,
        fs: rt.fs,
        signal: hardStop.signal,
        warn: (msg, attrs) => logger.warn(msg, attrs),
      });
      if (expanded.error) throw expanded.error;
      unregisterSecrets = registerSecrets(expanded.secrets);
      await engram.init?.(config as C, expanded.secrets, hardStop.signal);
    } catch (err) {
      return finish(failed(new Error(`engram initialization failed: ${describeError(err)}`, { cause: err })));
    }

    const pipeline = new StreamPipeline({ bufferSize: settings.bufferSize, maxSendBytes: settings.maxSendBytes });
    drain.signal.addEventListener("abort", () => pipeline.stopReading(), { once: true });
    if (drain.signal.aborted) pipeline.stopReading();

    // The client buffer gauges, polled by the app's metric reader (sizes computed only then).
    const unregisterGauges = registerClientBufferGauges(
      () => pipeline.outbound.size,
      () => pipeline.outbound.peekAll().reduce((n, p) => n + toBinary(DataRequestSchema, p.request).length, 0),
    );

    // The transport side: the connector loop, or local stdin/stdout.
    let transport: Promise<void>;
    if (mode === "connector") {
      transport = runConnector({
        runtime: rt,
        endpoint: endpoint!,
        bindingRef: bindingReference(binding!),
        settings,
        pipeline,
        logger,
        handler: engram.control?.bind(engram),
        chunkLimits: options.chunkLimits,
        tlsCa: options.connectorCa,
        signal: hardStop.signal,
      });
    } else {
      const io = { stdin: options.stdin ?? rt.readStdin(), writeStdout: (t: string) => rt.writeStdout(t), logger };
      void readLocalInput(pipeline, io).catch((err) => logger.error("reading stdin failed", { error: describeError(err) }));
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

    // The engram.
    let streamError: unknown;
    try {
      await engram.stream(hardStop.signal, pipeline.messages(hardStop.signal), pipeline.sender());
    } catch (err) {
      streamError = hardStop.signal.aborted && err === hardStop.signal.reason ? undefined : err;
    }
    pipeline.stopReading();
    if (streamError !== undefined && !hardStop.signal.aborted) {
      // Tell downstream steps, in band, that this stream failed (contract errors.md "Stream errors").
      try {
        const msg = newStreamErrorMessage(streamError);
        await within(pipeline.outbound.push(pipeline.convert(msg), hardStop.signal), settings.messageTimeoutMs, undefined);
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
      if (drain.signal.aborted) arm();
      else drain.signal.addEventListener("abort", arm, { once: true });
    });
    await Promise.race([transportDone, grace]);
    const unsent = pipeline.outbound.size;
    // Never sent: the client buffer gives these up with the stream.
    for (let i = 0; i < unsent; i++) recordClientBufferDropped("shutdown");
    if (!hardStop.signal.aborted) hardStop.abort(new Error("streaming finished"));
    await within(transportDone, 2_000, undefined);
    unregisterGauges();

    if (streamError !== undefined) {
      return finish(failed(new Error(`streaming engram stream failed: ${describeError(streamError)}`, { cause: streamError }), unsent));
    }
    if (transportError !== undefined) return finish(failed(transportError, unsent));
    if (unsent > 0 || !pipeline.flushed) {
      const lost = unsent + pipeline.receipts.size + pipeline.handover.unconfirmed;
      return finish(failed(new Error(`shutdown grace period ended with ${lost} messages or receipts not delivered`), unsent));
    }
    return finish({ exitCode: ExitCode.Success, mode, unsent: 0 });
  } finally {
    options.signal?.removeEventListener("abort", onExternal);
    if (!forced) for (const off of offs) off();
    await closeStartup();
  }
}

function graceFrom(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === "") return DEFAULT_GRACE_MS;
  const ns = parseGoDuration(raw.trim());
  if (ns <= 0n) throw new Error(`${GRACE_ENV}: must be positive`);
  return Number(ns / 1_000_000n);
}
