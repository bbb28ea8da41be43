/**
 * `runImpulse`: the process entry point of an impulse (`contract/batch.md` §8). Env → config →
 * secrets → `init` → Kubernetes client → `run`, with SIGTERM/SIGINT ending `run` through its
 * signal and the contract's exit codes: 0 when `run` returns, 1 on any failure, 143 (130 for
 * SIGINT) after a signal — also when `run` ignores its signal past the grace window.
 * @module
 */
import { prepareImpulseConfig } from "./config.ts";
import { GRACE_ENV } from "../batch/settings-from-env.ts";
import { signalExitCode, errorText } from "../batch/status.ts";
import { expandSecrets } from "../engram/secret-expansion.ts";
import type { Secrets } from "../engram/secrets.ts";
import { parseGoDuration } from "../env/duration.ts";
import { type BubuEnv, loadEnv } from "../env/load.ts";
import { isClusterMode } from "../env/namespace.ts";
import { parseDebugFlag } from "../env/flags.ts";
import { createKubeClient } from "../k8s/create-client.ts";
import type { KubeClient } from "../k8s/client.ts";
import { createLogger, type Logger } from "../observability/logger.ts";
import { configureObservabilityFromEnv } from "../observability/toggles.ts";
import { registerSecrets } from "../observability/redaction.ts";
import { detectRuntime } from "../runtime/detect.ts";
import type { ProcessSignal, Runtime } from "../runtime/types.ts";
import type { Impulse } from "./impulse.ts";
import { setSharedStoryClient } from "./shared-client.ts";
import { StoryClient } from "./story-client.ts";

/** Options of {@link runImpulse}; all optional. */
export interface RunImpulseOptions {
  readonly runtime?: Runtime;
  /** Environment; defaults to the process environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** When false, returns the outcome instead of exiting. Default true. */
  readonly exit?: boolean;
  readonly logger?: Logger;
  /** Use this client instead of creating one (tests). */
  readonly client?: StoryClient;
  /** Aborts `run` like a signal (embedding, tests). */
  readonly signal?: AbortSignal;
}

/** How an impulse process ended. */
export interface ImpulseOutcome {
  readonly exitCode: number;
  /** `completed`: `run` returned; `terminated`: a signal ended it; `failed`: an error. */
  readonly end: "completed" | "terminated" | "failed";
  readonly error?: unknown;
}

const DEFAULT_GRACE_MS = 10_000;

/** Runs `impulse` as the process's service and exits with its code. */
export async function runImpulse<C>(impulse: Impulse<C>, options: RunImpulseOptions = {}): Promise<ImpulseOutcome> {
  const rt = options.runtime ?? detectRuntime();
  const rawEnv = options.env ?? rt.envAll();
  const cluster = isClusterMode(rawEnv);
  // In a pod logs go to stdout (Go); locally to stderr, as startBatch does.
  const sink = cluster ? (line: string) => rt.writeStdout(line) : (line: string) => rt.writeStderr(line);
  const logger = options.logger ?? createLogger({ sink, level: parseDebugFlag(rawEnv.BUBU_DEBUG) ? "DEBUG" : "INFO" });
  const graceMs = graceFrom(rawEnv);

  const terminate = new AbortController();
  let received: ProcessSignal | undefined;
  const onSignal = (signal: ProcessSignal) => (): void => {
    if (received !== undefined) {
      // A second signal: leave now.
      rt.exit(signalExitCode(signal));
    }
    received = signal;
    logger.info("signal received, stopping the impulse", { signal });
    terminate.abort(signal);
  };
  const offs = [rt.onSignal("SIGTERM", onSignal("SIGTERM")), rt.onSignal("SIGINT", onSignal("SIGINT"))];
  // An embedding caller's abort is treated like SIGTERM.
  const onOuterAbort = (): void => {
    received ??= "SIGTERM";
    terminate.abort(options.signal?.reason);
  };
  if (options.signal?.aborted) onOuterAbort();
  else options.signal?.addEventListener("abort", onOuterAbort, { once: true });

  let kube: KubeClient | undefined;
  // Secret values are scrubbed from logs, spans, metrics and error messages while the impulse runs.
  let unregisterSecrets = (): void => {};
  const finish = (outcome: ImpulseOutcome): ImpulseOutcome => {
    if (outcome.end === "failed") logger.error("impulse failed", { error: errorText(outcome.error), exitCode: outcome.exitCode });
    else logger.info("impulse stopped", { end: outcome.end, exitCode: outcome.exitCode });
    unregisterSecrets();
    if (options.exit !== false) rt.exit(outcome.exitCode);
    return outcome;
  };
  const failed = (message: string, err: unknown): ImpulseOutcome => {
    if (received !== undefined) return { exitCode: signalExitCode(received), end: "terminated", error: err };
    return { exitCode: 1, end: "failed", error: new Error(`${message}: ${errorText(err)}`, { cause: err }) };
  };

  try {
    logger.info("Initializing Bubu SDK for Impulse execution", impulse.name ? { impulse: impulse.name } : undefined);
    let env: BubuEnv;
    try {
      env = loadEnv(rawEnv);
    } catch (err) {
      return finish(failed("failed to load execution context", err));
    }
    for (const w of env.warnings) logger.warn(w.message, { variable: w.variable, value: w.value });
    configureObservabilityFromEnv((name) => rawEnv[name], logger);
    let config: C;
    try {
      config = await prepareImpulseConfig(rt, env, logger, impulse.schemas?.config, terminate.signal, rawEnv) as C;
    } catch (err) {
      // prepareImpulseConfig already wraps with Go's texts (failed to hydrate/unmarshal config).
      return finish(received !== undefined ? failed("", err) : { exitCode: 1, end: "failed", error: err });
    }
    let secrets: Secrets;
    try {
      const expanded = await expandSecrets(env.secrets.reveal(), {
        env: rawEnv,
        fs: rt.fs,
        signal: terminate.signal,
        warn: (msg, attrs) => logger.warn(msg, attrs),
      });
      if (expanded.error) throw expanded.error;
      secrets = expanded.secrets;
      unregisterSecrets = registerSecrets(secrets);
    } catch (err) {
      return finish(failed("failed to expand secrets", err));
    }
    try {
      await impulse.init?.(config, secrets, terminate.signal);
    } catch (err) {
      return finish(failed("impulse initialization failed", err));
    }
    // After init, as Go does (batch.md §8 step 8).
    let client = options.client;
    if (client === undefined) {
      try {
        kube = await createKubeClient(rt);
      } catch (err) {
        return finish(failed("failed to create k8s client", err));
      }
      client = new StoryClient(kube, { env, logger });
    }
    setSharedStoryClient(client);
    logger.info("Starting Impulse");
    const ran = await runWithGrace(() => impulse.run(terminate.signal, client, { config, secrets, logger }), terminate.signal, graceMs);
    if (ran.state === "abandoned") {
      logger.warn("impulse did not return within the grace window after its signal", { graceMs });
      return finish({ exitCode: signalExitCode(received ?? "SIGTERM"), end: "terminated" });
    }
    if (ran.state === "rejected") return finish(failed("impulse execution failed", ran.error));
    if (received !== undefined) return finish({ exitCode: signalExitCode(received), end: "terminated" });
    return finish({ exitCode: 0, end: "completed" });
  } finally {
    options.signal?.removeEventListener("abort", onOuterAbort);
    for (const off of offs) off();
    setSharedStoryClient(undefined);
    await kube?.close();
  }
}

type Ran = { state: "fulfilled" } | { state: "rejected"; error: unknown } | { state: "abandoned" };

/** Runs `fn`; once `signal` aborts, waits at most `graceMs` more for it. */
async function runWithGrace(fn: () => void | Promise<void>, signal: AbortSignal, graceMs: number): Promise<Ran> {
  const work: Promise<Ran> = (async () => {
    try {
      await fn();
      return { state: "fulfilled" } as const;
    } catch (error) {
      return { state: "rejected", error } as const;
    }
  })();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const grace = new Promise<Ran>((resolve) => {
    const start = (): void => {
      timer = setTimeout(() => resolve({ state: "abandoned" }), graceMs);
    };
    if (signal.aborted) start();
    else signal.addEventListener("abort", start, { once: true });
  });
  try {
    return await Promise.race([work, grace]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

/** `BUBU_SDK_GRACEFUL_SHUTDOWN_TIMEOUT` (the batch path's knob), default 10s; invalid → default. */
function graceFrom(env: Readonly<Record<string, string | undefined>>): number {
  const raw = (env[GRACE_ENV] ?? "").trim();
  if (raw === "") return DEFAULT_GRACE_MS;
  try {
    const ns = parseGoDuration(raw);
    return ns > 0n ? Number(ns / 1_000_000n) : DEFAULT_GRACE_MS;
  } catch {
    return DEFAULT_GRACE_MS;
  }
}
