/**
 * The process entry point of an impulse: env → config → secrets → `init` → `run`, with
 * SIGTERM/SIGINT ending `run` through its signal. Exit codes: 0 when `run` returns, 1 on any
 * failure, 143 (130 for SIGINT) after a signal — also when `run` ignores its signal past the
 * grace window. In a cluster `ctx.stories` creates StoryTriggers; on a laptop it records and
 * prints what would have been triggered.
 * @module
 */
import type { ImpulseContext, Stories } from "../engram/context.ts";
import type { Impulse } from "../engram/impulse.ts";
import { errorText } from "../errors/error-text.ts";
import type { StoryRun } from "../k8s/story-run.ts";
import { isUsageError, localConfigUsage } from "../process/local-args.ts";
import { type ProcessOptions, ProcessRun } from "../process/process-run.ts";
import { prepareStartupConfig } from "../process/startup-config.ts";
import { signalExitCode } from "../process/termination.ts";
import { guard } from "../process/watchdog.ts";
import { clusterStories, targetStory } from "./cluster-stories.ts";
import { localStories, type StoppedStory, type TriggeredStory } from "./local-stories.ts";
import type { StoryClient } from "./story-client.ts";

/** Options of {@link runImpulse}. */
export interface RunImpulseOptions extends ProcessOptions {
  /**
   * Where `ctx.stories` goes: by default a cluster's StoryTriggers in a pod and the local sink on
   * a laptop. Pass your own (a test double, the local Story runner).
   */
  readonly stories?: Stories;
  /**
   * On a laptop: runs each triggered Story (e.g. `storyRunnerHook` from `@bubustack/sdk/story`,
   * the local Story runner) instead of only printing it.
   */
  readonly runStory?: (triggered: TriggeredStory) => Promise<StoryRun | void>;
}

/** How an impulse process ended. */
export interface ImpulseOutcome {
  readonly exitCode: number;
  /** `completed`: `run` returned; `terminated`: a signal ended it; `failed`: an error. */
  readonly end: "completed" | "terminated" | "failed";
  readonly error?: unknown;
  /** Locally: the Stories `run` started and stopped (nothing reached a cluster). */
  readonly triggered?: readonly TriggeredStory[];
  readonly stopped?: readonly StoppedStory[];
}

/** Runs `impulse` as the process's service and exits with its code. */
/** What `runImpulse` runs: an impulse's handlers and config schema. */
export type RunnableImpulse<C> = Pick<Impulse<C>, "init" | "run" | "name"> & {
  readonly schemas?: Impulse<C>["schemas"];
  readonly secrets?: Impulse<C>["secrets"];
};

export async function runImpulse<C>(
  impulse: RunnableImpulse<C>,
  options: RunImpulseOptions = {},
): Promise<ImpulseOutcome> {
  const run = new ProcessRun(options, "signal received, stopping the impulse");
  const { logger } = run;
  const terminate = run.termination.signal;
  const triggered: TriggeredStory[] = [];
  const stopped: StoppedStory[] = [];
  const local = options.stories === undefined && !run.cluster;

  const finish = async (outcome: ImpulseOutcome): Promise<ImpulseOutcome> => {
    if (outcome.end === "failed") {
      logger.error("impulse failed", { error: errorText(outcome.error), exitCode: outcome.exitCode });
      run.reportErrorDetail(outcome.error);
    } else logger.info("impulse stopped", { end: outcome.end, exitCode: outcome.exitCode });
    await run.close();
    run.exit(outcome.exitCode);
    return local ? { ...outcome, triggered, stopped } : outcome;
  };
  const failed = (message: string, err: unknown): ImpulseOutcome => {
    const received = run.termination.received();
    if (received !== undefined) return { exitCode: signalExitCode(received), end: "terminated", error: err };
    if (isUsageError(err)) return { exitCode: 2, end: "failed", error: err };
    const error = message === "" ? err : new Error(`${message}: ${errorText(err)}`, { cause: err });
    return { exitCode: 1, end: "failed", error };
  };

  try {
    let graceMs: number;
    try {
      // The command line first: `--help` prints the usage alone.
      const overrides = await run.localConfigOverrides(localConfigUsage("impulse"), ["--config", "--story"]);
      logger.info("Initializing Bubu SDK for Impulse execution", impulse.name ? { impulse: impulse.name } : undefined);
      graceMs = run.graceMs();
      run.loadEnv(overrides);
      await run.loadTelemetry();
    } catch (err) {
      return await finish(failed("failed to load execution context", err));
    }
    let config: C;
    try {
      // Errors already carry their texts (failed to hydrate/unmarshal config).
      config = (await prepareStartupConfig(run.services, logger, impulse.schemas?.config, terminate)) as C;
    } catch (err) {
      return await finish(failed("", err));
    }
    let ctx: ImpulseContext<C>;
    try {
      run.guardConsole(false);
      const secrets = await run.openSecrets(terminate, impulse.secrets, "Impulse");
      ctx = run.impulseContext({
        signal: terminate,
        config,
        secrets,
        stories: options.stories ?? storiesFor(run, triggered, stopped, options.runStory),
      });
    } catch (err) {
      return await finish(failed("failed to expand secrets", err));
    }
    try {
      await impulse.init?.(ctx);
    } catch (err) {
      return await finish(failed("impulse initialization failed", err));
    }
    if (run.cluster && options.stories === undefined) {
      // After init; a broken in-cluster config fails the start, not the first trigger.
      try {
        await run.services.kube();
      } catch (err) {
        return await finish(failed("failed to create k8s client", (err as Error).cause ?? err));
      }
    }
    logger.info("Starting Impulse");
    const ran = await guard(() => impulse.run(ctx), terminate, graceMs);
    const received = run.termination.received();
    if (ran.state === "abandoned") {
      logger.warn("impulse did not return within the grace window after its signal", { graceMs });
      return await finish({ exitCode: signalExitCode(received ?? "SIGTERM"), end: "terminated" });
    }
    if (ran.state === "rejected") return await finish(failed("impulse execution failed", ran.error));
    if (received !== undefined) return await finish({ exitCode: signalExitCode(received), end: "terminated" });
    return await finish({ exitCode: 0, end: "completed" });
  } catch (err) {
    return await finish(failed("impulse failed", err));
  }
}

/** The cluster's StoryTriggers in a pod; the local sink on a laptop. */
function storiesFor(
  run: ProcessRun,
  triggered: TriggeredStory[],
  stopped: StoppedStory[],
  runStory: RunImpulseOptions["runStory"],
): Stories {
  const env = run.env;
  if (!run.cluster) {
    return localStories({
      target: targetStory(env),
      started: triggered,
      stopped,
      logger: run.logger,
      ...(runStory ? { runStory } : {}),
    });
  }
  let client: StoryClient | undefined;
  const storyClient = async (): Promise<StoryClient> => {
    if (client !== undefined) return client;
    const { StoryClient } = await import("./story-client.ts");
    const kube = await run.services.kube().catch((err: unknown) => {
      throw new Error(`failed to create k8s client: ${errorText((err as Error).cause ?? err)}`, { cause: err });
    });
    client ??= new StoryClient(kube, { env, logger: run.logger });
    return client;
  };
  return clusterStories(storyClient, env);
}
