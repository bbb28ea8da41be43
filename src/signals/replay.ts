/**
 * `replaySignals`: the signal events of a StepRun after a sequence number.
 * @module
 */

import { STEP_RUNS } from "../k8s/resources.ts";
import type { SignalEvent } from "../k8s/steprun-merge.ts";
import type { StepRunTarget } from "../k8s/steprun-target.ts";

/** Options of {@link replaySignals}. */
export interface ReplaySignalsOptions {
  /** Only events with `seq > sinceSeq` (0: all). */
  readonly sinceSeq?: number;
  /** Cancels the read. */
  readonly signal?: AbortSignal;
}

/** One GET of the StepRun; its events with `seq > sinceSeq`, sorted by seq (`[]` when none). */
export async function replaySignals(target: StepRunTarget, options: ReplaySignalsOptions = {}): Promise<SignalEvent[]> {
  let stepRun: Record<string, unknown>;
  try {
    stepRun = await target.client.get(STEP_RUNS, target.namespace, target.name, {
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
    });
  } catch (err) {
    throw new Error(`failed to fetch StepRun for signal replay: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  const events = (stepRun["status"] as { signalEvents?: SignalEvent[] } | undefined)?.signalEvents ?? [];
  const since = options.sinceSeq ?? 0;
  return events.filter((e) => !(since > 0 && e.seq <= since)).sort((a, b) => a.seq - b.seq);
}
