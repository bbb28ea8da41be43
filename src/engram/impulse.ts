/**
 * Impulses: long-running services that start Stories (a webhook, a timer, a queue consumer).
 * @module
 */
import type { GenericSchema } from "valibot";
import type { InferSchema } from "./batch-engram.ts";
import type { ImpulseContext } from "./context.ts";
import type { SecretDeclarations } from "./secret-declarations.ts";

/** An impulse, as {@link defineImpulse} makes it. */
export interface Impulse<C = Record<string, unknown>> {
  readonly kind: "impulse";
  readonly name?: string | undefined;
  /** Decodes and validates `BUBU_STEP_CONFIG` (with `BUBU_CONFIG_*` overrides). */
  readonly schemas: { readonly config?: GenericSchema | undefined };
  readonly secrets?: SecretDeclarations | undefined;
  /** Prepares clients. `ctx.signal` aborts on SIGTERM/SIGINT. */
  init?(ctx: ImpulseContext<C>): void | Promise<void>;
  /** The service: start Stories with `ctx.stories.start`; return when `ctx.signal` aborts. */
  run(ctx: ImpulseContext<C>): void | Promise<void>;
}

/** The argument of {@link defineImpulse}. */
export interface ImpulseDefinition<CS extends GenericSchema | undefined> {
  readonly name?: string;
  readonly config?: CS;
  readonly secrets?: SecretDeclarations;
  init?(ctx: ImpulseContext<InferSchema<CS>>): void | Promise<void>;
  run(ctx: ImpulseContext<InferSchema<CS>>): void | Promise<void>;
}

/**
 * Declares an impulse; the config type comes from the valibot schema.
 *
 * @example
 * ```ts
 * const nightly = defineImpulse({
 *   config: v.object({ everyMs: v.number() }),
 *   async run(ctx) {
 *     while (!ctx.signal.aborted) {
 *       await ctx.stories.start({ inputs: { at: new Date().toISOString() } });
 *       await new Promise((r) => setTimeout(r, ctx.config.everyMs));
 *     }
 *   },
 * });
 * if (import.meta.main) await start(nightly);
 * ```
 */
export function defineImpulse<CS extends GenericSchema | undefined = undefined>(
  definition: ImpulseDefinition<CS>,
): Impulse<InferSchema<CS>> {
  return {
    kind: "impulse",
    name: definition.name,
    schemas: { config: definition.config },
    secrets: definition.secrets,
    init: definition.init?.bind(definition),
    run: definition.run.bind(definition),
  };
}
