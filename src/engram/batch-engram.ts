/**
 * Batch engrams: `init` once, then `process` once with the inputs, as one step of a Story (a
 * Kubernetes Job).
 * @module
 */
import type { GenericSchema, InferOutput } from "valibot";
import type { Context } from "./context.ts";
import type { SecretDeclarations } from "./secret-declarations.ts";

/** The valibot schemas an engram declares; each is optional. */
export interface EngramSchemas {
  readonly config?: GenericSchema;
  readonly inputs?: GenericSchema;
  readonly output?: GenericSchema;
}

/** The value type a schema produces, or a plain JSON object when there is no schema. */
export type InferSchema<S> = S extends GenericSchema ? InferOutput<S> : Record<string, unknown>;

/** What `process` may return: the output, or nothing (an empty output `{}`). */
export type ProcessOutput<O> = O | undefined | void;

/** A batch engram, as {@link defineBatch} makes it. */
export interface BatchEngram<C = Record<string, unknown>, I = Record<string, unknown>, O = unknown> {
  readonly kind: "batch";
  /** Display name, used in logs and generated templates. */
  readonly name?: string | undefined;
  /** Decode and validate config, inputs and output at run time; emitted into the template. */
  readonly schemas: EngramSchemas;
  readonly secrets?: SecretDeclarations | undefined;
  /** Prepares clients and the like. `ctx.signal` aborts at the step deadline or on SIGTERM. */
  init?(ctx: Context<C>): void | Promise<void>;
  /** Does the work: return the output, or throw to fail the step. */
  process(ctx: Context<C>, inputs: I): ProcessOutput<O> | Promise<ProcessOutput<O>>;
}

/** The argument of {@link defineBatch}. */
export interface BatchDefinition<
  CS extends GenericSchema | undefined,
  IS extends GenericSchema | undefined,
  OS extends GenericSchema | undefined,
> {
  readonly name?: string;
  readonly config?: CS;
  readonly inputs?: IS;
  readonly output?: OS;
  readonly secrets?: SecretDeclarations;
  init?(ctx: Context<InferSchema<CS>>): void | Promise<void>;
  process(
    ctx: Context<InferSchema<CS>>,
    inputs: InferSchema<IS>,
  ): ProcessOutput<InferSchema<OS>> | Promise<ProcessOutput<InferSchema<OS>>>;
}

/**
 * Declares a batch engram; config, inputs and output types come from the valibot schemas.
 *
 * @example
 * ```ts
 * const engram = defineBatch({
 *   inputs: v.object({ name: v.string() }),
 *   output: v.object({ greeting: v.string() }),
 *   process: (ctx, { name }) => ({ greeting: `Hello, ${name}!` }),
 * });
 * if (import.meta.main) await start(engram);
 * ```
 */
export function defineBatch<
  CS extends GenericSchema | undefined = undefined,
  IS extends GenericSchema | undefined = undefined,
  OS extends GenericSchema | undefined = undefined,
>(definition: BatchDefinition<CS, IS, OS>): BatchEngram<InferSchema<CS>, InferSchema<IS>, InferSchema<OS>> {
  const { name, config, inputs, output, secrets } = definition;
  return {
    kind: "batch",
    name,
    schemas: { config, inputs, output },
    secrets,
    init: definition.init?.bind(definition),
    process: definition.process.bind(definition),
  };
}
