/**
 * text-stats step 3: one line of text from the counts of the two steps before it.
 */
import * as v from "valibot";
import { defineBatch, start } from "../../src/mod.ts";

export const report = defineBatch({
  name: "text-report",
  config: v.object({ title: v.optional(v.string(), "Text stats") }),
  inputs: v.object({
    count: v.number(),
    top: v.array(v.object({ word: v.string(), count: v.number() })),
  }),
  output: v.object({ text: v.string() }),
  process(ctx, { count, top }) {
    const words = top.map((t) => `${t.word} (${t.count})`).join(", ");
    return { text: `${ctx.config.title}: ${count} words; most frequent: ${words || "none"}.` };
  },
});

if (import.meta.main) await start(report);
