/**
 * One StoryRun, scheduled the way the operator's DAG reconciler schedules it: main steps in
 * dependency order (parallel where the graph allows), then compensations if a main step failed,
 * then finally steps, then the Story output.
 *
 * @remarks bobrapet v0.1.13 `internal/controller/runs/dag.go`: `runDagIterations` (phases main →
 * compensation → finally → finalize; fail-fast by default, `policy.retries.continueOnStepFailure`
 * turns it off and skips dependents of a failed step instead; compensations are skipped when the
 * main steps succeeded), `buildStateMaps` (Succeeded and Skipped complete a step, an
 * `allowFailure` step's failure too), `findReadySteps` (`if` false → Skipped "Skipped due to 'if'
 * condition", no StepRun), `finalizeStoryRun` and `finalizeSuccessfulRun` (reasons, messages,
 * `status.error`, the Story output and `outputsSchema`, the 1 MiB output cap),
 * `enforceStoryTimeout`, the primitives in `step_executor.go` `Execute` and the `checkSync*`
 * functions (`condition` succeeds at once, `sleep` pauses for `with.duration`, `stop` ends with
 * `with.phase`, `wait` polls `with.until`, `gate` waits for a decision, `parallel` runs its
 * branches as StepRuns, `executeStory` starts a sub-StoryRun), and `storyrun_controller.go`
 * (`guardOversizedInputs` 5 KiB, `validateStoryRunInputs` with `inputsSchema` defaults).
 * Differences: an `if` that fails to evaluate fails the step here (the operator keeps the step
 * unscheduled and the StoryRun Running); the operator's wait for "stale" empty outputs
 * (`outputRefsMaybeStale`) does not exist here; with several failed steps the one named in the
 * message is the first in name order (the operator picks any); a run cancelled by SIGINT ends
 * `Canceled` without finally steps.
 * @module
 */
import { formatGoDuration, parseGoDuration } from "../env/duration.ts";
import { goJsonByteLength } from "../json/go-json.ts";
import {
  createStepRun,
  inputTooLarge,
  isTerminalPhase,
  runStepRun,
  type StepRunHost,
  type StepRunPlan,
} from "./engram-step.ts";
import { dependencies, runtimeGraphError } from "./graph.ts";
import { applySchemaDefaults, mergeWith } from "./json-merge.ts";
import { failureOutcome, type Outcome, successOutcome } from "./outcome.ts";
import { type StepDetail, stepResults } from "./report.ts";
import type { AttemptResult, StepResult, StoryRunResult } from "./result.ts";
import { stepRetrySpec } from "./retry-policy.ts";
import { engramCommand, findEngram, type RunContext, storageOn } from "./run-context.ts";
import { schemaError } from "./schema-check.ts";
import type { TemplateVars } from "./story-templates.ts";
import { priorStepOutputs, type StepRecord } from "./template-vars.ts";
import type { JsonObject, Step, Story } from "./types.ts";
import { positiveDurationError } from "./validate.ts";

/** A `status.stepStates` entry. */
interface StepState {
  phase: string;
  message: string;
  startedAt?: number;
  finishedAt?: number;
}

type Block = "steps" | "compensations" | "finally";

const DEFAULT_STEP_TIMEOUT_NS = 30n * 60n * 1_000_000_000n;
const MAX_INLINE_INPUTS = 5 * 1024;
const DENIED = /\b(env|expandenv|getHostByName)\b/;

function positiveNs(raw: string | undefined): bigint | undefined {
  if (raw === undefined || raw.trim() === "") return undefined;
  try {
    const ns = parseGoDuration(raw.trim());
    return ns > 0n ? ns : undefined;
  } catch {
    return undefined;
  }
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `Duration.Round(time.Second).String()` of a span in ms. */
function roundedDuration(ms: number): string {
  return formatGoDuration(BigInt(Math.round(ms / 1000)) * 1_000_000_000n);
}

/** Settings of {@link executeStoryRun}. */
export interface StoryRunInit {
  readonly ctx: RunContext;
  readonly story: Story;
  readonly name: string;
  /** `spec.inputs` as given. */
  readonly inputs: JsonObject;
  readonly parent?: { readonly storyRun: string; readonly step: string };
  /** Aborted when the parent run stops (default: the run's cancel signal). */
  readonly cancel?: AbortSignal;
}

/** Runs a StoryRun to its end and reports it. */
export async function executeStoryRun(init: StoryRunInit): Promise<StoryRunResult> {
  return await new StoryRunExecution(init).run();
}

class StoryRunExecution implements StepRunHost {
  readonly ctx: RunContext;
  readonly story: Story;
  readonly storyRunName: string;
  readonly namespace: string;
  readonly storage: boolean;
  /** Aborted when this run stops its work: cancel (SIGINT), its parent stopping, or its timeout. */
  readonly cancel: AbortSignal;
  readonly #stop = new AbortController();
  readonly #init: StoryRunInit;
  readonly #states = new Map<string, StepState>();
  readonly #details = new Map<string, StepDetail>();
  readonly #stepRunNames: string[] = [];
  readonly #subRecords = new Map<string, StepRecord>();
  readonly #running = new Set<Promise<void>>();
  readonly #background: Promise<unknown>[] = [];
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  readonly #keyed = new Set<string>();
  readonly #allSteps: readonly Step[];
  readonly #blockOf = new Map<string, StepResult["block"]>();
  readonly #startedAt = Date.now();
  #inputs: JsonObject = {};
  #deps: Map<string, Set<string>> | undefined;
  #dirty = false;
  #waiter: (() => void) | undefined;

  constructor(init: StoryRunInit) {
    this.#init = init;
    this.ctx = init.ctx;
    this.story = init.story;
    this.storyRunName = init.name;
    this.namespace = init.story.metadata.namespace ?? init.ctx.namespace;
    this.storage = storageOn(init.ctx, init.story);
    this.cancel = AbortSignal.any([init.cancel ?? init.ctx.cancel, this.#stop.signal]);
    const spec = init.story.spec;
    this.#allSteps = [...spec.steps, ...(spec.compensations ?? []), ...(spec.finally ?? [])];
    for (const s of spec.steps) this.#blockOf.set(s.name, "steps");
    for (const s of spec.compensations ?? []) this.#blockOf.set(s.name, "compensations");
    for (const s of spec.finally ?? []) this.#blockOf.set(s.name, "finally");
  }

  // --- the host interface for StepRuns -----------------------------------------------------

  vars(): TemplateVars {
    const records: StepRecord[] = [];
    for (const name of [...this.#stepRunNames].sort()) {
      const obj = this.ctx.api.get("stepruns", this.namespace, name);
      if (!obj) continue;
      const status = (obj.status ?? {}) as JsonObject;
      const spec = (obj.spec ?? {}) as JsonObject;
      if (typeof status.phase !== "string" || status.phase === "") continue;
      records.push({
        stepId: String(spec.stepId),
        phase: status.phase,
        ...(status.output !== undefined ? { output: status.output } : {}),
        ...(isObject(status.signals) ? { signals: status.signals } : {}),
      });
    }
    records.push(...this.#subRecords.values());
    return { inputs: this.#inputs, steps: priorStepOutputs(records) };
  }

  hasDependencies(stepId: string): boolean {
    this.#deps ??= dependencies(this.#allSteps);
    return (this.#deps.get(stepId)?.size ?? 0) > 0;
  }

  synced(stepId: string, status: JsonObject, attempt?: number): void {
    const phase = typeof status.phase === "string" ? status.phase : "";
    if (phase === "") return;
    const message = typeof status.lastFailureMsg === "string" ? status.lastFailureMsg : "";
    this.#setState(stepId, phase, message, attempt);
  }

  // --- state ------------------------------------------------------------------------------

  #setState(name: string, phase: string, message: string, attempt?: number): void {
    const prev = this.#states.get(name);
    const now = Date.now();
    const next: StepState = { phase, message, startedAt: prev?.startedAt ?? now };
    if (isTerminalPhase(phase))
      next.finishedAt = prev?.finishedAt && isTerminalPhase(prev.phase) ? prev.finishedAt : now;
    this.#states.set(name, next);
    if (prev?.phase !== phase || prev?.message !== message) {
      this.ctx.emit({
        type: "step",
        storyRun: this.storyRunName,
        step: name,
        phase,
        ...(message ? { message } : {}),
        ...(attempt ? { attempt } : {}),
        at: now,
      });
    }
    this.#wake();
  }

  #wake(): void {
    this.#dirty = true;
    const w = this.#waiter;
    this.#waiter = undefined;
    w?.();
  }

  async #changed(): Promise<void> {
    if (this.#dirty) {
      this.#dirty = false;
      return;
    }
    await new Promise<void>((r) => (this.#waiter = r));
    this.#dirty = false;
  }

  /** Wakes the loop after `ms`; with a `key`, at most one such timer is pending at a time. */
  #timer(ms: number, key?: string): void {
    if (key !== undefined) {
      if (this.#keyed.has(key)) return;
      this.#keyed.add(key);
    }
    const t = setTimeout(
      () => {
        this.#timers.delete(t);
        if (key !== undefined) this.#keyed.delete(key);
        this.#wake();
      },
      Math.max(0, Math.min(ms, 2 ** 31 - 1)),
    );
    this.#timers.add(t);
  }

  #track(name: string, work: Promise<void>): void {
    const p = work
      .catch((err) => {
        // An unexpected error in the runner itself: the step fails with it rather than hanging.
        const s = this.#states.get(name);
        if (!s || !isTerminalPhase(s.phase))
          this.#setState(name, "Failed", `local runner error: ${(err as Error)?.message ?? String(err)}`);
      })
      .finally(() => {
        this.#running.delete(p);
        this.#wake();
      });
    this.#running.add(p);
  }

  /** `buildStateMaps`. */
  #maps(steps: readonly Step[]): {
    completed: Set<string>;
    running: Set<string>;
    failed: Set<string>;
    allowed: Set<string>;
  } {
    const completed = new Set<string>();
    const running = new Set<string>();
    const failed = new Set<string>();
    const allowed = new Set<string>();
    for (const s of steps) {
      const st = this.#states.get(s.name);
      if (!st) continue;
      if (st.phase === "Succeeded" || st.phase === "Skipped") completed.add(s.name);
      else if (st.phase === "Running" || st.phase === "Pending" || st.phase === "Paused") running.add(s.name);
      else if (isTerminalPhase(st.phase)) {
        if (s.allowFailure === true) {
          completed.add(s.name);
          allowed.add(s.name);
        } else failed.add(s.name);
      }
    }
    return { completed, running, failed, allowed };
  }

  #failFast(): boolean {
    const c = this.story.spec.policy?.retries?.continueOnStepFailure;
    return c === undefined ? true : !c;
  }

  // --- the run ----------------------------------------------------------------------------

  async run(): Promise<StoryRunResult> {
    this.ctx.emit({
      type: "run",
      storyRun: this.storyRunName,
      story: this.story.metadata.name,
      phase: "Running",
      ...(this.#init.parent ? { parent: this.#init.parent } : {}),
      at: Date.now(),
    });
    const early = this.#admit();
    if (early) return await this.#finish(early);
    const timeoutNs = positiveNs(this.story.spec.policy?.timeouts?.story);
    const deadline = timeoutNs === undefined ? undefined : this.#startedAt + Number(timeoutNs / 1_000_000n);
    if (deadline !== undefined) this.#timer(deadline - Date.now());
    const onCancel = (): void => this.#wake();
    this.cancel.addEventListener("abort", onCancel);
    try {
      for (;;) {
        if (this.cancel.aborted)
          return await this.#finish(
            await this.#stopAll("Canceled", "Canceled", "StoryRun canceled: the local run was interrupted."),
          );
        if (deadline !== undefined && Date.now() >= deadline) {
          const message = `StoryRun exceeded timeout of ${formatGoDuration(timeoutNs!)}.`;
          return await this.#finish(await this.#stopAll("Timeout", "TimedOut", message, { type: "TimedOut", message }));
        }
        const end = await this.#pass();
        if (end) return await this.#finish(end);
        if (this.#running.size === 0 && this.#timers.size === 0 && !this.#dirty) {
          // Nothing runs and nothing can start: report instead of waiting forever.
          const waiting = this.#allSteps
            .filter((s) => !isTerminalPhase(this.#states.get(s.name)?.phase))
            .map((s) => s.name);
          const message = `no step can start: ${waiting.join(", ")} wait for steps that will not complete`;
          return await this.#finish({
            phase: "Failed",
            reason: "InvalidConfiguration",
            message,
            error: { type: "InvalidConfiguration", message },
          });
        }
        await this.#changed();
      }
    } finally {
      this.cancel.removeEventListener("abort", onCancel);
      for (const t of this.#timers) clearTimeout(t);
      this.#timers.clear();
      this.#keyed.clear();
    }
  }

  /** Inputs and graph checks before any step (`guardOversizedInputs`, `validateStoryRunInputs`, `validateRuntimeDependencyGraph`). */
  #admit(): Final | undefined {
    const given = this.#init.inputs;
    const size = goJsonByteLength(given);
    if (Object.keys(given).length > 0 && size > MAX_INLINE_INPUTS) {
      return {
        phase: "Failed",
        reason: "InputTooLarge",
        message: `spec.inputs size ${size} bytes exceeds maximum of ${MAX_INLINE_INPUTS}`,
      };
    }
    const schema = this.story.spec.inputsSchema;
    this.#inputs = applySchemaDefaults(schema, given);
    if (schema !== undefined) {
      const bad = schemaError(this.#inputs, schema, "Story inputs");
      if (bad)
        return {
          phase: "Failed",
          reason: "InputSchemaFailed",
          message: `StoryRun inputs failed schema validation: ${bad}`,
        };
    }
    const graph = runtimeGraphError(this.#allSteps);
    if (graph) {
      const message = `Invalid story dependency graph: ${graph}`;
      return {
        phase: "Failed",
        reason: "InvalidConfiguration",
        message,
        error: { type: "InvalidConfiguration", message },
      };
    }
    return undefined;
  }

  /** One `runDagIterations`: returns the final state once the run is over. */
  async #pass(): Promise<Final | undefined> {
    const spec = this.story.spec;
    for (let i = 0; i < this.#allSteps.length + 1; i++) {
      await this.#syncPrimitives();
      let main = this.#maps(spec.steps);
      if (this.#failFast() && main.failed.size > 0) {
        for (const s of spec.steps) {
          if (
            main.completed.has(s.name) ||
            main.running.has(s.name) ||
            isTerminalPhase(this.#states.get(s.name)?.phase)
          )
            continue;
          this.#setState(s.name, "Skipped", "Skipped due to fail-fast policy");
        }
        main = this.#maps(spec.steps);
      }
      const mainDone = main.completed.size + main.failed.size === spec.steps.length;
      const comps = spec.compensations ?? [];
      const fin = spec.finally ?? [];
      if (mainDone && main.failed.size === 0) {
        for (const s of comps)
          if (!this.#states.has(s.name)) this.#setState(s.name, "Skipped", "Skipped because story succeeded");
      }
      const comp = this.#maps(comps);
      const final = this.#maps(fin);
      const compDone = comps.length === 0 || comp.completed.size + comp.failed.size === comps.length;
      const finalDone = fin.length === 0 || final.completed.size + final.failed.size === fin.length;
      let block: Block;
      if (!mainDone) block = "steps";
      else if (main.failed.size > 0 && comps.length > 0 && !compDone) block = "compensations";
      else if (fin.length > 0 && !finalDone) block = "finally";
      else {
        // Background sub-runs (`waitForCompletion: false`) are awaited only before reporting.
        if (this.#running.size > 0) return undefined;
        return await this.#finalize(main.failed, comp.failed, final.failed);
      }
      const list = block === "steps" ? spec.steps : block === "compensations" ? comps : fin;
      const all = this.#maps(this.#allSteps);
      const launched = await this.#launchReady(list, all.completed, all.running, {
        allowFailed: block !== "steps",
        skipOnFailed: block === "steps" && !this.#failFast(),
      });
      if (!launched) break;
    }
    return undefined;
  }

  /** `findReadySteps` + `findAndLaunchReadySteps`; true when something was launched or skipped. */
  async #launchReady(
    list: readonly Step[],
    completed: Set<string>,
    running: Set<string>,
    policy: { allowFailed: boolean; skipOnFailed: boolean },
  ): Promise<boolean> {
    const deps = dependencies(list);
    let vars: TemplateVars | undefined;
    let progress = false;
    const limit = this.story.spec.policy?.concurrency ?? 0;
    for (const step of list) {
      if (completed.has(step.name) || running.has(step.name) || isTerminalPhase(this.#states.get(step.name)?.phase))
        continue;
      let met = true;
      let failedDep: string | undefined;
      for (const dep of deps.get(step.name) ?? []) {
        if (completed.has(dep)) continue;
        const st = this.#states.get(dep);
        if (policy.allowFailed && isTerminalPhase(st?.phase)) continue;
        if (policy.skipOnFailed && isTerminalPhase(st?.phase) && st!.phase !== "Succeeded" && st!.phase !== "Skipped") {
          failedDep = dep;
          break;
        }
        met = false;
        break;
      }
      if (failedDep !== undefined) {
        this.#setState(step.name, "Skipped", `Skipped due to failed dependency: ${failedDep}`);
        progress = true;
        continue;
      }
      if (!met) continue;
      vars ??= this.vars();
      if (step.if !== undefined && step.if.trim() !== "") {
        const denied = DENIED.exec(step.if);
        if (denied) {
          this.#setState(step.name, "Failed", `template expression uses disallowed function '${denied[1]}'`);
          progress = true;
          continue;
        }
        let result: boolean;
        try {
          result = await this.ctx.templates.condition(`the 'if' of step '${step.name}'`, step.if, vars);
        } catch (err) {
          this.#setState(step.name, "Failed", `'if' condition evaluation failed: ${(err as Error).message}`);
          progress = true;
          continue;
        }
        if (!result) {
          this.#setState(step.name, "Skipped", "Skipped due to 'if' condition");
          progress = true;
          continue;
        }
      }
      if (limit > 0 && step.ref !== undefined && this.#runningEngrams() >= limit) continue;
      await this.#execute(step, vars);
      progress = true;
    }
    return progress;
  }

  #runningEngrams(): number {
    let n = 0;
    for (const s of this.#allSteps) {
      const st = this.#states.get(s.name);
      if (s.ref !== undefined && st && !isTerminalPhase(st.phase)) n++;
    }
    return n;
  }

  /** `StepExecutor.Execute`. */
  async #execute(step: Step, vars: TemplateVars): Promise<void> {
    const block = this.#blockOf.get(step.name) ?? "steps";
    if (step.ref !== undefined) return this.#engramStep(step, block);
    this.#details.set(step.name, { kind: step.type!, block });
    const w = (step.with ?? {}) as JsonObject;
    switch (step.type) {
      case "condition":
        return this.#setState(step.name, "Succeeded", "Primitive evaluated and outputs are available.");
      case "sleep":
        return this.#setState(step.name, "Paused", "Sleeping.");
      case "wait":
        return this.#setState(step.name, "Paused", "Waiting for condition.");
      case "gate":
        return this.#setState(step.name, "Paused", "Waiting for gate decision.");
      case "stop": {
        const phase = typeof w.phase === "string" && w.phase !== "" ? w.phase : "Succeeded";
        const message =
          typeof w.message === "string" && w.message !== ""
            ? w.message
            : `Story execution stopped by step '${step.name}' with phase '${phase}'`;
        return this.#setState(step.name, phase, message);
      }
      case "parallel":
        return this.#parallel(step, vars);
      case "executeStory":
        return this.#executeStory(step, vars);
      default:
        return this.#setState(
          step.name,
          "Failed",
          `step '${step.name}' has an unsupported type '${step.type}' or is missing a 'ref'`,
        );
    }
  }

  #timeoutNs(step: Step): bigint {
    return (
      positiveNs(step.execution?.timeout) ??
      positiveNs(this.story.spec.policy?.timeouts?.step) ??
      DEFAULT_STEP_TIMEOUT_NS
    );
  }

  #plan(
    step: Step,
    stepId: string,
    stepRunName: string,
    input: JsonObject | undefined,
    attempts: AttemptResult[],
  ): StepRunPlan | string {
    const resolved = findEngram(this.ctx.resources, this.story, step, this.namespace);
    const command = engramCommand(this.ctx, resolved);
    if (!command) return `no command for Engram '${resolved.engram.metadata.name}' in the engram map`;
    return {
      stepId,
      stepRunName,
      step,
      resolved,
      command,
      input,
      retry: stepRetrySpec(this.story, step, resolved.template),
      timeoutNs: this.#timeoutNs(step),
      maxInlineSize: step.execution?.maxInlineSize ?? 4096,
      attempts,
    };
  }

  #stepRunName(...parts: string[]): string {
    const base = [this.storyRunName, ...parts].join("-");
    return base.length <= 63 ? base : `${base.slice(0, 54).replace(/-+$/, "")}-${hash8(base)}`;
  }

  /** `executeEngramStep` → `createEngramStepRun`, then the StepRun runs. */
  #engramStep(step: Step, block: StepResult["block"]): void {
    const attempts: AttemptResult[] = [];
    const stepRunName = this.#stepRunName(step.name);
    this.#details.set(step.name, { kind: "engram", block, stepRunName, attempts });
    const resolved = findEngram(this.ctx.resources, this.story, step, this.namespace);
    const input = mergeWith(resolved.engram.spec.with, step.with);
    const plan = this.#plan(step, step.name, stepRunName, input, attempts);
    if (typeof plan === "string") return this.#setState(step.name, "Failed", plan);
    const tooLarge = inputTooLarge(plan);
    if (tooLarge) return this.#setState(step.name, "Failed", tooLarge);
    createStepRun(this, plan);
    this.#stepRunNames.push(stepRunName);
    this.#setState(step.name, "Running", "");
    this.#track(step.name, runStepRun(this, plan));
  }

  /** `executeParallelStep`: each branch becomes a StepRun with its `with` evaluated now. */
  async #parallel(step: Step, vars: TemplateVars): Promise<void> {
    const branches = Array.isArray((step.with as JsonObject | undefined)?.steps)
      ? ((step.with as JsonObject).steps as Step[])
      : [];
    const names: string[] = [];
    const plans: StepRunPlan[] = [];
    for (const branch of branches) {
      let input: JsonObject | undefined;
      try {
        input =
          branch.with === undefined
            ? undefined
            : (
                await this.ctx.templates.resolveWith(
                  `branch '${branch.name}' of step '${step.name}'`,
                  branch.with,
                  vars,
                )
              ).value;
      } catch (err) {
        return this.#setState(
          step.name,
          "Failed",
          `failed to resolve 'with' for parallel branch '${branch.name}' in step '${step.name}': ${(err as Error).message}`,
        );
      }
      const attempts: AttemptResult[] = [];
      const stepRunName = this.#stepRunName(step.name, branch.name);
      const plan = this.#plan(branch, branch.name, stepRunName, input, attempts);
      if (typeof plan === "string")
        return this.#setState(
          step.name,
          "Failed",
          `parallel step '${step.name}' branch '${branch.name}' rejected: ${plan}`,
        );
      this.#details.set(branch.name, { kind: "branch", block: "parallel", stepRunName, attempts });
      names.push(branch.name);
      plans.push(plan);
    }
    this.#details.set(step.name, { kind: "parallel", block: this.#blockOf.get(step.name) ?? "steps", branches: names });
    for (const plan of plans) {
      createStepRun(this, plan);
      this.#stepRunNames.push(plan.stepRunName);
    }
    this.#setState(step.name, "Running", "Parallel block expanded");
    for (const plan of plans) this.#track(plan.stepId, runStepRun(this, plan));
  }

  /** `executeStoryStep`: a sub-StoryRun with the evaluated `with.with` over the target's `policy.with`. */
  async #executeStory(step: Step, vars: TemplateVars): Promise<void> {
    const w = step.with as JsonObject;
    const ref = w.storyRef as JsonObject;
    const target = this.ctx.resources.stories.find(
      (s) =>
        s.metadata.name === ref.name &&
        (ref.namespace === undefined || (s.metadata.namespace ?? this.ctx.namespace) === ref.namespace),
    );
    if (!target)
      return this.#setState(
        step.name,
        "Failed",
        `story step '${step.name}' references Story '${String(ref.name)}', which was not given`,
      );
    const wait = typeof w.waitForCompletion === "boolean" ? w.waitForCompletion : true;
    let inputs: JsonObject = {};
    try {
      const merged = mergeWith(target.spec.policy?.with, isObject(w.with) ? w.with : undefined);
      if (merged !== undefined)
        inputs = (await this.ctx.templates.resolveWith(`the 'with' of story step '${step.name}'`, merged, vars)).value;
    } catch (err) {
      return this.#setState(
        step.name,
        "Failed",
        `failed to resolve 'with' block for story step '${step.name}': ${(err as Error).message}`,
      );
    }
    const name = this.#stepRunName(step.name);
    const detail: StepDetail = { kind: "executeStory", block: this.#blockOf.get(step.name) ?? "steps" };
    this.#details.set(step.name, detail);
    const sub = executeStoryRun({
      ctx: this.ctx,
      story: target,
      name,
      inputs,
      parent: { storyRun: this.storyRunName, step: step.name },
      cancel: this.cancel,
    }).then((result) => {
      detail.subStoryRun = result;
      if (wait) {
        if (result.phase === "Succeeded" && result.output !== undefined)
          this.#subRecords.set(step.name, {
            stepId: step.name,
            phase: "Succeeded",
            output: result.output,
            subStory: true,
          });
        this.#setState(
          step.name,
          result.phase,
          result.message || `Sub-story run '${name}' completed with phase ${result.phase}`,
        );
      }
    });
    if (wait) {
      this.#setState(step.name, "Running", `Waiting for sub-story run '${name}' to complete`);
      this.#track(step.name, sub);
    } else {
      this.#setState(step.name, "Succeeded", `Launched sub-story run '${name}'`);
      this.#background.push(sub);
    }
  }

  /** `checkSyncSleepSteps`, `checkSyncWaitSteps`, `checkSyncGates`, `checkSyncParallelSteps`. */
  async #syncPrimitives(): Promise<void> {
    const now = Date.now();
    for (const step of this.#allSteps) {
      const st = this.#states.get(step.name);
      if (!st || isTerminalPhase(st.phase)) continue;
      const w = (step.with ?? {}) as JsonObject;
      switch (step.type) {
        case "sleep": {
          // `parseSleepConfig`: a duration that is not a positive Go duration fails the step here.
          if (w.duration !== undefined && typeof w.duration !== "string") {
            this.#setState(
              step.name,
              "Failed",
              `step '${step.name}' has invalid 'with' for sleep: json: cannot unmarshal ${Array.isArray(w.duration) ? "array" : typeof w.duration} into Go struct field .duration of type string`,
            );
            break;
          }
          if (typeof w.duration === "string" && w.duration.trim() !== "") {
            const bad = positiveDurationError(w.duration);
            if (bad) {
              this.#setState(step.name, "Failed", `step '${step.name}' has invalid sleep duration: ${bad}`);
              break;
            }
          }
          const ns = typeof w.duration === "string" ? positiveNs(w.duration) : undefined;
          const until = (st.startedAt ?? now) + (ns === undefined ? 0 : Number(ns / 1_000_000n));
          if (now >= until) this.#setState(step.name, "Succeeded", "Sleep completed.");
          else if (st.message === "Sleeping.") {
            this.#setState(step.name, "Paused", `Sleeping for ${formatGoDuration(ns!)}.`);
            this.#timer(until - now, `sleep:${step.name}`);
          }
          break;
        }
        case "wait":
          await this.#syncWait(step, st, w, now);
          break;
        case "gate": {
          const decision = this.ctx.gateDecisions[step.name];
          if (decision === "approve") this.#setState(step.name, "Succeeded", "Gate approved.");
          else if (decision === "reject") this.#setState(step.name, "Failed", "Gate rejected.");
          else this.#timedOut("gate", step, st, w, now);
          break;
        }
        case "parallel": {
          const branches = this.#details.get(step.name)?.branches;
          if (!branches) break;
          const allow = new Set(((w.steps ?? []) as Step[]).filter((b) => b.allowFailure === true).map((b) => b.name));
          const states = branches.map((b) => this.#states.get(b));
          if (!states.every((s) => s && isTerminalPhase(s.phase))) break;
          const failed = branches.filter(
            (b, i) => !["Succeeded", "Skipped"].includes(states[i]!.phase) && !allow.has(b),
          );
          const allowedFailures = branches.filter(
            (b, i) => !["Succeeded", "Skipped"].includes(states[i]!.phase) && allow.has(b),
          );
          if (failed.length > 0) this.#setState(step.name, "Failed", `Parallel branches failed: ${failed.join(", ")}`);
          else
            this.#setState(
              step.name,
              "Succeeded",
              allowedFailures.length > 0
                ? "Parallel branches completed with allowed failures."
                : "Parallel branches completed.",
            );
          break;
        }
      }
    }
  }

  async #syncWait(step: Step, st: StepState, w: JsonObject, now: number): Promise<void> {
    const until = typeof w.until === "string" ? w.until : "";
    let ok = false;
    let failure = "";
    try {
      ok = await this.ctx.templates.condition(`the 'until' of wait step '${step.name}'`, until, this.vars());
    } catch (err) {
      // The operator keeps waiting on an evaluation error; the message says why here.
      failure = ` (evaluation failed: ${(err as Error).message})`;
    }
    if (ok) return this.#setState(step.name, "Succeeded", "Wait condition satisfied.");
    if (this.#timedOut("wait", step, st, w, now)) return;
    const message = `Waiting for condition.${failure}`;
    if (st.message !== message) this.#setState(step.name, "Paused", message);
    const poll = typeof w.pollInterval === "string" ? positiveNs(w.pollInterval) : undefined;
    this.#timer(poll === undefined ? 1000 : Number(poll / 1_000_000n), `poll:${step.name}`);
  }

  /** Applies a wait/gate `timeout` (`onTimeout`: fail → Timeout, skip → Skipped); true when it fired. */
  #timedOut(kind: "wait" | "gate", step: Step, st: StepState, w: JsonObject, now: number): boolean {
    const ns = typeof w.timeout === "string" ? positiveNs(w.timeout) : undefined;
    if (ns === undefined) return false;
    const at = (st.startedAt ?? now) + Number(ns / 1_000_000n);
    if (now < at) {
      this.#timer(at - now, `timeout:${step.name}`);
      return false;
    }
    const skip = typeof w.onTimeout === "string" && w.onTimeout.trim().toLowerCase() === "skip";
    this.#setState(
      step.name,
      skip ? "Skipped" : "Timeout",
      skip ? `${kind} step timed out and was skipped.` : `${kind} step timed out.`,
    );
    return true;
  }

  /** Stops everything still running (timeout or cancel) and reports `phase`. */
  async #stopAll(phase: string, reason: string, message: string, error?: JsonObject): Promise<Final> {
    this.#stop.abort();
    await Promise.all([...this.#running]);
    return { phase, reason, message, ...(error ? { error } : {}) };
  }

  /** `finalizeStoryRun` / `finalizeSuccessfulRun`. */
  async #finalize(mainFailed: Set<string>, compFailed: Set<string>, finalFailed: Set<string>): Promise<Final> {
    const failed = failureOutcome(
      { main: mainFailed, compensations: compFailed, finally: finalFailed },
      (this.story.spec.compensations ?? []).length > 0,
      this.#states,
    );
    return (
      failed ??
      (await successOutcome(this.story, this.#allowedFailures(), (template) =>
        this.ctx.templates.output(template, this.vars()),
      ))
    );
  }

  #allowedFailures(): string[] {
    return this.#allSteps
      .filter((s) => s.allowFailure === true)
      .map((s) => s.name)
      .filter((n) => {
        const p = this.#states.get(n)?.phase;
        return isTerminalPhase(p) && p !== "Succeeded" && p !== "Skipped";
      })
      .sort();
  }

  async #finish(final: Final): Promise<StoryRunResult> {
    // Sub-runs started without waiting still belong to this run's report.
    await Promise.allSettled(this.#background);
    const finishedAt = Date.now();
    const steps = stepResults(this.#allSteps, this.#states, this.#details, this.#blockOf, (name) =>
      this.ctx.api.get("stepruns", this.namespace, name),
    );
    const allowed = this.#allowedFailures();
    const result: StoryRunResult = {
      name: this.storyRunName,
      namespace: this.namespace,
      story: {
        name: this.story.metadata.name,
        namespace: this.namespace,
        version: (this.story.spec.version ?? "").trim(),
      },
      inputs: this.#inputs,
      phase: final.phase,
      reason: final.reason,
      message: final.message,
      ...(final.error ? { error: final.error } : {}),
      ...(final.output !== undefined ? { output: final.output } : {}),
      ...(allowed.length > 0 ? { allowedFailures: allowed } : {}),
      startedAt: new Date(this.#startedAt).toISOString(),
      finishedAt: new Date(finishedAt).toISOString(),
      duration: roundedDuration(finishedAt - this.#startedAt),
      durationMs: finishedAt - this.#startedAt,
      steps,
      warnings: [...this.ctx.warnings, ...this.ctx.templates.notes],
      workDir: this.ctx.workDir,
    };
    this.ctx.emit({
      type: "run",
      storyRun: this.storyRunName,
      story: this.story.metadata.name,
      phase: final.phase,
      message: final.message,
      ...(this.#init.parent ? { parent: this.#init.parent } : {}),
      at: finishedAt,
    });
    return result;
  }
}

type Final = Outcome;

/** 8 hex digits of a string's FNV-1a hash (a stable suffix for shortened names). */
function hash8(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}
