// ImpulseHarness and impulses on a laptop: `ctx.stories` records (and locally prints) each start
// with its inputs, token and dedupe decision; the same token gives the same StoryRun.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as v from "valibot";
import { defineImpulse } from "../../src/engram/impulse.ts";
import { detectRuntime } from "../../src/runtime/detect.ts";
import type { Runtime } from "../../src/runtime/types.ts";
import { start } from "../../src/start.ts";
import { ImpulseHarness } from "../../src/testkit/mod.ts";

const orders = defineImpulse({
  config: v.object({ ids: v.array(v.string()) }),
  async run(ctx) {
    for (const id of ctx.config.ids) await ctx.stories.start({ inputs: { orderId: id }, token: id });
    await ctx.signals.emit("batch", { count: ctx.config.ids.length });
  },
});

describe("ImpulseHarness", () => {
  test("records every start: story, inputs, token, decision; a repeated token reuses the run", async () => {
    const run = await new ImpulseHarness({
      impulse: orders,
      config: { ids: ["A-1", "A-2", "A-1"] },
      targetStory: "fulfil",
    }).run();
    assert.equal(run.error, undefined);
    assert.deepEqual(
      run.triggered.map((t) => [t.story, t.inputs.orderId, t.token, t.decision]),
      [
        ["fulfil", "A-1", "A-1", "created"],
        ["fulfil", "A-2", "A-2", "created"],
        ["fulfil", "A-1", "A-1", "reused"],
      ],
    );
    assert.equal(run.triggered[2]!.storyRun.metadata.name, run.triggered[0]!.storyRun.metadata.name);
    assert.deepEqual(
      run.signals.map((s) => s.key),
      ["batch"],
    );
  });

  test("no target and no story: a clear error; start/stop drives a long-running impulse", async () => {
    const failed = await new ImpulseHarness({ impulse: orders, config: { ids: ["x"] } }).run();
    assert.match(String(failed.error), /story name is required/);

    const listener = defineImpulse({
      async run(ctx) {
        await ctx.stories.start({ story: "hello", inputs: { n: 1 } });
        await new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve(), { once: true }));
        await ctx.stories.stop("hello-local-1");
      },
    });
    const running = new ImpulseHarness({ impulse: listener }).start();
    while (running.triggered.length === 0) await new Promise((r) => setTimeout(r, 5));
    const run = await running.stop();
    assert.deepEqual(
      run.triggered.map((t) => t.story),
      ["hello"],
    );
    assert.deepEqual(
      run.stopped.map((s) => s.storyRun),
      ["hello-local-1"],
    );
  });
});

describe("an impulse on a laptop (no cluster)", () => {
  test("start() runs it with the local story sink: each start is a JSON line on stderr, nothing is sent", async () => {
    const err: string[] = [];
    const runtime: Runtime = {
      ...detectRuntime(),
      onSignal: () => () => {},
      writeStderr: (t) => void err.push(t),
      writeStdout: () => {},
    };
    const out = await start(orders, {
      runtime,
      exit: false,
      env: { BUBU_TARGET_STORY_NAME: "fulfil", BUBU_STEP_CONFIG: JSON.stringify({ ids: ["B-7"] }) },
    });
    assert.equal(out.exitCode, 0, err.join(""));
    const lines = err
      .join("")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const triggered = lines.find((l) => l.msg === "story triggered (local: no cluster)");
    assert.ok(triggered, err.join(""));
    assert.deepEqual(
      [triggered.story, triggered.namespace, triggered.token, triggered.decision, triggered.inputs],
      ["fulfil", "default", "B-7", "created", { orderId: "B-7" }],
    );
    assert.ok(
      lines.some((l) => l.msg === "signal" && l.key === "batch"),
      "local signals are printed too",
    );
  });
});
