/**
 * `replaySignals`: the signal events of a StepRun after a sequence number
 * (`contract/signals-effects.md`, "ReplaySignals").
 * @module
 */
import type { SignalEvent } from "../k8s/steprun-merge.ts";
import { STEP_RUNS } from "../k8s/resources.ts";
import { SignalsUnavailableError } from "./errors.ts";
import { resolveStepRunTarget, type StepRunContext } from "./target.ts";

/** Options of {@link replaySignals}. */
export interface ReplaySignalsOptions {
  /** Default `BUBU_STEPRUN_NAME` (or the context's target). */
  readonly stepRunName?: string;
  /** Default `BUBU_STEPRUN_NAMESPACE`, else the client namespace. */
  readonly namespace?: string;
  /** Only events with `seq > sinceSeq` (0: all). */
  readonly sinceSeq?: number;
}

/** One GET of the StepRun; its events with `seq > sinceSeq`, sorted by seq (`[]` when none). */
export async function replaySignals(ctx: StepRunContext | undefined, options: ReplaySignalsOptions = {}): Promise<SignalEvent[]> {
  const overrides = {
    ...(options.stepRunName !== undefined ? { name: options.stepRunName } : {}),
    ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
  };
  const target = await resolveStepRunTarget(ctx, () => new SignalsUnavailableError(), overrides);
  let stepRun: Record<string, unknown>;
  try {
    stepRun = await target.client.get(STEP_RUNS, target.namespace, target.name, {
      ...(ctx?.signal !== undefined ? { signal: ctx.signal } : {}),
    });
  } catch (err) {
    throw new Error(`failed to fetch StepRun for signal replay: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const events = ((stepRun["status"] as { signalEvents?: SignalEvent[] } | undefined)?.signalEvents ?? []);
  const since = options.sinceSeq ?? 0;
  return events.filter((e) => !(since > 0 && e.seq <= since)).sort((a, b) => a.seq - b.seq);
}
