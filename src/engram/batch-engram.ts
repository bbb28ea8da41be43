/**
 * The author-facing batch engram contract and `defineBatch`.
 * @module
 */
import type { GenericSchema, InferOutput } from "valibot";
import type { ExecutionContext } from "./execution-context.ts";
import type { Result } from "./result.ts";
import type { Secrets } from "./secrets.ts";

/** What `process` may return: the output itself, a {@link Result}, or nothing (`{}`). */
export type ProcessOutput<O> = O | Result<O> | undefined | void;

/** The valibot schemas an engram declares; each is optional. */
export interface EngramSchemas {
  readonly config?: GenericSchema;
  readonly inputs?: GenericSchema;
  readonly output?: GenericSchema;
}

/**
 * A batch engram: `init` once with config and secrets, then `process` once with the inputs
 * (Go's `BatchEngram[C, I]`).
 */
export interface BatchEngram<C = Record<string, unknown>, I = Record<string, unknown>, O = unknown> {
  /** Optional display name, used in logs and generated templates. */
  readonly name?: string;
  /** Schemas that decode and validate config, inputs and output at run time. */
  readonly schemas?: EngramSchemas;
  /** Prepares clients etc. `signal` aborts at the step deadline or on SIGTERM. */
  init?(config: C, secrets: Secrets, signal: AbortSignal): void | Promise<void>;
  /** Does the work. Return the output object (or a `Result`); throw to fail the step. */
  process(ctx: ExecutionContext, inputs: I): ProcessOutput<O> | Promise<ProcessOutput<O>>;
}

/** The value type a schema produces, or a plain JSON object when there is no schema. */
export type InferSchema<S> = S extends GenericSchema ? InferOutput<S> : Record<string, unknown>;

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
  init?(config: InferSchema<CS>, secrets: Secrets, signal: AbortSignal): void | Promise<void>;
  process(
    ctx: ExecutionContext,
    inputs: InferSchema<IS>,
  ): ProcessOutput<InferSchema<OS>> | Promise<ProcessOutput<InferSchema<OS>>>;
}

/**
 * Declares a batch engram whose config, inputs and output types come from valibot schemas.
 *
 * @example
 * ```ts
 * const engram = defineBatch({
 *   inputs: v.object({ name: v.string() }),
 *   output: v.object({ greeting: v.string() }),
 *   process: (_ctx, { name }) => ({ greeting: `Hello, ${name}!` }),
 * });
 * await startBatch(engram);
 * ```
 */
export function defineBatch<
  CS extends GenericSchema | undefined = undefined,
  IS extends GenericSchema | undefined = undefined,
  OS extends GenericSchema | undefined = undefined,
>(
  definition: BatchDefinition<CS, IS, OS>,
): BatchEngram<InferSchema<CS>, InferSchema<IS>, InferSchema<OS>> {
  const { name, config, inputs, output } = definition;
  return {
    name,
    schemas: { config, inputs, output },
    init: definition.init?.bind(definition),
    process: definition.process.bind(definition),
  };
}
