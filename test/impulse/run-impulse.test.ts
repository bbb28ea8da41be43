// runImpulse in-process (no cluster: a StoryClient is passed in): config decoding, secrets, init
// and run failures with Go's texts and exit codes, signal-driven shutdown, the grace window.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as v from "valibot";
import { defineImpulse } from "../../src/engram/impulse.ts";
import { localStories } from "../../src/impulse/local-stories.ts";
import { runImpulse } from "../../src/impulse/run-impulse.ts";
import { noopLogger } from "../../src/observability/logger.ts";
import { detectRuntime } from "../../src/runtime/detect.ts";
import type { Runtime } from "../../src/runtime/types.ts";

const fakeStories = localStories({ target: undefined, started: [], stopped: [] });
const base = { exit: false, stories: fakeStories, logger: noopLogger } as const;
/** The real runtime with signal listeners that do nothing (tests drive shutdown via `signal`). */
const runtime: Runtime = { ...detectRuntime(), onSignal: () => () => {} };

describe("runImpulse", () => {
  test("config decoded by the schema (with BUBU_CONFIG_* overrides); secrets expanded; run gets both", async () => {
    let seen: unknown;
    const impulse = defineImpulse({
      config: v.object({ port: v.number(), mode: v.string() }),
      run(ctx) {
        seen = { config: ctx.config, token: ctx.secrets.get("TOKEN"), stories: ctx.stories === fakeStories };
      },
    });
    const out = await runImpulse(impulse, {
      ...base,
      runtime,
      env: { BUBU_STEP_CONFIG: '{"port":8080,"mode":"a"}', BUBU_CONFIG_mode: "b", BUBU_SECRET_TOKEN: "s3cret" },
    });
    assert.deepEqual(out, { exitCode: 0, end: "completed" });
    assert.deepEqual(seen, { config: { port: 8080, mode: "b" }, token: "s3cret", stories: true });
  });

  test("config is templated against BUBU_TEMPLATE_CONTEXT and hydrated from file storage", async () => {
    const { mkdtempSync, mkdirSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const root = mkdtempSync(join(tmpdir(), "impulse-cfg-"));
    mkdirSync(join(root, "cfg"));
    // A stored object (the SDK's wrapper) whose literal `{{ }}` must stay literal.
    writeFileSync(join(root, "cfg/banner.json"), JSON.stringify({ contentType: "json", data: "{{ not a template }}" }));
    let seen: unknown;
    const impulse = defineImpulse({
      config: v.object({ path: v.string(), banner: v.string() }),
      run(ctx) {
        seen = ctx.config;
      },
    });
    const out = await runImpulse(impulse, {
      ...base,
      runtime,
      env: {
        BUBU_TEMPLATE_CONTEXT: '{"inputs":{"team":"ops"},"steps":{}}',
        BUBU_STEP_CONFIG: '{"path":"/hooks/{{ .inputs.team }}","banner":{"$bubuStorageRef":"cfg/banner.json"}}',
        BUBU_STORAGE_PROVIDER: "file",
        BUBU_STORAGE_PATH: root,
      },
    });
    const { rmSync } = await import("node:fs");
    rmSync(root, { recursive: true, force: true });
    assert.deepEqual(out, { exitCode: 0, end: "completed" });
    assert.deepEqual(seen, { path: "/hooks/ops", banner: "{{ not a template }}" });
  });

  test("failures: exit 1 with Go's wrapper texts", async () => {
    const ok = { run() {} };
    const cases: [Record<string, string>, Parameters<typeof defineImpulse>[0], RegExp][] = [
      [{ BUBU_STEP_CONFIG: "{bad" }, ok, /^failed to load execution context: /],
      [
        { BUBU_STEP_CONFIG: '{"port":"x"}' },
        { config: v.object({ port: v.number() }), run() {} },
        /^failed to unmarshal config: config validation failed at port/,
      ],
      [{ BUBU_SECRET_KEY: "file:/definitely/not/here" }, ok, /^failed to expand secrets: /],
      [
        {},
        {
          init() {
            throw new Error("no db");
          },
          run() {},
        },
        /^impulse initialization failed: no db$/,
      ],
      [
        {},
        {
          run() {
            throw new Error("port in use");
          },
        },
        /^impulse execution failed: port in use$/,
      ],
    ];
    for (const [env, def, re] of cases) {
      const out = await runImpulse(defineImpulse(def), { ...base, runtime, env });
      assert.equal(out.exitCode, 1, String(re));
      assert.equal(out.end, "failed");
      assert.match((out.error as Error).message, re);
    }
  });

  test("a signal ends run through its AbortSignal: exit 143", async () => {
    const ac = new AbortController();
    let aborted = false;
    const impulse = defineImpulse({
      async run(ctx) {
        await new Promise<void>((r) => ctx.signal.addEventListener("abort", () => r(), { once: true }));
        aborted = true;
      },
    });
    setTimeout(() => ac.abort(), 50);
    const out = await runImpulse(impulse, { ...base, runtime, env: {}, signal: ac.signal });
    assert.equal(aborted, true);
    assert.deepEqual(out, { exitCode: 143, end: "terminated" });
  });

  test("run ignoring its signal is abandoned after the grace window (143)", async () => {
    const ac = new AbortController();
    const impulse = defineImpulse({ run: () => new Promise<void>(() => {}) });
    setTimeout(() => ac.abort(), 20);
    const t0 = performance.now();
    const out = await runImpulse(impulse, {
      ...base,
      runtime,
      env: { BUBU_SDK_GRACEFUL_SHUTDOWN_TIMEOUT: "200ms" },
      signal: ac.signal,
    });
    const ms = performance.now() - t0;
    assert.deepEqual(out, { exitCode: 143, end: "terminated" });
    assert.ok(ms >= 200 && ms < 2000, `${ms} ms`);
  });
});
