/**
 * `StoryDispatcher` (Go's `story_dispatcher.go`): triggers stories on behalf of an impulse, keeps
 * sessions by a caller key for a later `stop`, and records the impulse's trigger stats.
 * @module
 */
import { noopLogger, type Logger } from "../observability/logger.ts";
import { ImpulseSessionExistsError, ImpulseSessionNotFoundError, StoryRunNotFoundError, TriggerAbortedError } from "./errors.ts";
import { safeLabelValue } from "./names.ts";
import { isRetryableTriggerError } from "./resolution.ts";
import { sharedStoryClient } from "./shared-client.ts";
import type { StoryClient } from "./story-client.ts";
import { getTargetStory } from "./story-helpers.ts";
import { type TriggerContext, withTriggerToken } from "./trigger-context.ts";
import type { StoryRun } from "./types.ts";

/** One trigger request (Go's `StoryTriggerRequest`). */
export interface StoryTriggerRequest {
  /** Reserves a session under this key for a later `stop`/`forget`. */
  readonly key?: string;
  /** Idempotency token for this trigger. */
  readonly triggerToken?: string;
  /** Defaults to the impulse's target story (`BUBU_TARGET_STORY_NAME`). */
  readonly storyName?: string;
  readonly storyNamespace?: string;
  readonly inputs?: Record<string, unknown>;
  /** Kept only in the local session. */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** A tracked StoryRun (Go's `StorySession`). */
export interface StorySession {
  readonly key: string;
  readonly storyRun: string;
  readonly namespace: string;
  readonly storyName: string;
  readonly startedAt: Date;
  /** Always has `bubustack.io/storyrun: <label value of the StoryRun name>`. */
  readonly metadata: Readonly<Record<string, string>>;
}

/** What `trigger` returns (Go's `StoryTriggerResult`). */
export interface StoryTriggerResult {
  readonly storyRun: StoryRun;
  /** Present when the request had a key. */
  readonly session?: StorySession;
}

/** Replaces how the dispatcher starts and stops stories (Go's `WithStoryRuntime`; tests). */
export interface StoryRuntime {
  start(ctx: TriggerContext | undefined, storyName: string, storyNamespace: string, inputs: Record<string, unknown>): Promise<StoryRun>;
  stop(ctx: TriggerContext | undefined, storyRunName: string, namespace: string): Promise<unknown>;
}

/** Options of {@link StoryDispatcher}. */
export interface StoryDispatcherOptions {
  /** The client for triggers and stats; defaults to the shared client. */
  readonly client?: StoryClient;
  /** Overrides start/stop (the stats still use the client when there is an impulse name). */
  readonly runtime?: StoryRuntime;
  /** Impulse whose stats to record; defaults to `BUBU_IMPULSE_NAME` of the client's env. */
  readonly impulse?: { readonly name: string; readonly namespace: string };
  readonly now?: () => Date;
  readonly logger?: Logger;
}

/** Session-aware story triggering for impulses. */
export class StoryDispatcher {
  readonly #sessions = new Map<string, StorySession | "reserved">();
  readonly #options: StoryDispatcherOptions;
  readonly #now: () => Date;
  readonly #logger: Logger;

  constructor(options: StoryDispatcherOptions = {}) {
    this.#options = options;
    this.#now = options.now ?? (() => new Date());
    this.#logger = options.logger ?? noopLogger;
  }

  /** Starts a StoryRun; with `request.key`, tracks it as a session. */
  async trigger(ctx: TriggerContext | undefined, request: StoryTriggerRequest): Promise<StoryTriggerResult> {
    const token = (request.triggerToken ?? "").trim();
    const callCtx = token !== "" ? withTriggerToken(ctx, token) : ctx;
    let storyName = request.storyName ?? "";
    let storyNamespace = request.storyNamespace ?? "";
    const client = this.#options.client ?? (this.#options.runtime ? undefined : await sharedStoryClient());
    if (storyName === "") {
      let target;
      try {
        target = getTargetStory(client ? (n: string) => envValue(client, n) : undefined);
      } catch (err) {
        throw new Error(`story name is required: ${(err as Error).message}`, { cause: err });
      }
      storyName = target.name;
      if (storyNamespace === "") storyNamespace = target.namespace;
    }
    const key = (request.key ?? "").trim();
    if (key !== "") {
      if (this.#sessions.has(key)) throw new ImpulseSessionExistsError(key);
      this.#sessions.set(key, "reserved");
    }
    let run: StoryRun;
    try {
      run = this.#options.runtime
        ? await this.#options.runtime.start(callCtx, storyName, storyNamespace, request.inputs ?? {})
        : await client!.triggerStory(callCtx, storyName, storyNamespace, request.inputs ?? {});
    } catch (err) {
      await this.#recordStats(client, err);
      if (key !== "") this.#sessions.delete(key);
      throw err;
    }
    await this.#recordStats(client, undefined);
    if (key === "") return { storyRun: run };
    const session: StorySession = {
      key,
      storyRun: run.metadata.name,
      namespace: run.metadata.namespace ?? "",
      storyName,
      startedAt: this.#now(),
      // The storyrun key is always the real one, even if the caller's metadata names it.
      metadata: { ...request.metadata, "bubustack.io/storyrun": await safeLabelValue(run.metadata.name) },
    };
    this.#sessions.set(key, session);
    return { storyRun: run, session: copy(session) };
  }

  /**
   * Requests cancellation of the session's StoryRun and forgets it. A StoryRun that no longer
   * exists still ends the session (and throws `StoryRunNotFoundError`); other failures keep it.
   */
  async stop(ctx: TriggerContext | undefined, key: string): Promise<StorySession> {
    const k = key.trim();
    if (k === "") throw new Error("session key is required");
    const session = this.#sessions.get(k);
    if (session === undefined || session === "reserved") throw new ImpulseSessionNotFoundError(k);
    this.#sessions.delete(k);
    try {
      if (this.#options.runtime) await this.#options.runtime.stop(ctx, session.storyRun, session.namespace);
      else await (this.#options.client ?? (await sharedStoryClient())).stopStoryRun(ctx, session.storyRun, session.namespace);
    } catch (err) {
      if (!(err instanceof StoryRunNotFoundError)) this.#sessions.set(k, session);
      throw err;
    }
    return copy(session);
  }

  /** Whether a session (or a reservation in progress) exists for `key`. */
  hasSession(key: string): boolean {
    const k = key.trim();
    return k !== "" && this.#sessions.has(k);
  }

  /** A copy of the session for `key`, if it is established. */
  session(key: string): StorySession | undefined {
    const s = this.#sessions.get(key.trim());
    return s === undefined || s === "reserved" ? undefined : copy(s);
  }

  /** Drops a session without stopping its StoryRun. */
  forget(key: string): void {
    const k = key.trim();
    if (k !== "") this.#sessions.delete(k);
  }

  async #recordStats(client: StoryClient | undefined, err: unknown): Promise<void> {
    const impulse = this.#options.impulse ??
      (client && client.env.identity.impulseName !== ""
        ? { name: client.env.identity.impulseName, namespace: client.env.identity.impulseNamespace }
        : undefined);
    if (impulse === undefined || client === undefined) return;
    const now = this.#now();
    const ok = err === undefined;
    // Retryable and canceled failures are not durable failures (Go).
    const durable = !ok && !isRetryableTriggerError(err) && !(err instanceof TriggerAbortedError);
    try {
      await client.updateImpulseTriggerStats(undefined, impulse.name, impulse.namespace, {
        triggersReceived: 1,
        lastTrigger: now,
        ...(ok ? { storiesLaunched: 1, lastSuccess: now } : {}),
        ...(durable ? { failedTriggers: 1 } : {}),
      });
    } catch (statsErr) {
      this.#logger.warn("failed to update impulse trigger stats", { error: (statsErr as Error).message });
    }
  }
}

function copy(s: StorySession): StorySession {
  return { ...s, startedAt: new Date(s.startedAt), metadata: { ...s.metadata } };
}

function envValue(client: StoryClient, name: string): string | undefined {
  if (name === "BUBU_TARGET_STORY_NAME") return client.env.identity.targetStoryName;
  if (name === "BUBU_TARGET_STORY_NAMESPACE") return client.env.identity.targetStoryNamespace;
  return undefined;
}
