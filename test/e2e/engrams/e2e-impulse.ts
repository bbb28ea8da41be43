// An impulse on the SDK, run by the operator as its Impulse's Deployment. Once it runs it starts its
// target Story three times through ctx.stories.start: once without a token, then twice with the
// same token, and writes what each call returned to <BUBU_E2E_ATTEMPTS_DIR>/<namespace>_impulse.json
// for the test to read. Then it waits for SIGTERM, as a service does.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import * as v from "valibot";
import { defineImpulse, start } from "../../../src/mod.ts";

const impulse = defineImpulse({
  name: "e2e-impulse",
  config: v.looseObject({ token: v.string() }),
  async run(ctx) {
    const results: unknown[] = [];
    const call = async (what: string, options: Parameters<typeof ctx.stories.start>[0]): Promise<void> => {
      try {
        const run = await ctx.stories.start(options);
        results.push({ what, storyRun: run.metadata?.name, namespace: run.metadata?.namespace });
      } catch (err) {
        results.push({ what, error: err instanceof Error ? err.message : String(err) });
      }
    };
    await call("no token", { inputs: { name: "first" } });
    await call("token", { inputs: { name: "second" }, token: ctx.config.token });
    await call("same token", { inputs: { name: "second" }, token: ctx.config.token });
    const dir = process.env.BUBU_E2E_ATTEMPTS_DIR ?? "/tmp";
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${process.env.BUBU_IMPULSE_NAMESPACE ?? "default"}_impulse.json`);
    writeFileSync(`${file}.tmp`, JSON.stringify({ target: ctx.stories.target, dedupe: ctx.stories.dedupe, results }));
    renameSync(`${file}.tmp`, file);
    ctx.logger.info("impulse started its stories", { count: results.length });
    await new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve(), { once: true }));
  },
});

if (import.meta.main) await start(impulse);
