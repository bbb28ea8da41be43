// Shared builders for the batch tests.
import { Secrets } from "../../src/engram/secrets.ts";
import { emptyStoryInfo } from "../../src/engram/story-info.ts";
import type { BatchSettings } from "../../src/batch/settings.ts";
import type { RunBatchDeps } from "../../src/batch/run-batch.ts";
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
    secretDescriptors: {},
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

export function deps(over: Partial<RunBatchDeps> = {}): RunBatchDeps {
  return {
    settings: settings(),
    logger: captureLogger().logger,
    loadSecrets: () => Promise.resolve(new Secrets({})),
    ...over,
  };
}
