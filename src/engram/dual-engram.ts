/**
 * An engram that runs as a batch step or as a streaming step, chosen by the operator's
 * `BUBU_EXECUTION_MODE`.
 * @module
 */
import type { GenericSchema } from "valibot";
import { type BatchDefinition, type BatchEngram, defineBatch, type InferSchema } from "./batch-engram.ts";
import type { StreamingDefinition, StreamingEngram } from "./streaming-engram.ts";

/**
 * A batch and a streaming engram at once: `init` is shared, `process` serves batch runs, `stream`
 * streaming runs.
 */
export type DualEngram<C = Record<string, unknown>, I = Record<string, unknown>, O = unknown> = Omit<
  BatchEngram<C, I, O>,
  "kind"
> &
  Omit<StreamingEngram<C>, "kind" | "schemas"> & { readonly kind: "dual" };

/** The argument of {@link defineDual}: a batch definition plus `stream` (and `control`). */
export type DualDefinition<
  CS extends GenericSchema | undefined,
  IS extends GenericSchema | undefined,
  OS extends GenericSchema | undefined,
> = BatchDefinition<CS, IS, OS> & Pick<StreamingDefinition<CS>, "stream" | "control">;

/**
 * Declares an engram for both modes with one set of schemas.
 *
 * @example
 * ```ts
 * const upper = defineDual({
 *   inputs: v.object({ text: v.string() }),
 *   process: (_ctx, { text }) => ({ text: text.toUpperCase() }),
 *   async stream(_ctx, inbound, outbound) {
 *     for await (const msg of inbound) { await outbound.send({ kind: "data", payload: msg.payload }); msg.done(); }
 *   },
 * });
 * if (import.meta.main) await start(upper);
 * ```
 */
export function defineDual<
  CS extends GenericSchema | undefined = undefined,
  IS extends GenericSchema | undefined = undefined,
  OS extends GenericSchema | undefined = undefined,
>(definition: DualDefinition<CS, IS, OS>): DualEngram<InferSchema<CS>, InferSchema<IS>, InferSchema<OS>> {
  return {
    ...defineBatch(definition),
    kind: "dual",
    stream: definition.stream.bind(definition),
    control: definition.control?.bind(definition),
  };
}
