/**
 * `StoryDispatcher` (as in Go): triggers stories on behalf of an impulse, keeps
 * sessions by a caller key for a later `stop`, and records the impulse's trigger stats.
 * @module
 */
import type { Stories } from "../engram/context.ts";
import type { StoryRun } from "../k8s/story-run.ts";
import { type Logger, noopLogger } from "../observability/logger.ts";
import type { CountingStories } from "./cluster-stories.ts";
import {
  ImpulseSessionExistsError,
  ImpulseSessionNotFoundError,
  StoryRunNotFoundError,
  TriggerAbortedError,
} from "./errors.ts";
import type { TriggerStatsDelta } from "./impulse-stats.ts";
import { safeLabelValue } from "./names.ts";
import { isRetryableTriggerError } from "./resolution.ts";

/** One trigger request. */
export interface StoryTriggerRequest {
  /** Reserves a session under this key for a later `stop`/`forget`. */
  readonly key?: string;
  /** Idempotency token for this trigger. */
  readonly token?: string;
  /** Defaults to the impulse's target story (`BUBU_TARGET_STORY_NAME`). */
  readonly story?: string;
  readonly namespace?: string;
  readonly inputs?: Readonly<Record<string, unknown>>;
  /** Kept only in the local session. */
  readonly metadata?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
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

/** Options of {@link StoryDispatcher}. */
export interface StoryDispatcherOptions {
  readonly now?: () => Date;
  readonly logger?: Logger;
}

/**
 * Session-aware story triggering for impulses: starts StoryRuns through `ctx.stories`, keeps them
 * by a caller key for a later `stop`, and counts triggers on the Impulse's status.
 *
 * @example
 * ```ts
 * const dispatcher = new StoryDispatcher(ctx.stories);
 * await dispatcher.trigger({ key: callId, inputs: { callId } });
 * // later
 * await dispatcher.stop(callId);
 * ```
 */
export class StoryDispatcher {
  readonly #sessions = new Map<string, StorySession | "reserved">();
  readonly #stories: Stories;
  readonly #now: () => Date;
  readonly #logger: Logger;

  constructor(stories: Stories, options: StoryDispatcherOptions = {}) {
    this.#stories = stories;
    this.#now = options.now ?? (() => new Date());
    this.#logger = options.logger ?? noopLogger;
  }

  /** Starts a StoryRun; with `request.key`, tracks it as a session. */
  async trigger(request: StoryTriggerRequest = {}): Promise<StoryTriggerResult> {
    const key = (request.key ?? "").trim();
    if (key !== "") {
      if (this.#sessions.has(key)) throw new ImpulseSessionExistsError(key);
      this.#sessions.set(key, "reserved");
    }
    let run: StoryRun;
    try {
      run = await this.#stories.start({
        ...(request.story !== undefined ? { story: request.story } : {}),
        ...(request.namespace !== undefined ? { namespace: request.namespace } : {}),
        ...(request.inputs !== undefined ? { inputs: request.inputs } : {}),
        ...(request.token !== undefined ? { token: request.token.trim() } : {}),
        ...(request.signal !== undefined ? { signal: request.signal } : {}),
        ...(request.timeoutMs !== undefined ? { timeoutMs: request.timeoutMs } : {}),
      });
    } catch (err) {
      await this.#recordStats(err);
      if (key !== "") this.#sessions.delete(key);
      throw err;
    }
    await this.#recordStats(undefined);
    if (key === "") return { storyRun: run };
    const session: StorySession = {
      key,
      storyRun: run.metadata.name,
      namespace: run.metadata.namespace ?? "",
      storyName: run.spec?.storyRef?.name ?? request.story ?? this.#stories.target?.name ?? "",
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
  async stop(key: string, options: { readonly signal?: AbortSignal } = {}): Promise<StorySession> {
    const k = key.trim();
    if (k === "") throw new Error("session key is required");
    const session = this.#sessions.get(k);
    if (session === undefined || session === "reserved") throw new ImpulseSessionNotFoundError(k);
    this.#sessions.delete(k);
    try {
      await this.#stories.stop(session.storyRun, { namespace: session.namespace, ...options });
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

  async #recordStats(err: unknown): Promise<void> {
    const counting = this.#stories as Partial<CountingStories>;
    if (typeof counting.recordTriggerStats !== "function") return;
    const now = this.#now();
    const ok = err === undefined;
    // Retryable and canceled failures are not durable failures.
    const durable = !ok && !isRetryableTriggerError(err) && !(err instanceof TriggerAbortedError);
    const delta: TriggerStatsDelta = {
      triggersReceived: 1,
      lastTrigger: now,
      ...(ok ? { storiesLaunched: 1, lastSuccess: now } : {}),
      ...(durable ? { failedTriggers: 1 } : {}),
    };
    try {
      await counting.recordTriggerStats(delta);
    } catch (statsErr) {
      this.#logger.warn("failed to update impulse trigger stats", { error: (statsErr as Error).message });
    }
  }
}

function copy(s: StorySession): StorySession {
  return { ...s, startedAt: new Date(s.startedAt), metadata: { ...s.metadata } };
}
