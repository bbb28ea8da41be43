// Every entry point (startBatch, startStreaming, runImpulse) applies BUBU_SDK_TRACING_ENABLED,
// BUBU_SDK_METRICS_ENABLED and BUBU_TRACE_PROPAGATION from the environment it is given.

import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import { startBatch } from "../../src/batch/start-batch.ts";
import { defineBatch } from "../../src/engram/batch-engram.ts";
import { defineImpulse } from "../../src/engram/impulse.ts";
import { defineStreaming } from "../../src/engram/streaming-engram.ts";
import { localStories } from "../../src/impulse/local-stories.ts";
import { runImpulse } from "../../src/impulse/run-impulse.ts";
import { noopLogger } from "../../src/observability/logger.ts";
import { observabilityToggles, resetObservability } from "../../src/observability/toggles.ts";
import { detectRuntime } from "../../src/runtime/detect.ts";
import type { Runtime } from "../../src/runtime/types.ts";
import { startStreaming } from "../../src/streaming/start-streaming.ts";
import { FakeConnector } from "../peers/connector/index.ts";
import { streamEnv } from "../streaming/helpers.ts";

const OFF = { BUBU_SDK_TRACING_ENABLED: "false", BUBU_SDK_METRICS_ENABLED: "0", BUBU_TRACE_PROPAGATION: "off" };
const ALL_OFF = { tracing: false, metrics: false, propagation: false };
const runtime: Runtime = { ...detectRuntime(), onSignal: () => () => {}, writeStdout: () => {} };

describe("telemetry toggles per entry point", () => {
  afterEach(() => resetObservability());

  test("startBatch", async () => {
    let seen: unknown;
    const engram = defineBatch({ process: () => void (seen = observabilityToggles()) });
    const out = await startBatch(engram, { env: OFF, args: [], exit: false, logger: noopLogger, runtime });
    assert.equal(out.exitCode, 0);
    assert.deepEqual({ ...(seen as object) }, ALL_OFF);
  });

  test("startStreaming", async () => {
    const fake = await FakeConnector.start({ startup: "none" });
    const stop = new AbortController();
    let seen: unknown;
    try {
      const engram = defineStreaming({
        init: () => void (seen = observabilityToggles()),
        async stream(_signal, inbound) {
          for await (const _ of inbound) {
            /* drain */
          }
        },
      });
      const outcome = startStreaming(engram, {
        env: streamEnv(fake.endpoint, OFF),
        exit: false,
        logger: noopLogger,
        signal: stop.signal,
      });
      await fake.waitFor(() => seen !== undefined, 10_000, "init");
      stop.abort();
      assert.equal((await outcome).exitCode, 0);
      assert.deepEqual({ ...(seen as object) }, ALL_OFF);
    } finally {
      stop.abort();
      await fake.close();
    }
  });

  test("runImpulse", async () => {
    let seen: unknown;
    const impulse = defineImpulse({ run: () => void (seen = observabilityToggles()) });
    const out = await runImpulse(impulse, {
      exit: false,
      stories: localStories({ target: undefined, started: [], stopped: [] }),
      logger: noopLogger,
      runtime,
      env: OFF,
    });
    assert.equal(out.exitCode, 0);
    assert.deepEqual({ ...(seen as object) }, ALL_OFF);
  });
});
