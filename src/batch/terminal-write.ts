/**
 * The terminal StepRun status write of a batch run: retried for as long as its window allows
 * (see `docs/status-writes.md`), each failed attempt logged.
 * @module
 */

import { errorText } from "../errors/error-text.ts";
import type { KubeClient } from "../k8s/client.ts";
import { patchStepRunStatus, type StatusWriteRetry } from "../k8s/steprun-status.ts";
import type { Logger } from "../observability/logger.ts";
import { k8sOperationRecorder } from "../observability/otel-gate.ts";
import { retryAwareStatus } from "./retry-aware-status.ts";
import type { RunEnd, StepRunStatusUpdate } from "./status.ts";

/**
 * Writes `status` to `StepRun <client namespace>/<name>`, trying again until `window` aborts, in
 * the form that lets the operator apply the step's retry policy (see `retry-aware-status.ts`).
 * The first failed attempt is a warning, later ones are debug lines (a long outage would
 * otherwise fill the log).
 */
export async function writeTerminalStatus(
  client: KubeClient,
  name: string,
  status: StepRunStatusUpdate,
  end: RunEnd,
  window: AbortSignal,
  logger: Logger,
): Promise<void> {
  const onRetry = (r: StatusWriteRetry): void => {
    const attrs = { attempt: r.attempt, stage: r.stage, error: errorText(r.error), retryInMs: Math.round(r.delayMs) };
    if (r.attempt === 1) logger.warn("StepRun status write failed; retrying", attrs);
    else logger.debug("StepRun status write failed; retrying", attrs);
  };
  let written = "as built";
  const result = await patchStepRunStatus(client, client.namespace, name, status, {
    adapt: (stepRun, update) => {
      const adapted = retryAwareStatus(update, end, stepRun);
      written =
        adapted === undefined
          ? "nothing (the pod is being stopped)"
          : adapted.phase === undefined && update.phase !== undefined
            ? "without a phase (the operator applies the retry policy)"
            : "as built";
      return adapted;
    },
    retryUntil: window,
    onRetry,
    onComplete: k8sOperationRecorder("PatchStepRunStatus"),
  });
  const attrs = { attempts: result.attempts, conflicts: result.conflicts, patched: result.patched, written };
  if (result.attempts > 1) logger.info("StepRun status written after retries", attrs);
  else logger.debug("StepRun status patched", attrs);
}
