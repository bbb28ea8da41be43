/**
 * hello-batch: greets someone. Run it locally with
 *   bun run examples/hello-batch/engram.ts --inputs '{"name":"Ada"}'
 * or in a cluster as the command of an Engram's Job.
 */
import * as v from "valibot";
import { defineBatch, start } from "../../src/mod.ts";

/** Config: set once per step (`with` on the Story step, or `BUBU_STEP_CONFIG`). */
export const config = v.object({
  greeting: v.optional(v.string(), "Hello"),
  excited: v.optional(v.boolean(), false),
});

/** Inputs: one run's data (`BUBU_TRIGGER_DATA`). */
export const inputs = v.object({
  name: v.pipe(v.string(), v.minLength(1, "name must not be empty")),
  times: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(10)), 1),
});

/** Output: written to `StepRun.status.output`. */
export const output = v.object({
  message: v.string(),
  length: v.number(),
});

export const helloBatch = defineBatch({
  name: "hello-batch",
  config,
  inputs,
  output,
  async process(ctx, { name, times }) {
    const { greeting, excited } = ctx.config;
    const message = Array.from({ length: times }, () => `${greeting}, ${name}${excited ? "!" : "."}`).join(" ");
    ctx.logger.info("greeted", { name, times });
    // Locally a JSON line on stderr; in a cluster an entry in StepRun.status.signals.
    await ctx.signals.emit("greeted", { count: times });
    return { message, length: message.length };
  },
});

if (import.meta.main) await start(helloBatch);
