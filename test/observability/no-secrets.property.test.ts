// Property test (seeded generator, no fast-check): for random secret sets and random log calls,
// spans and metric recordings that embed those secrets anywhere (message, values at any depth,
// keys, errors, numbers, span names/attributes/events/status/exceptions, metric labels), no
// secret value reaches the captured output.

import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import { context, metrics, ROOT_CONTEXT, SpanStatusCode, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { recordStreamReconnectAttempt, resetBuiltInMetrics } from "../../src/observability/instruments.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { counter, histogram } from "../../src/observability/metrics-entry.ts";
import { clearSecretValues, registerSecretValues } from "../../src/observability/redaction.ts";
import { sdkTracer } from "../../src/observability/tracing.ts";
import { prng } from "../support/prng.ts";
import { InMemoryMeterProvider, InMemoryTracerProvider } from "./otel-test-providers.ts";

// Secrets use characters that never occur in fillers nor in "[REDACTED]", so neither filler nor a
// replacement can form a secret by accident; they include JSON-escaped and multi-byte characters.
const SECRET_CHARS = [...'BFGHIJKLMNOPQSUVWXYZ0123456789"\\\n\t<>&é€😀\u2028/'];
const FILLER_CHARS = [..."abcdefghijklmnopqrstuvwxyz :,.-_{}"];

function pick<T>(r: () => number, items: readonly T[]): T {
  return items[Math.floor(r() * items.length)]!;
}
function str(r: () => number, chars: readonly string[], min: number, max: number): string {
  const n = min + Math.floor(r() * (max - min + 1));
  let s = "";
  for (let i = 0; i < n; i++) s += pick(r, chars);
  return s;
}

/** A string that may embed one of the secrets between fillers. */
function text(r: () => number, secrets: readonly string[]): string {
  const parts = [str(r, FILLER_CHARS, 0, 6)];
  const k = Math.floor(r() * 3);
  for (let i = 0; i < k; i++) parts.push(pick(r, secrets), str(r, FILLER_CHARS, 0, 4));
  return parts.join("");
}

function value(r: () => number, secrets: readonly string[], depth: number): unknown {
  const roll = r();
  if (depth > 2 || roll < 0.35) return text(r, secrets);
  if (roll < 0.45) return Number(pick(r, secrets.filter((s) => /^\d+$/.test(s)).concat(["123"])));
  if (roll < 0.55) return new Error(text(r, secrets));
  if (roll < 0.75) return Array.from({ length: 1 + Math.floor(r() * 3) }, () => value(r, secrets, depth + 1));
  const obj: Record<string, unknown> = {};
  for (let i = 0; i < 1 + Math.floor(r() * 3); i++) obj[text(r, secrets)] = value(r, secrets, depth + 1);
  return obj;
}

/** Every string (keys too) in a JSON value. */
function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === "string") out.push(v);
  else if (typeof v === "number" || typeof v === "boolean") out.push(String(v));
  else if (Array.isArray(v)) for (const x of v) strings(x, out);
  else if (v !== null && typeof v === "object") {
    for (const [k, x] of Object.entries(v)) {
      out.push(k);
      strings(x, out);
    }
  }
  return out;
}

function assertClean(where: string, found: readonly string[], secrets: readonly string[], seed: number): void {
  for (const s of found) {
    for (const secret of secrets) {
      assert.ok(
        !s.includes(secret),
        `seed ${seed}: secret ${JSON.stringify(secret)} reached ${where}: ${JSON.stringify(s)}`,
      );
    }
  }
}

describe("no secret value reaches a log line, span attribute or metric label", () => {
  afterEach(() => {
    clearSecretValues();
    trace.disable();
    metrics.disable();
    context.disable();
  });

  for (let run = 0; run < 25; run++) {
    const seed = 1000 + run * 7919;
    test(`seed ${seed}`, () => {
      const r = prng(seed);
      const secrets = Array.from({ length: 1 + Math.floor(r() * 4) }, () => str(r, SECRET_CHARS, 4, 24));
      if (r() < 0.5) secrets.push(String(10_000 + Math.floor(r() * 89_999_999))); // a numeric PIN
      const unregister = registerSecretValues(secrets);

      context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
      const tp = new InMemoryTracerProvider();
      const mp = new InMemoryMeterProvider();
      trace.setGlobalTracerProvider(tp);
      metrics.setGlobalMeterProvider(mp);
      resetBuiltInMetrics();

      const lines: string[] = [];
      const log = createLogger({ sink: (l) => lines.push(l), level: "DEBUG" });
      const tracer = sdkTracer();
      const c = counter("prop.total");
      const h = histogram("prop.seconds");
      for (let i = 0; i < 30; i++) {
        const attrs = value(r, secrets, 0);
        const logAttrs =
          typeof attrs === "object" && attrs !== null && !Array.isArray(attrs) && !(attrs instanceof Error)
            ? (attrs as Record<string, unknown>)
            : { v: attrs };
        pick(r, [log.debug, log.info, log.warn, log.error]).call(log, text(r, secrets), logAttrs);
        log.with({ [text(r, secrets)]: text(r, secrets) }).info(text(r, secrets));

        const span = tracer.startSpan(
          text(r, secrets),
          { attributes: { [text(r, secrets)]: text(r, secrets), n: 1 } },
          ROOT_CONTEXT,
        );
        span.setAttribute(text(r, secrets), text(r, secrets));
        span.setAttributes({ list: [text(r, secrets), text(r, secrets)] });
        span.addEvent(text(r, secrets), { detail: text(r, secrets) });
        span.recordException(new Error(text(r, secrets)));
        span.setStatus({ code: SpanStatusCode.ERROR, message: text(r, secrets) });
        span.updateName(text(r, secrets));
        span.end();

        c.add(1, { [text(r, secrets)]: text(r, secrets) });
        h.record(0.1, { label: text(r, secrets) });
        recordStreamReconnectAttempt(text(r, secrets));
      }

      assert.ok(lines.length > 0 && tp.spans.length > 0 && mp.recordings.length > 0);
      for (const line of lines) {
        assertClean("a log line (decoded)", strings(JSON.parse(line)), secrets, seed);
        for (const secret of secrets) {
          const escaped = JSON.stringify(secret).slice(1, -1);
          assert.ok(!line.includes(escaped), `seed ${seed}: escaped secret in raw log line ${line}`);
        }
      }
      for (const span of tp.spans) {
        assertClean(
          "a span",
          strings({
            name: span.name,
            attributes: span.attributes,
            events: span.events,
            status: span.status,
            exceptions: span.exceptions,
          }),
          secrets,
          seed,
        );
      }
      for (const rec of mp.recordings) assertClean("a metric label", strings(rec.attributes), secrets, seed);
      unregister();
    });
  }
});
