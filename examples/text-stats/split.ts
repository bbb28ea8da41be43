/**
 * text-stats step 1: splits a text into lower-case words.
 * Runs on its own too: bun run examples/text-stats/split.ts --inputs '{"text":"To be or not to be"}'
 */
import * as v from "valibot";
import { defineBatch, start } from "../../src/mod.ts";

export const split = defineBatch({
  name: "text-split",
  inputs: v.object({
    text: v.pipe(v.string(), v.minLength(1, "text must not be empty")),
    minLength: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1)), 1),
  }),
  output: v.object({ words: v.array(v.string()), count: v.number() }),
  process(ctx, { text, minLength }) {
    const words = (text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? []).filter((w) => w.length >= minLength);
    ctx.logger.info("split", { words: words.length });
    return { words, count: words.length };
  },
});

if (import.meta.main) await start(split);
