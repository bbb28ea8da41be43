/**
 * The per-run context handed to `process` (Go's `engram.ExecutionContext` plus the
 * `AbortSignal` that replaces Go's `ctx`).
 * @module
 */
import { trace, type Tracer } from "@opentelemetry/api";
import { type Logger, noopLogger } from "../observability/logger.ts";
import { idempotencyKey, type StoryInfo, emptyStoryInfo } from "./story-info.ts";

/** Template variables: `{"inputs":{…},"steps":{…}}` from `BUBU_TEMPLATE_CONTEXT`. */
export type TemplateContext = Record<string, unknown>;

/** What `process` receives besides its inputs. */
export interface ExecutionContext {
  /** Aborted at the step deadline (`BUBU_STEP_TIMEOUT`) or on SIGTERM; `reason` says which. */
  readonly signal: AbortSignal;
  readonly storyInfo: StoryInfo;
  readonly logger: Logger;
  readonly tracer: Tracer;
  /** When the step started (`BUBU_STARTED_AT`, else process start). */
  readonly startedAt: Date;
  /** A deep copy of the template context (Go's `CELContext()`). */
  templateContext(): TemplateContext;
  /** `ns/<ns>/storyrun/<sr>/steprun/<st>`; throws when the run identity is unknown. */
  idempotencyKey(): string;
}

/** Inputs of {@link createExecutionContext}; everything is optional. */
export interface ExecutionContextInit {
  readonly signal?: AbortSignal;
  readonly storyInfo?: StoryInfo;
  readonly logger?: Logger;
  readonly tracer?: Tracer;
  readonly startedAt?: Date;
  readonly templateContext?: TemplateContext;
}

/** Builds an {@link ExecutionContext}; the template context is copied once here and on every read. */
export function createExecutionContext(init: ExecutionContextInit = {}): ExecutionContext {
  const vars = structuredClone(init.templateContext ?? { inputs: {}, steps: {} });
  const storyInfo = Object.freeze({ ...(init.storyInfo ?? emptyStoryInfo) });
  return Object.freeze({
    signal: init.signal ?? new AbortController().signal,
    storyInfo,
    logger: init.logger ?? noopLogger,
    tracer: init.tracer ?? trace.getTracer("bubu-sdk"),
    startedAt: init.startedAt ?? new Date(),
    templateContext: (): TemplateContext => structuredClone(vars),
    idempotencyKey: (): string => idempotencyKey(storyInfo),
  });
}
