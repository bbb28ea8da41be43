/**
 * `StoryClient`: Go's `k8s.Client` story methods over a {@link KubeClient} — `triggerStory`
 * (throttle → token and dedupe key → request → retried attempts), `stopStoryRun` and
 * `updateImpulseTriggerStats`. The impulse's `run` receives one.
 * @module
 */
import type { BubuEnv } from "../env/load.ts";
import { sleep } from "../k8s/backoff.ts";
import type { KubeClient } from "../k8s/client.ts";
import { type Logger, noopLogger } from "../observability/logger.ts";
import { resolveTriggerToken, retryAttempts, retryDelayMs } from "./delivery.ts";
import { TriggerPolicyError } from "./errors.ts";
import { ImpulseStatsWriter, type TriggerStatsDelta } from "./impulse-stats.ts";
import { abortedError, isRetryableTriggerError, triggerStoryOnce } from "./resolution.ts";
import { type StopOutcome, stopStoryRun } from "./stop-story.ts";
import { type TriggerThrottle, triggerThrottleFor } from "./throttle.ts";
import type { TriggerContext } from "./trigger-context.ts";
import { buildStoryTriggerRequest, type DehydrateInputs } from "./trigger-request.ts";
import type { StoryRun } from "./types.ts";

/** Options of {@link StoryClient}. */
export interface StoryClientOptions {
  /** The parsed environment: client namespace, identity, delivery policy, limits. */
  readonly env: BubuEnv;
  readonly logger?: Logger;
  /** Storage seam for large inputs; without it, inputs over `BUBU_MAX_INLINE_SIZE` fail. */
  readonly dehydrateInputs?: DehydrateInputs;
  /** Replaces the process-wide throttle (tests). */
  readonly throttle?: TriggerThrottle | null;
}

/** Triggers, stops and counts stories for an impulse (or any workload). */
export class StoryClient {
  readonly kube: KubeClient;
  readonly env: BubuEnv;
  readonly #logger: Logger;
  readonly #dehydrate: DehydrateInputs | undefined;
  readonly #throttle: TriggerThrottle | undefined;
  readonly #stats: ImpulseStatsWriter;

  constructor(kube: KubeClient, options: StoryClientOptions) {
    this.kube = kube;
    this.env = options.env;
    this.#logger = options.logger ?? noopLogger;
    this.#dehydrate = options.dehydrateInputs;
    this.#stats = new ImpulseStatsWriter(kube, this.env.k8s.operationTimeout.millis);
    this.#throttle =
      options.throttle === null ? undefined : (options.throttle ?? triggerThrottleFor(options.env.trigger.throttle));
  }

  /** The client namespace (where StoryTriggers are created). */
  get namespace(): string {
    return this.kube.namespace;
  }

  /** `BUBU_K8S_OPERATION_TIMEOUT` in milliseconds. */
  get operationTimeoutMs(): number {
    return this.env.k8s.operationTimeout.millis;
  }

  /**
   * Submits a StoryTrigger for `storyName` (in `storyNamespace`, else the client namespace) and
   * returns the StoryRun the controller created or reused (Go's `TriggerStory`).
   */
  async triggerStory(
    ctx: TriggerContext | undefined,
    storyName: string,
    storyNamespace: string,
    inputs: Record<string, unknown> | undefined,
  ): Promise<StoryRun> {
    const data = inputs ?? {};
    if (typeof data !== "object" || data === null || Array.isArray(data)) {
      throw new TriggerPolicyError("story inputs must be a JSON object");
    }
    const caller = callerSignal(ctx);
    const hasDeadline = ctx?.timeoutMs !== undefined;
    const ticket = await this.#acquire(caller);
    try {
      const env = this.env;
      const token = ctx?.triggerToken || env.identity.triggerToken;
      const resolvedToken = await resolveTriggerToken(env.trigger.dedupe, token, data, {
        clientNamespace: this.namespace,
        storyName,
        storyNamespace,
        impulseName: env.identity.impulseName,
        impulseNamespace: env.identity.impulseNamespace,
      });
      const request = await buildStoryTriggerRequest({
        kube: this.kube,
        env,
        storyName,
        storyNamespace,
        inputs: data,
        resolvedToken,
        dedupe: env.trigger.dedupe,
        signal: caller,
        operationTimeoutMs: this.operationTimeoutMs,
        ...(this.#dehydrate ? { dehydrateInputs: this.#dehydrate } : {}),
      });
      const bounds = { caller, hasDeadline, operationTimeoutMs: this.operationTimeoutMs };
      const retry = env.trigger.retry;
      const attempts = retryAttempts(retry);
      let last: unknown;
      for (let attempt = 1; attempt <= attempts; attempt++) {
        if (attempt > 1 && retry !== undefined) {
          const delay = retryDelayMs(retry, attempt - 1);
          this.#logger.debug("retrying story trigger", {
            trigger: request.trigger.metadata.name,
            attempt,
            delayMs: Math.round(delay),
          });
          try {
            await sleep(delay, caller);
          } catch {
            throw abortedError(caller, `story trigger '${request.trigger.metadata.name}' retry aborted`);
          }
        }
        try {
          return await triggerStoryOnce(this.kube, request, bounds);
        } catch (err) {
          last = err;
          if (!isRetryableTriggerError(err)) break;
        }
      }
      throw last;
    } finally {
      ticket?.release();
    }
  }

  /** Requests cancellation of a StoryRun (Go's `StopStoryRun`). */
  stopStoryRun(ctx: TriggerContext | undefined, storyRunName: string, namespace: string = ""): Promise<StopOutcome> {
    return stopStoryRun(this.kube, storyRunName, namespace, {
      signal: callerSignal(ctx),
      operationTimeoutMs: this.operationTimeoutMs,
    });
  }

  /**
   * Adds `delta` to an Impulse's status counters (Go's `UpdateImpulseTriggerStats`). Concurrent
   * calls for one Impulse are coalesced into as few writes as possible (see `ImpulseStatsWriter`).
   * The write is not cancelled by the caller: an increment, once counted, is written.
   */
  updateImpulseTriggerStats(
    _ctx: TriggerContext | undefined,
    impulseName: string,
    namespace: string,
    delta: TriggerStatsDelta,
  ): Promise<void> {
    return this.#stats.add(impulseName.trim(), namespace.trim() || this.namespace, delta);
  }

  async #acquire(caller: AbortSignal): Promise<{ release(): void } | undefined> {
    if (this.#throttle === undefined) return undefined;
    let ticket;
    try {
      ticket = await this.#throttle.acquire(caller);
    } catch {
      throw abortedError(caller, "story trigger throttle wait aborted");
    }
    const impulse = this.env.identity.impulseName;
    if (ticket.waited && impulse !== "") {
      const now = new Date();
      try {
        await this.updateImpulseTriggerStats({ signal: caller }, impulse, this.env.identity.impulseNamespace, {
          throttledTriggers: 1,
          lastThrottled: now,
        });
      } catch (err) {
        // Go ignores this error; we log it.
        this.#logger.debug("could not record a throttled trigger", { error: (err as Error).message });
      }
    }
    return ticket;
  }
}

/** The caller's signal combined with its deadline; a never-aborting signal when neither is set. */
function callerSignal(ctx: TriggerContext | undefined): AbortSignal {
  const parts: AbortSignal[] = [];
  if (ctx?.signal) parts.push(ctx.signal);
  if (ctx?.timeoutMs !== undefined) parts.push(AbortSignal.timeout(Math.max(0, ctx.timeoutMs)));
  if (parts.length === 0) return new AbortController().signal;
  return parts.length === 1 ? parts[0]! : AbortSignal.any(parts);
}
