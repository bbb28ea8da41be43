// The local sink: on a laptop signals, effects and logs work without a StepRun. Each is a JSON
// line on stderr and a line in BUBU_LOCAL_EVENTS_FILE; effects.once keeps its promise across runs
// through a claim file in BUBU_LOCAL_STATE_DIR; published logs land under the state directory.

import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { startBatch } from "../../src/batch/start-batch.ts";
import { fileEffectStore } from "../../src/context/effect-store.ts";
import { defineBatch } from "../../src/engram/batch-engram.ts";
import { detectRuntime } from "../../src/runtime/detect.ts";
import type { Runtime } from "../../src/runtime/types.ts";

const dir = mkdtempSync(join(tmpdir(), "bubu-local-sink-"));
after(() => rmSync(dir, { recursive: true, force: true }));

let ran = 0;
const engram = defineBatch({
  async process(ctx) {
    await ctx.signals.emit("progress", { done: 1 });
    await ctx.signals.emit("progress", { done: 2 });
    const charged = await ctx.effects.once("charge:order-1", () => {
      ran++;
      return { id: `ch_${ran}` };
    });
    const ref = await ctx.logs.publish("hello log\n");
    return { already: charged.already, log: ref?.path ?? "" };
  },
});

function runtime(err: string[]): Runtime {
  return { ...detectRuntime(), onSignal: () => () => {}, writeStderr: (t) => void err.push(t), writeStdout: () => {} };
}

test("two local runs: the effect runs once, signals are numbered, every event is printed and filed", async () => {
  const env = { BUBU_LOCAL_STATE_DIR: join(dir, "state"), BUBU_LOCAL_EVENTS_FILE: join(dir, "events.ndjson") };
  const err1: string[] = [];
  const first = await startBatch(engram, { runtime: runtime(err1), exit: false, env, args: [] });
  const second = await startBatch(engram, { runtime: runtime([]), exit: false, env, args: [] });
  assert.equal(first.exitCode, 0, err1.join(""));
  assert.equal(ran, 1, "the effect ran in the first run only");
  assert.equal(first.output?.already, false);
  assert.equal(second.output?.already, true);

  const lines = err1
    .join("")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const signals = lines.filter((l) => l.msg === "signal");
  assert.deepEqual(
    signals.map((s) => [s.key, s.seq, s.value]),
    [
      ["progress", 1, { done: 1 }],
      ["progress", 2, { done: 2 }],
    ],
  );
  assert.ok(lines.some((l) => l.msg === "effect recorded" && l.key === "charge:order-1" && l.status === "succeeded"));

  const logPath = first.output?.log as string;
  assert.equal(readFileSync(logPath, "utf8"), "hello log\n");
  assert.ok(logPath.startsWith(join(dir, "state", "logs")), logPath);

  const events = readFileSync(join(dir, "events.ndjson"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { type: string });
  assert.deepEqual(
    events.map((e) => e.type),
    ["signal", "signal", "effect", "log", "signal", "signal", "log"],
    "the second run skipped the effect",
  );
  assert.equal(readdirSync(join(dir, "state", "effects")).filter((f) => f.endsWith(".done")).length, 1);
});

test("file claim store: a live lock is held, an expired one is taken over, a release frees it", async () => {
  const fs = detectRuntime().fs;
  const a = fileEffectStore(fs, join(dir, "claims"), "local");
  assert.equal(await a.begin("k", 60_000), "run");
  assert.equal(await a.begin("k", 60_000), "held", "a second holder waits for the lease");
  await a.release("k");
  assert.equal(await a.begin("k", 1), "run");
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(await a.begin("k", 60_000), "run", "the expired lock was taken over");
  await a.complete("k", { ok: true });
  assert.equal(await a.begin("k", 60_000), "completed");
  const other = fileEffectStore(fs, join(dir, "claims"), "storyrun-1/steprun-1");
  assert.equal(await other.begin("k", 60_000), "run", "another scope has its own claims");
});
