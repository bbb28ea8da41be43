/**
 * The author-facing impulse contract and `defineImpulse` (Go's `engram.Impulse[C]`).
 * @module
 */
import type { GenericSchema } from "valibot";
import type { InferSchema } from "../engram/batch-engram.ts";
import type { Secrets } from "../engram/secrets.ts";
import type { Logger } from "../observability/logger.ts";
import type { StoryClient } from "./story-client.ts";

/**
 * A long-running trigger service: `init` once with config and secrets, then `run` until its
 * signal aborts (SIGTERM/SIGINT) or it returns.
 */
export interface Impulse<C = Record<string, unknown>> {
  /** Display name for logs and generated templates. */
  readonly name?: string;
  /** Decodes and validates `BUBU_STEP_CONFIG` (with `BUBU_CONFIG_*` overrides). */
  readonly schemas?: { readonly config?: GenericSchema };
  /** Prepares clients. `signal` aborts on SIGTERM/SIGINT. */
  init?(config: C, secrets: Secrets, signal: AbortSignal): void | Promise<void>;
  /**
   * The service. Start stories with `client.triggerStory` (or `startStory`, or a
   * `StoryDispatcher`); return when `signal` aborts.
   */
  run(signal: AbortSignal, client: StoryClient, context: ImpulseContext<C>): void | Promise<void>;
}

/** What `run` gets besides the signal and the client. */
export interface ImpulseContext<C> {
  readonly config: C;
  readonly secrets: Secrets;
  readonly logger: Logger;
}

/** The argument of {@link defineImpulse}. */
export interface ImpulseDefinition<CS extends GenericSchema | undefined> {
  readonly name?: string;
  readonly config?: CS;
  init?(config: InferSchema<CS>, secrets: Secrets, signal: AbortSignal): void | Promise<void>;
  run(signal: AbortSignal, client: StoryClient, context: ImpulseContext<InferSchema<CS>>): void | Promise<void>;
}

/**
 * Declares an impulse whose config type comes from a valibot schema.
 *
 * @example
 * ```ts
 * const impulse = defineImpulse({
 *   config: v.object({ intervalMs: v.number() }),
 *   async run(signal, client, { config }) {
 *     while (!signal.aborted) {
 *       await client.triggerStory(undefined, "report", "", { at: Date.now() });
 *       await new Promise((r) => setTimeout(r, config.intervalMs));
 *     }
 *   },
 * });
 * await runImpulse(impulse);
 * ```
 */
export function defineImpulse<CS extends GenericSchema | undefined = undefined>(
  definition: ImpulseDefinition<CS>,
): Impulse<InferSchema<CS>> {
  return {
    name: definition.name,
    schemas: { config: definition.config },
    init: definition.init?.bind(definition),
    run: definition.run.bind(definition),
  };
}
