/**
 * The component and test files `bubu init` writes, one pair per kind. Each test runs under
 * `bun test`, `deno test` and `node --test` (node:test and node:assert).
 * @module
 */
import type { ComponentKind } from "./load-component.ts";

/** The file a kind's component lives in, and its export. */
export function componentFile(kind: ComponentKind): { file: string; test: string; exportName: string } {
  return kind === "impulse"
    ? { file: "impulse.ts", test: "impulse.test.ts", exportName: "impulse" }
    : { file: "engram.ts", test: "engram.test.ts", exportName: "engram" };
}

/** The component's source. */
export function componentSource(kind: ComponentKind, name: string): string {
  switch (kind) {
    case "batch":
      return `/**
 * ${name}: a batch engram (one step of a Story, run as a Kubernetes Job).
 *   npm start -- --inputs '{"name":"Ada"}'      (or: bubu run engram.ts --inputs …)
 */
import * as v from "valibot";
import { defineBatch, start } from "@bubustack/sdk";

export const engram = defineBatch({
  name: ${JSON.stringify(name)},
  // Set once per step (the Story step's \`with\`); locally --config.
  config: v.object({ greeting: v.optional(v.string(), "Hello") }),
  // One run's data; locally --inputs.
  inputs: v.object({ name: v.pipe(v.string(), v.minLength(1, "name must not be empty")) }),
  // Written to StepRun.status.output; locally printed on stdout.
  output: v.object({ message: v.string() }),
  // Declared here, listed in the template's secretSchema; read with ctx.secrets.
  secrets: { API_KEY: { description: "an example secret: replace or remove it", required: false } },
  async process(ctx, { name }) {
    ctx.logger.info("greeting", { name });
    await ctx.signals.emit("progress", { step: "greeting" });
    return { message: \`\${ctx.config.greeting}, \${name}!\` };
  },
});

if (import.meta.main) await start(engram);
`;
    case "streaming":
      return `/**
 * ${name}: a streaming engram (a long-lived stream processor next to the connector sidecar).
 * Locally it reads one message per line on stdin and writes one per line on stdout:
 *   echo '{"kind":"data","payload":{"text":"hi"}}' | npm start
 */
import * as v from "valibot";
import { defineStreaming, start } from "@bubustack/sdk";
import { newStreamMessage, streamMessageJson } from "@bubustack/sdk/streaming";

export const engram = defineStreaming({
  name: ${JSON.stringify(name)},
  config: v.object({ prefix: v.optional(v.string(), "") }),
  async stream(ctx, inbound, outbound) {
    for await (const msg of inbound) {
      const payload = streamMessageJson(msg) as { text?: unknown } | undefined;
      const text = ctx.config.prefix + String(payload?.text ?? "").toUpperCase();
      await outbound.send(newStreamMessage("data", { json: { text }, metadata: msg.metadata }), ctx.signal);
      msg.done(); // acknowledges the message (the connector's delivery receipt)
    }
  },
});

if (import.meta.main) await start(engram);
`;
    case "dual":
      return `/**
 * ${name}: a dual engram, a batch step (\`process\`) or a stream processor (\`stream\`) as the
 * operator chooses (BUBU_EXECUTION_MODE).
 *   npm start -- --inputs '{"text":"hi"}'
 *   echo '{"kind":"data","payload":{"text":"hi"}}' | npx bubu run engram.ts --mode streaming
 */
import * as v from "valibot";
import { defineDual, start } from "@bubustack/sdk";
import { newStreamMessage, streamMessageJson } from "@bubustack/sdk/streaming";

export const engram = defineDual({
  name: ${JSON.stringify(name)},
  inputs: v.object({ text: v.string() }),
  output: v.object({ text: v.string() }),
  process: (_ctx, { text }) => ({ text: text.toUpperCase() }),
  async stream(ctx, inbound, outbound) {
    for await (const msg of inbound) {
      const payload = streamMessageJson(msg) as { text?: unknown } | undefined;
      await outbound.send(newStreamMessage("data", { json: { text: String(payload?.text ?? "").toUpperCase() }, metadata: msg.metadata }), ctx.signal);
      msg.done();
    }
  },
});

if (import.meta.main) await start(engram);
`;
    case "impulse":
      return `/**
 * ${name}: an impulse (a service that starts Stories). This one starts its Story on a timer.
 * Locally the starts are printed, not sent:
 *   npm start -- --story hello --config '{"limit":3,"everyMs":100}'
 */
import * as v from "valibot";
import { defineImpulse, start } from "@bubustack/sdk";

export const impulse = defineImpulse({
  name: ${JSON.stringify(name)},
  config: v.object({
    everyMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1)), 60_000),
    // Stop after this many starts; 0 runs until SIGTERM.
    limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 0),
  }),
  async run(ctx) {
    for (let tick = 1; !ctx.signal.aborted; tick++) {
      // The same token starts the Story once, also when the impulse restarts.
      await ctx.stories.start({ inputs: { tick }, token: \`tick-\${tick}\` });
      if (tick === ctx.config.limit) return;
      await sleep(ctx.config.everyMs, ctx.signal);
    }
  },
});

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });
}

if (import.meta.main) await start(impulse);
`;
  }
}

/** The component's test. */
export function testSource(kind: ComponentKind): string {
  switch (kind) {
    case "batch":
      return `import { test } from "node:test";
import assert from "node:assert/strict";
import { BatchHarness } from "@bubustack/sdk/testkit";
import { engram } from "./engram.ts";

test("greets with the configured greeting and reports progress", async () => {
  const run = await new BatchHarness({ engram, config: { greeting: "Hi" }, inputs: { name: "Ada" } }).run();
  assert.deepEqual(run.output, { message: "Hi, Ada!" });
  assert.deepEqual(run.signals.map((s) => s.key), ["progress"]);
});

test("an empty name is a validation error", async () => {
  await assert.rejects(new BatchHarness({ engram, inputs: { name: "" } }).run(), /name must not be empty/);
});
`;
    case "streaming":
      return `import { test } from "node:test";
import assert from "node:assert/strict";
import { StreamHarness } from "@bubustack/sdk/testkit";
import { newStreamMessage, streamMessageJson } from "@bubustack/sdk/streaming";
import { engram } from "./engram.ts";

test("upper-cases the text of every message, with the configured prefix", async () => {
  const run = await new StreamHarness({
    engram,
    config: { prefix: "> " },
    inputs: [newStreamMessage("data", { json: { text: "hi" } }), newStreamMessage("data", { json: { text: "there" } })],
  }).run();
  assert.equal(run.failed, false, String(run.error));
  assert.deepEqual(run.outputs.map((m) => streamMessageJson(m)), [{ text: "> HI" }, { text: "> THERE" }]);
});
`;
    case "dual":
      return `import { test } from "node:test";
import assert from "node:assert/strict";
import { BatchHarness, StreamHarness } from "@bubustack/sdk/testkit";
import { newStreamMessage, streamMessageJson } from "@bubustack/sdk/streaming";
import { engram } from "./engram.ts";

test("batch: upper-cases the input", async () => {
  const run = await new BatchHarness({ engram, inputs: { text: "hi" } }).run();
  assert.deepEqual(run.output, { text: "HI" });
});

test("streaming: upper-cases every message", async () => {
  const run = await new StreamHarness({ engram, inputs: [newStreamMessage("data", { json: { text: "hi" } })] }).run();
  assert.equal(run.failed, false, String(run.error));
  assert.deepEqual(run.outputs.map((m) => streamMessageJson(m)), [{ text: "HI" }]);
});
`;
    case "impulse":
      return `import { test } from "node:test";
import assert from "node:assert/strict";
import { ImpulseHarness } from "@bubustack/sdk/testkit";
import { impulse } from "./impulse.ts";

test("starts the target Story once per tick, with a token per tick", async () => {
  const run = await new ImpulseHarness({ impulse, config: { everyMs: 1, limit: 3 }, targetStory: "hello" }).run();
  assert.equal(run.error, undefined);
  assert.deepEqual(run.triggered.map((t) => [t.story, t.inputs, t.token]), [
    ["hello", { tick: 1 }, "tick-1"],
    ["hello", { tick: 2 }, "tick-2"],
    ["hello", { tick: 3 }, "tick-3"],
  ]);
});
`;
  }
}
