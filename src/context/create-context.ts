/**
 * Assembles a handler {@link Context} from its parts. The entry points and the test harnesses
 * choose the parts (cluster, local sink, or captured capabilities); handlers only see the result.
 * @module
 */
import type {
  BlobStorage,
  Context,
  Effects,
  ImpulseContext,
  Logs,
  RunPlace,
  Signals,
  Stories,
} from "../engram/context.ts";
import type { Secrets } from "../engram/secrets.ts";
import { emptyStoryInfo, idempotencyKey, type StoryInfo } from "../env/story-info.ts";
import type { Logger } from "../observability/logger.ts";
import { contextTracer } from "../observability/otel-gate.ts";

/** Everything a context is made of. */
export interface ContextParts<C> {
  readonly signal: AbortSignal;
  readonly logger: Logger;
  readonly config: C;
  readonly secrets: Secrets;
  readonly place: RunPlace;
  readonly story?: StoryInfo;
  readonly startedAt?: Date;
  readonly templateContext?: Record<string, unknown>;
  readonly signals: Signals;
  readonly effects: Effects;
  readonly logs: Logs;
  readonly storage: BlobStorage;
}

/** A frozen {@link Context}; the template context is copied here and on every read. */
export function createContext<C>(parts: ContextParts<C>): Context<C> {
  const vars = structuredClone(parts.templateContext ?? { inputs: {}, steps: {} });
  const story = Object.freeze({ ...(parts.story ?? emptyStoryInfo) });
  return Object.freeze({
    signal: parts.signal,
    logger: parts.logger,
    config: parts.config,
    secrets: parts.secrets,
    story,
    place: parts.place,
    startedAt: parts.startedAt ?? new Date(),
    tracer: contextTracer(),
    signals: parts.signals,
    effects: parts.effects,
    logs: parts.logs,
    storage: parts.storage,
    templateContext: (): Record<string, unknown> => structuredClone(vars),
    idempotencyKey: (): string => idempotencyKey(story),
  });
}

/** `ctx` that can also start and stop Stories. */
export function withStories<C>(ctx: Context<C>, stories: Stories): ImpulseContext<C> {
  return Object.freeze({ ...ctx, stories });
}

/** The same context with another abort signal (streaming's hard stop, batch's run deadline). */
export function withSignal<T extends Context<unknown>>(ctx: T, signal: AbortSignal): T {
  return Object.freeze({ ...ctx, signal });
}
