/**
 * How a StoryRun ends once every step is final: the phase, condition reason, message, structured
 * error and output the operator writes.
 *
 * @remarks bobrapet v0.1.13 `internal/controller/runs/dag.go` `finalizeStoryRun` (a failed
 * finally step → Failed `CleanupFailed`, a failed compensation → Failed `CompensationFailed`, a
 * failed main step → `Compensated` when the Story has compensations, else Failed
 * `DependencyFailed`), `finalizeSuccessfulRun` (the output template, `outputsSchema`
 * → `OutputSchemaFailed`, an evaluation error → Failed `OutputResolutionFailed`, over 1 MiB →
 * Succeeded without output), `successMessage`, and `pkg/runs/status/storyrun.go`
 * `BuildStoryRunError`. The operator names an arbitrary failed step (map order); here the first
 * in name order.
 * @module
 */
import { goJsonByteLength } from "../json/go-json.ts";
import { schemaError } from "./schema-check.ts";
import type { JsonObject, Story } from "./types.ts";

/** How a run ended. */
export interface Outcome {
  readonly phase: string;
  readonly reason: string;
  readonly message: string;
  readonly error?: JsonObject;
  readonly output?: JsonObject;
}

/** A step's phase and message (`status.stepStates`). */
export interface StepPhase {
  readonly phase: string;
  readonly message: string;
}

const MAX_OUTPUT_BYTES = 1024 * 1024;
const DENIED = /\b(env|expandenv|getHostByName)\b/;

/** `BuildStoryRunError`. */
export function storyRunError(
  type: string,
  message: string,
  failed: ReadonlySet<string>,
  states: ReadonlyMap<string, StepPhase>,
): JsonObject {
  return {
    type,
    message,
    failedSteps: [...failed].sort().map((name) => {
      const st = states.get(name);
      return { name, ...(st ? { phase: st.phase } : {}), ...(st?.message ? { message: st.message } : {}) };
    }),
  };
}

/** The outcome when a step failed; undefined when none did. */
export function failureOutcome(
  failed: {
    readonly main: ReadonlySet<string>;
    readonly compensations: ReadonlySet<string>;
    readonly finally: ReadonlySet<string>;
  },
  hasCompensations: boolean,
  states: ReadonlyMap<string, StepPhase>,
): Outcome | undefined {
  const first = (s: ReadonlySet<string>): string => [...s].sort()[0]!;
  const fail = (phase: string, reason: string, message: string, set: ReadonlySet<string>): Outcome => ({
    phase,
    reason,
    message,
    error: storyRunError(reason, message, set, states),
  });
  if (failed.finally.size > 0)
    return fail("Failed", "CleanupFailed", `Finally step ${first(failed.finally)} failed.`, failed.finally);
  if (failed.compensations.size > 0)
    return fail(
      "Failed",
      "CompensationFailed",
      `Compensation step ${first(failed.compensations)} failed.`,
      failed.compensations,
    );
  if (failed.main.size === 0) return undefined;
  if (hasCompensations)
    return fail("Compensated", "Compensated", "Story failed; compensations completed.", failed.main);
  return fail("Failed", "DependencyFailed", `Story completed with failed step: ${first(failed.main)}.`, failed.main);
}

/** The outcome of a run whose steps all completed (`allowed`: the allowed failures, sorted). */
export async function successOutcome(
  story: Story,
  allowed: readonly string[],
  evaluate: (template: JsonObject) => Promise<JsonObject>,
): Promise<Outcome> {
  const template = story.spec.output;
  if (template === undefined) {
    const message =
      allowed.length === 0
        ? "All steps completed successfully."
        : `Completed with allowed failures: ${allowed.join(", ")}.`;
    return { phase: "Succeeded", reason: "Completed", message };
  }
  // With an output template the operator builds the message from the StoryRun as stored, where
  // it never writes the allowed failures: the message does not name them.
  const success = "All steps completed successfully.";
  const outputFailed = (message: string): Outcome => ({
    phase: "Failed",
    reason: "OutputResolutionFailed",
    message: "Failed to evaluate final output template.",
    error: { type: "OutputResolutionFailed", message },
  });
  const denied = DENIED.exec(JSON.stringify(template));
  if (denied) return outputFailed(`template expression uses disallowed function '${denied[1]}'`);
  let output: JsonObject;
  try {
    output = await evaluate(template);
  } catch (err) {
    return outputFailed(`failed to evaluate story output template: ${(err as Error).message}`);
  }
  const bad = schemaError(output, story.spec.outputsSchema, "Story outputs");
  if (bad)
    return { phase: "Failed", reason: "OutputSchemaFailed", message: `Story output failed schema validation: ${bad}` };
  if (goJsonByteLength(output) > MAX_OUTPUT_BYTES) {
    return {
      phase: "Succeeded",
      reason: "Completed",
      message: "All steps completed successfully, but the final output was too large to store.",
    };
  }
  return { phase: "Succeeded", reason: "Completed", message: success, output };
}
