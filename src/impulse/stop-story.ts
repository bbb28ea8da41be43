/**
 * `StopStoryRun`: GET the StoryRun; a terminal phase or an existing cancel request is a no-op;
 * otherwise merge-patch the main resource with `{"spec":{"cancelRequested":true}}` (not
 * `/status`: `cancelRequested` is a spec field; the Go SDK patches the same way).
 * @module
 */

import { sleep } from "../k8s/backoff.ts";
import type { KubeClient } from "../k8s/client.ts";
import { isConflict, isNotFound } from "../k8s/errors.ts";
import { STORY_RUNS } from "../k8s/resources.ts";
import { StoryRunNotFoundError } from "./errors.ts";
import type { StoryRun } from "./types.ts";

/** StoryRun phases after which a cancel request is meaningless. */
export const TERMINAL_STORYRUN_PHASES: ReadonlySet<string> = new Set([
  "Succeeded",
  "Failed",
  "Finished",
  "Canceled",
  "Compensated",
  "Timeout",
  "Aborted",
  "Skipped",
]);

/** client-go `retry.DefaultRetry`: 5 steps of 10 ms, jitter 0.1. */
const RETRY_STEPS = 5;
const RETRY_MS = 10;

/** What {@link stopStoryRun} did. */
export type StopOutcome = "requested" | "already-requested" | "terminal";

/**
 * Requests cancellation of `storyRunName` in `namespace` (else the client namespace). Throws
 * {@link StoryRunNotFoundError} when it does not exist.
 */
export async function stopStoryRun(
  kube: KubeClient,
  storyRunName: string,
  namespace: string,
  options: { readonly signal?: AbortSignal; readonly operationTimeoutMs: number },
): Promise<StopOutcome> {
  const ns = namespace.trim() || kube.namespace;
  if (ns === "") throw new Error(`failed to resolve namespace for storyrun ${JSON.stringify(storyRunName)}`);
  if (storyRunName.trim() === "") throw new Error("storyrun name is required");
  for (let step = 1; ; step++) {
    const signal = AbortSignal.any([
      ...(options.signal ? [options.signal] : []),
      AbortSignal.timeout(options.operationTimeoutMs),
    ]);
    try {
      const run = await kube.get<StoryRun>(STORY_RUNS, ns, storyRunName, { signal });
      if (TERMINAL_STORYRUN_PHASES.has(run.status?.phase ?? "")) return "terminal";
      if (run.spec?.cancelRequested === true) return "already-requested";
      await kube.mergePatch(STORY_RUNS, ns, storyRunName, { spec: { cancelRequested: true } }, { signal });
      return "requested";
    } catch (err) {
      if (isNotFound(err)) throw new StoryRunNotFoundError(storyRunName, ns, err);
      if (isConflict(err) && step < RETRY_STEPS) {
        await sleep(RETRY_MS * (1 + Math.random() * 0.1), options.signal);
        continue;
      }
      const text = err instanceof Error ? err.message : String(err);
      throw new Error(`failed to update storyrun '${storyRunName}' in namespace '${ns}': ${text}`, { cause: err });
    }
  }
}
