// The engram of the differential Story tests (story-diff.test.ts): the same file runs as the
// process kubelet's image on the cluster peer and as the local runner's command. Every attempt
// first writes the environment it got to `$BUBU_DIFF_DIR/<namespace>_<steprun>.<attempt>.json`
// (so both sides can be compared variable by variable; at start, before the SDK, so a step whose
// deadline passes during a slow start-up is recorded too), then does what its config's `mode` says:
//   echo     returns {step, got} (the step name and the inputs; the default)
//   fail     throws a terminal error
//   flaky    throws a retryable error on the first `failures` attempts (default 1), then echoes
//   hang     waits until its signal aborts (the step timeout), then rethrows the reason
//   big      returns {blob} of `size` bytes (over the inline limit: offloaded to storage)
//   measure  returns {lengths}: the string length of each input (a hydrated blob is long)
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { BubuError, defineBatch, start } from "../../../src/mod.ts";

/** Counts this start of the StepRun and writes the environment it got; returns the attempt. */
function recordAttempt(): number {
  const dir = process.env.BUBU_DIFF_DIR;
  const step = `${process.env.BUBU_STEPRUN_NAMESPACE ?? ""}_${process.env.BUBU_STEPRUN_NAME ?? ""}`;
  if (!dir) throw new Error("BUBU_DIFF_DIR must be set");
  mkdirSync(dir, { recursive: true });
  const counter = join(dir, `${step}.attempts`);
  let n = 0;
  try {
    n = Number(readFileSync(counter, "utf8")) || 0;
  } catch {
    // The first attempt.
  }
  writeFileSync(counter, String(n + 1));
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && (k.startsWith("BUBU_") || k.startsWith("KUBERNETES_") || k === "KUBECONFIG")) env[k] = v;
  }
  writeFileSync(join(dir, `${step}.${n + 1}.json`), JSON.stringify(env));
  return n + 1;
}

let attempt = 0;

const engram = defineBatch({
  name: "story-diff-engram",
  async process(ctx, inputs) {
    const mode = typeof ctx.config.mode === "string" ? ctx.config.mode : "echo";
    switch (mode) {
      case "fail":
        throw new BubuError("execution_error", "failed on purpose", { exitClass: "terminal" });
      case "flaky":
        if (attempt <= Number(ctx.config.failures ?? 1)) {
          throw new BubuError("execution_error", `transient failure on attempt ${attempt}`, { retryable: true });
        }
        break;
      case "hang":
        await new Promise((_, reject) =>
          ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason), { once: true }),
        );
        break;
      case "big":
        return { blob: "x".repeat(Number(ctx.config.size ?? 6000)) };
      case "measure": {
        const lengths: Record<string, number> = {};
        for (const [k, v] of Object.entries(inputs))
          lengths[k] = typeof v === "string" ? v.length : JSON.stringify(v).length;
        return { lengths };
      }
    }
    return { step: ctx.story.stepName, got: inputs };
  },
});

if (import.meta.main) {
  attempt = recordAttempt();
  await start(engram);
}
