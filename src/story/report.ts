/**
 * The per-step part of a run's report: each step's state, and for Engram steps the StepRun as
 * the runner's API holds it and every attempt, in Story order (parallel branches after their step).
 * @module
 */
import type { AttemptResult, StepResult, StoryRunResult } from "./result.ts";
import type { JsonObject, Step } from "./types.ts";

/** A step's state with its times (ms since the epoch). */
export interface TimedStepState {
  readonly phase: string;
  readonly message: string;
  readonly startedAt?: number;
  readonly finishedAt?: number;
}

/** What the run knows of a step beyond its state. */
export interface StepDetail {
  kind: StepResult["kind"];
  block: StepResult["block"];
  stepRunName?: string;
  attempts?: AttemptResult[];
  branches?: string[];
  subStoryRun?: StoryRunResult;
}

/** The `steps` of the report. `stepRun` reads a StepRun object by name. */
export function stepResults(
  steps: readonly Step[],
  states: ReadonlyMap<string, TimedStepState>,
  details: ReadonlyMap<string, StepDetail>,
  blockOf: ReadonlyMap<string, StepResult["block"]>,
  stepRun: (name: string) => JsonObject | undefined,
): Record<string, StepResult> {
  const order: string[] = [];
  for (const s of steps) {
    order.push(s.name);
    for (const b of details.get(s.name)?.branches ?? []) order.push(b);
  }
  const out: Record<string, StepResult> = {};
  for (const name of order) {
    const st = states.get(name);
    const d = details.get(name);
    const step = steps.find((s) => s.name === name);
    const run = d?.stepRunName ? stepRun(d.stepRunName) : undefined;
    const status = (run?.status ?? {}) as JsonObject;
    out[name] = {
      name,
      kind: d?.kind ?? (step?.ref !== undefined ? "engram" : (step?.type ?? "branch")),
      block: d?.block ?? blockOf.get(name) ?? "parallel",
      phase: st?.phase ?? "",
      ...(st?.message ? { message: st.message } : {}),
      ...(st?.startedAt ? { startedAt: new Date(st.startedAt).toISOString() } : {}),
      ...(st?.finishedAt
        ? {
            finishedAt: new Date(st.finishedAt).toISOString(),
            durationMs: st.finishedAt - (st.startedAt ?? st.finishedAt),
          }
        : {}),
      ...(run ? { stepRun: run } : {}),
      ...(d?.attempts ? { attempts: d.attempts } : {}),
      ...(status.output !== undefined ? { output: status.output } : {}),
      ...(status.error !== undefined ? { error: status.error } : {}),
      ...(d?.branches ? { branches: d.branches } : {}),
      ...(d?.subStoryRun ? { subStoryRun: d.subStoryRun } : {}),
    };
  }
  return out;
}
