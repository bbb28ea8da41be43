// A batch engram on the SDK whose behaviour on each attempt comes from its config (`with`):
//   { "attempts": ["throw-retryable" | "throw-terminal" | "hang" | "ok", ...] }
// Attempt n uses attempts[n-1] (the last entry once they run out).
//   throw-retryable  throws BubuError(execution_error, retryable: true)
//   throw-terminal   throws a plain Error
//   hang             waits until the SDK aborts it (step timeout or SIGTERM), then throws the reason
//   ok               returns { attempt }
import * as v from "valibot";
import { BubuError, defineBatch, start } from "../../../src/mod.ts";
import { nextAttempt } from "./attempt.ts";

const probe = defineBatch({
  name: "sdk-probe",
  config: v.object({ attempts: v.optional(v.array(v.string()), ["ok"]) }),
  async process(ctx) {
    const attempt = nextAttempt();
    const attempts = ctx.config.attempts;
    const mode = attempts[Math.min(attempt, attempts.length) - 1];
    ctx.logger.info("probe attempt", { attempt, mode });
    switch (mode) {
      case "throw-retryable":
        throw new BubuError("execution_error", `transient failure on attempt ${attempt}`, { retryable: true });
      case "throw-terminal":
        throw new Error(`terminal failure on attempt ${attempt}`);
      case "hang":
        await new Promise((_, reject) =>
          ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason), { once: true }),
        );
        throw new Error("unreachable");
      default:
        return { attempt };
    }
  },
});

if (import.meta.main) await start(probe);
