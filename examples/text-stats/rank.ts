/**
 * text-stats step 2: the most frequent words, most frequent first (ties in alphabetical order).
 */
import * as v from "valibot";
import { defineBatch, start } from "../../src/mod.ts";

export const rank = defineBatch({
  name: "text-rank",
  inputs: v.object({
    words: v.array(v.string()),
    limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100)), 3),
  }),
  output: v.object({ top: v.array(v.object({ word: v.string(), count: v.number() })) }),
  async process(ctx, { words, limit }) {
    const counts = new Map<string, number>();
    for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
    const top = [...counts]
      .map(([word, count]) => ({ word, count }))
      .sort((a, b) => b.count - a.count || (a.word < b.word ? -1 : a.word > b.word ? 1 : 0))
      .slice(0, limit);
    await ctx.signals.emit("ranked", { distinct: counts.size });
    return { top };
  },
});

if (import.meta.main) await start(rank);
