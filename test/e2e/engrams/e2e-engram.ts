// The TypeScript twin of go-engram/main.go (same modes, same outputs) plus the modes only the
// e2e tests of our SDK need. The mode is the config's (`with`) "mode":
//   ok, fail, unicode, hang, inputs, big, consume, signals, effects, mixed   as go-engram/main.go
//   secret       uses the mapped secrets: tries to leak the value into a log line, a span attribute
//                and a signal (the SDK must scrub or summarise each), returns names and lengths
//   secret-fail  throws an error whose message carries the secret value (the status must not)
//   once-retry   signal "attempt", then ctx.effects.once("charge") (counted in a file), then a
//                retryable failure on the first attempt and a success on the next
// With BUBU_E2E_SPANS_DIR set, every finished span is written to <dir>/<pod name>.json (JSON) when
// the process exits.
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { trace } from "@opentelemetry/api";
import * as v from "valibot";
import { BubuError, defineBatch, start } from "../../../src/mod.ts";
import { InMemoryTracerProvider } from "../../observability/otel-test-providers.ts";
import { nextAttempt } from "./attempt.ts";

const spansDir = process.env.BUBU_E2E_SPANS_DIR;
if (spansDir) {
  const provider = new InMemoryTracerProvider();
  trace.setGlobalTracerProvider(provider);
  process.on("exit", () => {
    mkdirSync(spansDir, { recursive: true });
    writeFileSync(join(spansDir, `${process.env.HOSTNAME ?? process.pid}.json`), JSON.stringify(provider.spans));
  });
}

/** How many times the effect "charge" really ran for this StepRun, across its pods. */
function countCharge(): number {
  const file = join(
    process.env.BUBU_E2E_ATTEMPTS_DIR ?? "/tmp",
    `${process.env.BUBU_STEPRUN_NAMESPACE}_${process.env.BUBU_STEPRUN_NAME}.charges`,
  );
  appendFileSync(file, "x");
  return readFileSync(file, "utf8").length;
}

function chargesSoFar(): number {
  const file = join(
    process.env.BUBU_E2E_ATTEMPTS_DIR ?? "/tmp",
    `${process.env.BUBU_STEPRUN_NAMESPACE}_${process.env.BUBU_STEPRUN_NAME}.charges`,
  );
  try {
    return readFileSync(file, "utf8").length;
  } catch {
    return 0;
  }
}

const e2e = defineBatch({
  name: "e2e-engram",
  config: v.looseObject({ mode: v.string(), size: v.optional(v.number(), 0) }),
  inputs: v.looseObject({
    name: v.optional(v.string(), ""),
    data: v.optional(v.string(), ""),
    from: v.optional(v.unknown()),
    text: v.optional(v.string(), ""),
  }),
  init(ctx) {
    if (ctx.config.mode === "secret") {
      for (const name of ctx.secrets.names())
        ctx.logger.info("init saw a secret", { name, value: ctx.secrets.get(name) });
    }
  },
  async process(ctx, inputs) {
    switch (ctx.config.mode) {
      case "ok":
        return { message: `hello ${inputs.name}` };
      case "fail":
        throw new Error(`upstream login failed: password=hunter2 user=${inputs.name}`);
      case "unicode":
        return { text: "héllo wörld — 日本語 🌍 \u2028 <&>" };
      case "hang":
        return await new Promise((_, reject) => {
          if (ctx.signal.aborted) reject(ctx.signal.reason);
          ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason), { once: true });
        });
      case "inputs":
        return { name: inputs.name };
      case "big":
        return { big: "x".repeat(ctx.config.size), size: ctx.config.size };
      case "consume":
        return { length: inputs.data.length };
      case "signals":
        await ctx.signals.emit("progress", { pct: 50 });
        await ctx.signals.emit("progress", { pct: 100 });
        return { ok: true };
      case "effects":
        await ctx.effects.record("email:welcome", { status: "succeeded", details: { to: "ada" } });
        await ctx.effects.once("charge", () => ({ amount: 42 }));
        return { ok: true };
      case "mixed":
        return { by: "ts", got: inputs.from, upper: inputs.text.toUpperCase() };
      case "secret": {
        const names = ctx.secrets.names().sort();
        for (const name of names) {
          const value = ctx.secrets.get(name) ?? "";
          ctx.logger.info("process uses a secret", { name, value, text: `value=${value}` });
          ctx.tracer.startActiveSpan("use-secret", (span) => {
            span.setAttribute("secret.value", value);
            span.end();
          });
          await ctx.signals.emit("secret-seen", { name, value });
        }
        return { names, lengths: names.map((n) => ctx.secrets.get(n)?.length ?? 0) };
      }
      case "secret-fail": {
        const values = ctx.secrets.names().map((n) => ctx.secrets.get(n));
        throw new Error(`the service refused token ${values.join(",")}`);
      }
      case "once-retry": {
        const attempt = nextAttempt();
        await ctx.signals.emit("attempt", { n: attempt });
        const once = await ctx.effects.once("charge", () => ({ amount: 42, charges: countCharge() }));
        if (attempt === 1)
          throw new BubuError("execution_error", "transient failure after the charge", { retryable: true });
        return { attempt, already: once.already, reason: once.already ? once.reason : "ran", charges: chargesSoFar() };
      }
      default:
        throw new Error(`unknown mode ${JSON.stringify(ctx.config.mode)}`);
    }
  },
});

if (import.meta.main) await start(e2e);
