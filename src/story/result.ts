/**
 * What a local run reports: a StoryRun-like record whose parts line up with what the operator
 * writes, so a run here can be compared step by step with the same Story in a cluster —
 * `phase`/`message`/`error`/`output` as in `StoryRun.status`, `steps` as in
 * `status.stepStates`, and for each Engram step the StepRun as the SDK left it
 * (`stepRun.status`) and the environment of every attempt (the Job pod's env).
 * @module
 */
import type { JsonObject, StepType } from "./types.ts";

/** One process run of an Engram step (one Job pod in a cluster). */
export interface AttemptResult {
  /** 1 for the first run, 2 for the first retry, … */
  readonly attempt: number;
  readonly podName: string;
  /** The operator's variables given to the process (`BUBU_*`), in the Job's order. */
  readonly env: Readonly<Record<string, string>>;
  readonly command: readonly string[];
  readonly exitCode: number;
  /** The signal that ended the process, if any. */
  readonly signal?: string;
  /** Why the runner stopped it: the Job deadline (timeout + 2m) or a cancel. */
  readonly stoppedBy?: "deadline" | "cancel";
  /** The process could not start. */
  readonly spawnError?: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  /** The StepRun phase the process left (empty when it wrote none). */
  readonly statusPhase: string;
  /** Where its stdout and stderr were written. */
  readonly logFile: string;
}

/** One step of the run (a `status.stepStates` entry, plus detail). */
export interface StepResult {
  readonly name: string;
  /** `engram` for a step with `ref`, else its `type`; `branch` for a parallel branch. */
  readonly kind: "engram" | "branch" | StepType;
  /** Which list the step is in. */
  readonly block: "steps" | "compensations" | "finally" | "parallel";
  readonly phase: string;
  readonly message?: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly durationMs?: number;
  /** Engram steps: the StepRun object as the runner's API holds it. */
  readonly stepRun?: JsonObject;
  /** Engram steps: every process run, in order. */
  readonly attempts?: readonly AttemptResult[];
  /** `stepRun.status.output` (may hold `$bubuStorageRef`s). */
  readonly output?: unknown;
  /** `stepRun.status.error` (the SDK's structured error). */
  readonly error?: unknown;
  /** Parallel steps: the branch names. */
  readonly branches?: readonly string[];
  /** `executeStory` steps: the sub-run. */
  readonly subStoryRun?: StoryRunResult;
}

/** The whole run. */
export interface StoryRunResult {
  readonly name: string;
  readonly namespace: string;
  readonly story: { readonly name: string; readonly namespace: string; readonly version: string };
  /** The StoryRun inputs with the Story's `inputsSchema` defaults. */
  readonly inputs: JsonObject;
  /** `status.phase`: Succeeded, Failed, Timeout, Compensated or Canceled. */
  readonly phase: string;
  /** The condition reason the operator gives (`Completed`, `DependencyFailed`, …). */
  readonly reason: string;
  readonly message: string;
  /** `status.error`: `{type, message, failedSteps?}`. */
  readonly error?: JsonObject;
  readonly output?: JsonObject;
  /**
   * The steps whose failure `allowFailure` let pass. The operator (v0.1.13) computes the same list
   * but never stores it, so a cluster's `status.allowedFailures` stays empty.
   */
  readonly allowedFailures?: readonly string[];
  readonly startedAt: string;
  readonly finishedAt: string;
  /** As the operator writes `status.duration` (Go duration rounded to seconds). */
  readonly duration: string;
  readonly durationMs: number;
  /** Main, compensation and finally steps (and parallel branches), in Story order. */
  readonly steps: Readonly<Record<string, StepResult>>;
  /** Where the run differs from a cluster run, or what it assumed (missing Engram objects, …). */
  readonly warnings: readonly string[];
  /** Where logs, the kubeconfig and file storage were (removed at the end unless kept). */
  readonly workDir: string;
}

/** The phase → process exit code of the CLI: 0 Succeeded, 130 canceled, 1 otherwise. */
export function exitCodeFor(result: Pick<StoryRunResult, "phase">): number {
  if (result.phase === "Succeeded") return 0;
  if (result.phase === "Canceled") return 130;
  return 1;
}
