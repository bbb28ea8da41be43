// The `materialize` engram the operator asks for when a template reads a step output that was
// offloaded to storage (policy "inject", the default): it creates a StepRun whose input is
// {mode, template, vars} and reads the evaluated template back from {result}. Written with the
// SDK: the storage references in `vars` are read back before `process` runs, and the SDK's Go
// template engine evaluates the template.
import * as v from "valibot";
import { defineBatch, start } from "../../../src/mod.ts";
import { TemplateEngine } from "../../../src/templating/mod.ts";

const materialize = defineBatch({
  name: "materialize",
  inputs: v.object({
    mode: v.picklist(["object", "condition"]),
    template: v.unknown(),
    vars: v.record(v.string(), v.unknown()),
  }),
  process(ctx, { mode, template, vars }) {
    const engine = new TemplateEngine({ evaluationTimeoutMs: 30_000 });
    ctx.logger.info("materializing", { mode });
    if (mode === "condition")
      return { result: engine.evaluateCondition(String(template), vars, { signal: ctx.signal }) };
    return { result: engine.resolveValue(template, vars, { signal: ctx.signal }) };
  },
});

if (import.meta.main) await start(materialize);
