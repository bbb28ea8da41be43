// Shared builders for the batch tests.

import type { RunBatchDeps } from "../../src/batch/run-batch.ts";
import type { BatchSettings } from "../../src/batch/settings.ts";
import { blobStorage } from "../../src/context/blob-storage.ts";
import { createContext } from "../../src/context/create-context.ts";
import { memoryEffectStore } from "../../src/context/effect-store.ts";
import { emptyRunRecord, recordingCapabilities } from "../../src/context/recording-capabilities.ts";
import { Secrets } from "../../src/engram/secrets.ts";
import { emptyStoryInfo } from "../../src/env/story-info.ts";
import { createLogger, type Logger } from "../../src/observability/logger.ts";

export function settings(over: Partial<BatchSettings> = {}): BatchSettings {
  return {
    stepTimeoutNs: 60_000_000_000n,
    graceMs: 100,
    debug: false,
    skipInputTemplating: false,
    strictUnmarshal: false,
    storyInfo: { ...emptyStoryInfo, storyRunID: "sr-1", stepRunID: "st-1", stepRunNamespace: "ns" },
    startedAt: new Date(Date.now() - 1500),
    inputs: {},
    config: {},
    templateContext: { inputs: {}, steps: {} },
    ...over,
  };
}

export interface Captured {
  readonly lines: string[];
  readonly logger: Logger;
}

export function captureLogger(): Captured {
  const lines: string[] = [];
  return { lines, logger: createLogger({ sink: (l) => lines.push(l), level: "DEBUG" }) };
}

/** A context with recorded capabilities, as the test harness builds it. */
export function testContextFor(logger: Logger): RunBatchDeps["context"] {
  return (init) =>
    createContext({
      ...init,
      logger,
      place: "test",
      ...recordingCapabilities({
        record: emptyRunRecord(),
        effectStore: memoryEffectStore(),
        maxSignalBytes: 8192,
        maxEffectDetailsBytes: 8192,
        storeLog: (_b, contentType) => Promise.resolve({ path: "test.log", contentType }),
      }),
      storage: blobStorage(false, () => Promise.reject(new Error("no storage"))),
    });
}

export function deps(over: Partial<RunBatchDeps> = {}): RunBatchDeps {
  const logger = over.logger ?? captureLogger().logger;
  return {
    settings: settings(),
    logger,
    openSecrets: () => Promise.resolve(new Secrets({})),
    context: testContextFor(logger),
    ...over,
  };
}
