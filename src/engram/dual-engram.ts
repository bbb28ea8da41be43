/**
 * An engram that can run as a batch step and as a streaming step (Go's `DualEngram[C, I]`),
 * for `start`'s dispatch on `BUBU_EXECUTION_MODE`, and `defineDual` to declare one.
 * @module
 */
import type { GenericSchema } from "valibot";
import { type BatchDefinition, type BatchEngram, defineBatch, type InferSchema } from "./batch-engram.ts";
import type { StreamingDefinition, StreamingEngram } from "./streaming-engram.ts";

/**
 * Both contracts at once: `init` is shared, `process` serves batch runs and `stream` serves
 * streaming runs.
 */
export type DualEngram<C = Record<string, unknown>, I = Record<string, unknown>, O = unknown> =
  & BatchEngram<C, I, O>
  & StreamingEngram<C>;

/** The argument of {@link defineDual}: a batch definition plus `stream` (and `control`). */
export type DualDefinition<
  CS extends GenericSchema | undefined,
  IS extends GenericSchema | undefined,
  OS extends GenericSchema | undefined,
> = BatchDefinition<CS, IS, OS> & Pick<StreamingDefinition<CS>, "stream" | "control">;

/**
 * Declares an engram for both modes with one set of valibot schemas (spreading a `defineBatch`
 * and a `defineStreaming` result into one object would keep only one side's schemas).
 *
 * @example
 * ```ts
 * const engram = defineDual({
 *   inputs: v.object({ text: v.string() }),
 *   process: (_ctx, { text }) => ({ text: text.toUpperCase() }),
 *   async stream(_signal, inbound, outbound) {
 *     for await (const msg of inbound) { await outbound.send({ kind: "data", payload: msg.payload }); msg.done(); }
 *   },
 * });
 * await start(engram);
 * ```
 */
export function defineDual<
  CS extends GenericSchema | undefined = undefined,
  IS extends GenericSchema | undefined = undefined,
  OS extends GenericSchema | undefined = undefined,
>(definition: DualDefinition<CS, IS, OS>): DualEngram<InferSchema<CS>, InferSchema<IS>, InferSchema<OS>> {
  return {
    ...defineBatch(definition),
    stream: definition.stream.bind(definition),
    control: definition.control?.bind(definition),
  };
}
