// A secret canary through every entry point: a secret value that the engram or impulse throws,
// logs or puts on a span never reaches stdout, stderr, a downstream message, a span or the StepRun
// status. Before the fix, streaming engrams and impulses never registered their secrets for
// redaction and leaked the value on every channel.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { trace } from "@opentelemetry/api";
import { startBatch } from "../../src/batch/start-batch.ts";
import { defineBatch } from "../../src/engram/batch-engram.ts";
import { defineImpulse } from "../../src/engram/impulse.ts";
import { defineStreaming } from "../../src/engram/streaming-engram.ts";
import { BubuError } from "../../src/errors/bubu-error.ts";
import { localStories } from "../../src/impulse/local-stories.ts";
import { runImpulse } from "../../src/impulse/run-impulse.ts";
import { detectRuntime } from "../../src/runtime/detect.ts";
import type { Runtime } from "../../src/runtime/types.ts";
import { startStreaming } from "../../src/streaming/start-streaming.ts";
import { InMemoryTracerProvider } from "../observability/otel-test-providers.ts";
import { k8sPeerSkip, requireK8sPeer } from "../peers/k8s/peer.ts";
import { createStepRun, peerClient, statusOf } from "../signals/k8s-support.ts";

const SECRET = "canary-7f3a9c2e41d8";

/** The real runtime with stdout/stderr captured and signal listeners that do nothing. */
function capturing(stdin: string[] = []): { runtime: Runtime; out: () => string } {
  const chunks: string[] = [];
  const enc = new TextEncoder();
  const runtime: Runtime = {
    ...detectRuntime(),
    onSignal: () => () => {},
    args: () => [],
    writeStdout: (t) => void chunks.push(t),
    writeStderr: (t) => void chunks.push(t),
    readStdin: async function* () {
      for (const line of stdin) yield enc.encode(line + "\n");
    },
  };
  return { runtime, out: () => chunks.join("") };
}

const tracing = new InMemoryTracerProvider();
before(() => void trace.setGlobalTracerProvider(tracing));
after(() => trace.disable());

/** Every finished span, as text. */
const spanText = (): string => JSON.stringify(tracing.spans);

describe("secret canary through every entry point (local mode)", () => {
  test("batch: a thrown error and a log line", async () => {
    const { runtime, out } = capturing();
    const engram = defineBatch({
      process(ctx) {
        ctx.logger.info(`calling upstream with ${SECRET}`);
        const span = ctx.tracer.startSpan(`call ${SECRET}`, { attributes: { key: SECRET } });
        span.recordException(new Error(`refused ${SECRET}`));
        span.end();
        throw new Error(`upstream rejected ${SECRET}`);
      },
    });
    const outcome = await startBatch(engram, { runtime, exit: false, env: { BUBU_SECRET_API_KEY: SECRET }, args: [] });
    assert.equal(outcome.exitCode, 1);
    const text = out();
    assert.match(text, /upstream rejected \[REDACTED\]/);
    assert.ok(!text.includes(SECRET), text);
    assert.match(spanText(), /call \[REDACTED\]/, "the span was recorded");
    assert.ok(!spanText().includes(SECRET), spanText());
  });

  test("batch: a BubuError's details, code and JSON.stringify never show the value", async () => {
    const { runtime, out } = capturing();
    let stringified = "";
    const engram = defineBatch({
      process() {
        const err = new BubuError("execution_error", `upstream said 400 (key ${SECRET})`, {
          code: `E_${SECRET}`,
          details: { status: 400, body: `rejected header Bearer ${SECRET}`, [SECRET]: [SECRET] },
        });
        stringified = JSON.stringify(err);
        throw err;
      },
    });
    const outcome = await startBatch(engram, { runtime, exit: false, env: { BUBU_SECRET_API_KEY: SECRET }, args: [] });
    assert.equal(outcome.exitCode, 1);
    const text = out();
    assert.match(text, /rejected header Bearer \[REDACTED\]/, "the details are printed, scrubbed");
    assert.ok(!text.includes(SECRET), text);
    assert.match(stringified, /rejected header Bearer \[REDACTED\]/);
    assert.ok(!stringified.includes(SECRET), stringified);
    assert.ok(!JSON.stringify(outcome.status).includes(SECRET), JSON.stringify(outcome.status));
    assert.equal((outcome.status.error?.details as Record<string, unknown>)?.status, 400, "other details are kept");
  });

  test("streaming: a thrown error reaches stdout as an error message, and stderr as a log line", async () => {
    const { runtime, out } = capturing([JSON.stringify({ kind: "data", payload: { n: 1 } })]);
    const engram = defineStreaming({
      async stream(ctx, inbound) {
        for await (const msg of inbound) {
          msg.done();
          ctx.tracer.startSpan(`stream ${SECRET}`).end();
          throw new Error(`model refused key ${SECRET}`);
        }
      },
    });
    const outcome = await startStreaming(engram, { runtime, exit: false, env: { BUBU_SECRET_API_KEY: SECRET } });
    assert.equal(outcome.exitCode, 1);
    const text = out();
    assert.match(text, /"kind":"error"/, "the error message went downstream");
    assert.match(text, /\[REDACTED\]/);
    assert.ok(!text.includes(SECRET), text);
    assert.match(spanText(), /stream \[REDACTED\]/);
    assert.ok(!spanText().includes(SECRET), spanText());
  });

  test("impulse: a log line and a thrown error", async () => {
    const { runtime, out } = capturing();
    const impulse = defineImpulse({
      run(ctx) {
        ctx.logger.info(`listening with ${SECRET}`);
        ctx.tracer.startSpan(`listen ${SECRET}`).end();
        throw new Error(`webhook secret ${SECRET} rejected`);
      },
    });
    const outcome = await runImpulse(impulse, { runtime, exit: false, env: { BUBU_SECRET_HOOK: SECRET } });
    assert.equal(outcome.exitCode, 1);
    const text = out();
    assert.match(text, /listening with \[REDACTED\]/);
    assert.match(text, /webhook secret \[REDACTED\] rejected/);
    assert.ok(!text.includes(SECRET), text);
    assert.match(spanText(), /listen \[REDACTED\]/);
    assert.ok(!spanText().includes(SECRET), spanText());
  });
});

describe("secret canary in console output (local mode)", () => {
  /** Runs `body` with console.log/error recorded (the SDK wraps whatever console it finds). */
  async function recordingConsole(body: () => Promise<unknown>): Promise<string> {
    const lines: string[] = [];
    const saved = { log: console.log, error: console.error };
    console.log = (...args: unknown[]) =>
      void lines.push(
        `log: ${args.map((a) => (a instanceof Error ? a.stack : typeof a === "string" ? a : JSON.stringify(a))).join(" ")}`,
      );
    console.error = (...args: unknown[]) =>
      void lines.push(
        `error: ${args.map((a) => (a instanceof Error ? a.stack : typeof a === "string" ? a : JSON.stringify(a))).join(" ")}`,
      );
    try {
      await body();
    } finally {
      console.log = saved.log;
      console.error = saved.error;
    }
    return lines.join("\n");
  }

  test("batch, streaming and impulse handlers that console.log a secret print it redacted", async () => {
    const env = { BUBU_SECRET_API_KEY: SECRET };
    const printed = await recordingConsole(async () => {
      await startBatch(defineBatch({ process: () => void console.log(`batch ${SECRET}`, { key: SECRET }) }), {
        runtime: capturing().runtime,
        exit: false,
        env,
        args: [],
      });
      await startStreaming(
        defineStreaming({
          async stream(_ctx, inbound) {
            for await (const msg of inbound) {
              console.error(new Error(`stream ${SECRET}`));
              msg.done();
            }
          },
        }),
        { runtime: capturing([JSON.stringify({ kind: "data", payload: {} })]).runtime, exit: false, env },
      );
      await runImpulse(defineImpulse({ run: () => void console.log(`impulse ${SECRET}`) }), {
        runtime: capturing().runtime,
        exit: false,
        env,
      });
    });
    assert.match(printed, /batch \[REDACTED\] \{"key":"\[REDACTED\]"\}/);
    assert.match(printed, /stream \[REDACTED\]/);
    assert.match(printed, /impulse \[REDACTED\]/);
    assert.ok(!printed.includes(SECRET), printed);
  });
});

describe("secret canary in a cluster: the StepRun status and the pod's log lines", { skip: k8sPeerSkip() }, () => {
  test("batch: a thrown secret is redacted in status.lastFailureMsg and status.error", async () => {
    const peer = requireK8sPeer()!;
    const ns = `canary-${randomBytes(3).toString("hex")}`;
    const name = `sr-${randomBytes(4).toString("hex")}`;
    const client = await peerClient(peer.kubeconfigPath);
    try {
      await createStepRun(client, ns, name);
      const { runtime, out } = capturing();
      const engram = defineBatch({
        process(ctx) {
          ctx.logger.info(`token is ${ctx.secrets.require("TOKEN")}`);
          // Details too: Go stores them as given, ours takes the run's secret values out.
          throw new BubuError("execution_error", `login failed for ${SECRET}`, {
            details: { body: `Bearer ${SECRET}` },
          });
        },
      });
      const env = {
        KUBERNETES_SERVICE_HOST: "10.0.0.1",
        KUBECONFIG: peer.kubeconfigPath,
        BUBU_STEPRUN_NAME: name,
        BUBU_STEPRUN_NAMESPACE: ns,
        BUBU_POD_NAMESPACE: ns,
        BUBU_SECRET_TOKEN: SECRET,
      };
      const outcome = await startBatch(engram, { runtime, exit: false, env });
      assert.equal(outcome.exitCode, 1);
      const status = await statusOf(client, ns, name);
      assert.equal(status.phase, "Failed");
      assert.match(status.lastFailureMsg, /login failed for \[REDACTED\]/);
      assert.ok(!JSON.stringify(status).includes(SECRET), JSON.stringify(status));
      assert.match(out(), /token is \[REDACTED\]/);
      assert.ok(!out().includes(SECRET), out());
    } finally {
      await client.close();
    }
  });
});
