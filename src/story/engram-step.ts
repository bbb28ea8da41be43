/**
 * One Engram step (or parallel branch) as its StepRun lives through it: the StepRun is created
 * in the runner's API, each attempt evaluates the input, builds the pod environment and runs the
 * engram's command, the SDK in the process writes the StepRun status, and the runner then does
 * what the StepRun controller does with a finished Job: keep a final status the SDK wrote, mark
 * success for a clean exit without one, retry a retryable exit, or fail.
 *
 * @remarks bobrapet v0.1.13 `internal/controller/runs/steprun_controller.go`:
 * `reconcileJobExecution`, `createJobForStep`/`prepareExecutionContext`
 * (`resolveRunScopedInputs` for `BUBU_TRIGGER_DATA`, `evaluateStepConfig` for
 * `BUBU_STEP_CONFIG`, EngramTemplate `inputSchema` defaults and validation → `InputSchemaFailed`,
 * `checkRequiresContext`), `computeStepTimeout` (step `execution.timeout`, else the Story's
 * `policy.timeouts.step`, else 30m), the Job's `activeDeadlineSeconds` (timeout + 2m),
 * `handleJobSucceeded`/`handleJobFailed`/`applyFailureFallback` and the terminal-phase short
 * cut in `Reconcile` (so `postExecution` only runs when the SDK wrote no final status).
 * A `with` that reads a key a finished dependency did not produce fails the StepRun with the
 * reason in its `Ready` condition only (`shouldFailBlockedStep`, `setStepRunPhase`).
 * Differences: where the operator keeps a StepRun Pending and requeues forever (any other
 * template that fails to evaluate, a missing key in a step without dependencies, an invalid step
 * config), the runner fails the step with the error in `lastFailureMsg`; a
 * cancelled run stops the process and marks a StepRun the SDK left open `Canceled`.
 * @module
 */

import { pause } from "../async/sleep.ts";
import { formatGoMillis } from "../env/duration.ts";
import { goJsonByteLength, goJsonStringify } from "../json/go-json.ts";
import { EvaluationBlockedError } from "../templating/errors.ts";
import type { EngramCommand } from "./engram-commands.ts";
import { applySchemaDefaults } from "./json-merge.ts";
import type { AttemptResult } from "./result.ts";
import { classifyExitCode, isRetryableExitClass, resolveRetryPolicy, retryDelayMs } from "./retry-policy.ts";
import { baseProcessEnv, type ResolvedEngram, type RunContext } from "./run-context.ts";
import { schemaError } from "./schema-check.ts";
import { rfc3339Nano, stepEnv } from "./step-env.ts";
import type { TemplateVars } from "./story-templates.ts";
import { templateContextPayload } from "./template-vars.ts";
import type { JsonObject, RetryPolicy, Step, Story } from "./types.ts";

const TERMINAL = new Set([
  "Succeeded",
  "Failed",
  "Finished",
  "Canceled",
  "Compensated",
  "Timeout",
  "Aborted",
  "Skipped",
]);

/** Whether a phase is final (`enums.Phase.IsTerminal`). */
export function isTerminalPhase(phase: string | undefined): boolean {
  return phase !== undefined && TERMINAL.has(phase);
}

/** What the StoryRun this StepRun belongs to provides. */
export interface StepRunHost {
  readonly ctx: RunContext;
  readonly story: Story;
  readonly storyRunName: string;
  readonly namespace: string;
  readonly storage: boolean;
  /** Aborted when the StoryRun stops its work (cancel, or its timeout). */
  readonly cancel: AbortSignal;
  /** Fresh `{inputs, steps}`. */
  vars(): TemplateVars;
  /**
   * Whether `stepId` is a step of the Story with dependencies (`needs` or implicit). Its
   * dependencies are then final: a step starts only after them.
   */
  hasDependencies(stepId: string): boolean;
  /** The StepRun's status changed: mirror it into the StoryRun's step state. */
  synced(stepId: string, status: JsonObject, attempt?: number): void;
}

/** Everything needed to run one StepRun. */
export interface StepRunPlan {
  readonly stepId: string;
  readonly stepRunName: string;
  readonly step: Step;
  readonly resolved: ResolvedEngram;
  readonly command: EngramCommand;
  /** `spec.input`: the merged `with`, unevaluated (parallel branches: already evaluated). */
  readonly input: JsonObject | undefined;
  readonly retry: RetryPolicy | undefined;
  readonly timeoutNs: bigint;
  readonly maxInlineSize: number;
  /** Attempts are appended here as they end. */
  readonly attempts: AttemptResult[];
}

const RESOURCE = "stepruns";
/** The message of a StepRun the runner stopped (the SDK wrote no final status). */
const STOPPED = "stopped by the local runner: the StoryRun was canceled or timed out";

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, "Z");
}

/**
 * `maybeOffloadStepRunInput`: the error that keeps the StoryRun controller from creating the
 * StepRun of an Engram step whose merged `with` is over the inline limit (0 turns the check off).
 */
export function inputTooLarge(plan: Pick<StepRunPlan, "input" | "maxInlineSize" | "stepRunName">): string | undefined {
  if (plan.input === undefined || plan.maxInlineSize <= 0) return undefined;
  const size = goJsonByteLength(plan.input);
  if (size <= plan.maxInlineSize) return undefined;
  return `step input for ${plan.stepRunName} is ${size} bytes which exceeds the max inline limit of ${plan.maxInlineSize} bytes; increase engram.default-max-inline-size in the operator ConfigMap or set execution.maxInlineSize on the step`;
}

/** Creates the StepRun object (phase Pending), as the StoryRun controller does. */
export function createStepRun(
  host: StepRunHost,
  plan: Pick<StepRunPlan, "stepId" | "stepRunName" | "step" | "input" | "retry" | "resolved">,
): JsonObject {
  const step = plan.step;
  return host.ctx.api.create(RESOURCE, host.namespace, {
    apiVersion: "runs.bubustack.io/v1alpha1",
    kind: "StepRun",
    metadata: {
      name: plan.stepRunName,
      labels: { "bubustack.io/storyrun": host.storyRunName, "bubustack.io/story-name": host.story.metadata.name },
      creationTimestamp: now(),
    },
    spec: {
      storyRunRef: { name: host.storyRunName },
      stepId: plan.stepId,
      ...(step.ref ? { engramRef: step.ref } : {}),
      ...(plan.input !== undefined ? { input: plan.input } : {}),
      ...(step.execution?.timeout ? { timeout: step.execution.timeout } : {}),
      ...(plan.retry ? { retry: plan.retry } : {}),
    },
    // `retries` is not omitempty in the operator's StepRun status: it is there from the first write.
    status: { phase: "Pending", retries: 0 },
  });
}

function setStatus(host: StepRunHost, plan: StepRunPlan, patch: JsonObject, attempt?: number): JsonObject {
  const obj = host.ctx.api.setStatus(RESOURCE, host.namespace, plan.stepRunName, (s) => {
    const next: JsonObject = { ...s };
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) delete next[k];
      else next[k] = v;
    }
    return next;
  });
  const status = (obj.status ?? {}) as JsonObject;
  host.synced(plan.stepId, status, attempt);
  return status;
}

function currentStatus(host: StepRunHost, plan: StepRunPlan): JsonObject {
  return (host.ctx.api.get(RESOURCE, host.namespace, plan.stepRunName)?.status ?? {}) as JsonObject;
}

function fail(host: StepRunHost, plan: StepRunPlan, message: string, extra: JsonObject = {}): void {
  setStatus(host, plan, {
    phase: "Failed",
    lastFailureMsg: message,
    exitClass: "terminal",
    finishedAt: now(),
    ...extra,
  });
}

/** Resolves the `with` paths of `requires` (`resolveNestedPath`). */
function resolvePath(vars: TemplateVars, path: string): unknown {
  let cur: unknown = { inputs: vars.inputs, steps: vars.steps };
  for (const part of path.split(".")) {
    if (typeof cur !== "object" || cur === null || Array.isArray(cur)) return undefined;
    cur = (cur as JsonObject)[part];
  }
  return cur ?? undefined;
}

/** What one attempt's inputs and config evaluate to, or why they cannot. */
type Prepared =
  | { readonly ok: true; readonly triggerData: string; readonly stepConfig: string; readonly templateContext: string }
  /** `blocked`: the evaluation waits on data that is not there (a missing key under `steps`). */
  | { readonly ok: false; readonly message: string; readonly reason: string; readonly blocked?: string };

/** The reason of an `EvaluationBlockedError` in `err`'s cause chain, if there is one. */
function blockedReason(err: unknown): string | undefined {
  for (
    let e = err, i = 0;
    e !== undefined && e !== null && i < 20;
    e = (e as { inner?: unknown }).inner ?? (e as { cause?: unknown }).cause, i++
  ) {
    if (e instanceof EvaluationBlockedError) return e.reason;
  }
  return undefined;
}

async function prepare(host: StepRunHost, plan: StepRunPlan): Promise<Prepared> {
  const vars = host.vars();
  for (const path of plan.step.requires ?? []) {
    if (resolvePath(vars, path) === undefined) {
      return {
        ok: false,
        reason: "DependencyFailed",
        message: `required context '${path}' is nil — upstream step produced no output for this key`,
      };
    }
  }
  const template = plan.resolved.template;
  const label = `EngramTemplate ${template?.metadata.name ?? ""} inputs`;
  const what = `step '${plan.stepId}' input`;
  let inputs: JsonObject;
  let config: JsonObject;
  try {
    inputs = (await host.ctx.templates.resolveWith(what, plan.input, vars)).value;
    config = (await host.ctx.templates.resolveWith(what, plan.input, vars, true)).value;
  } catch (err) {
    const blocked = blockedReason(err);
    return {
      ok: false,
      reason: "ExpressionFailed",
      message: `failed to resolve step inputs: ${(err as Error).message}`,
      ...(blocked !== undefined ? { blocked } : {}),
    };
  }
  const schema = template?.spec.inputSchema;
  // `evaluateStepConfig` returns `{}` for a StepRun without input, before applying defaults.
  const hasInput = plan.input !== undefined;
  if (schema !== undefined) {
    inputs = applySchemaDefaults(schema, inputs);
    if (hasInput) config = applySchemaDefaults(schema, config);
    const bad = schemaError(inputs, schema, label);
    if (bad)
      return { ok: false, reason: "InputSchemaFailed", message: `StepRun input failed schema validation: ${bad}` };
    const badConfig = hasInput ? schemaError(config, schema, label) : undefined;
    if (badConfig)
      return { ok: false, reason: "InputSchemaFailed", message: `step config failed schema validation: ${badConfig}` };
  }
  return {
    ok: true,
    triggerData: goJsonStringify(inputs),
    stepConfig: goJsonStringify(config),
    templateContext: goJsonStringify(templateContextPayload(vars.inputs, vars.steps)),
  };
}

function randomSuffix(random: () => number): string {
  const chars = "bcdfghjklmnpqrstvwxz2456789";
  let s = "";
  for (let i = 0; i < 5; i++) s += chars[Math.floor(random() * chars.length)];
  return s;
}

/** Line splitter for progress events. */
function lineSink(emit: (line: string) => void): { push(chunk: Uint8Array): void; end(): void } {
  const decoder = new TextDecoder();
  let buf = "";
  return {
    push(chunk) {
      buf += decoder.decode(chunk, { stream: true });
      let i: number;
      while ((i = buf.indexOf("\n")) >= 0) {
        emit(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
      if (buf.length > 64 * 1024) {
        emit(buf);
        buf = "";
      }
    },
    end() {
      buf += decoder.decode();
      if (buf !== "") emit(buf);
      buf = "";
    },
  };
}

interface ProcessOutcome {
  readonly exitCode: number;
  readonly signal?: string;
  readonly spawnError?: string;
  readonly stoppedBy?: "deadline" | "cancel";
}

/** Runs the command once; stops it at the deadline or on cancel (SIGTERM, then SIGKILL after the grace). */
async function runProcess(
  host: StepRunHost,
  plan: StepRunPlan,
  env: Readonly<Record<string, string>>,
  attempt: number,
  logFile: string,
): Promise<ProcessOutcome> {
  const ctx = host.ctx;
  const fs = ctx.rt.fs;
  let writes: Promise<void> = fs.writeFile(logFile, "");
  const write = (chunk: Uint8Array): void => {
    const copy = chunk.slice();
    writes = writes.then(() => fs.appendFile(logFile, copy)).catch(() => {});
  };
  const emitLine = (stream: "stdout" | "stderr") => (line: string) =>
    ctx.emit({ type: "log", storyRun: host.storyRunName, step: plan.stepId, attempt, stream, line, at: Date.now() });
  const out = lineSink(emitLine("stdout"));
  const err = lineSink(emitLine("stderr"));
  const [cmd, ...args] = plan.command.argv;
  const child = ctx.spawn({
    command: cmd!,
    args,
    cwd: plan.command.cwd,
    env,
    onStdout: (c) => {
      write(c);
      out.push(c);
    },
    onStderr: (c) => {
      write(c);
      err.push(c);
    },
  });
  let stoppedBy: "deadline" | "cancel" | undefined;
  let killTimer: ReturnType<typeof setTimeout> | undefined;
  const stop = (why: "deadline" | "cancel"): void => {
    if (stoppedBy) return;
    stoppedBy = why;
    child.kill("SIGTERM");
    killTimer = setTimeout(() => child.kill("SIGKILL"), ctx.graceMs);
  };
  const deadlineMs = Number(plan.timeoutNs / 1_000_000n) + ctx.deadlineMarginMs;
  const deadline = setTimeout(() => stop("deadline"), Math.min(deadlineMs, 2 ** 31 - 1));
  const onCancel = (): void => stop("cancel");
  host.cancel.addEventListener("abort", onCancel, { once: true });
  if (host.cancel.aborted) onCancel();
  const onKill = (): void => {
    stoppedBy ??= "cancel";
    child.kill("SIGKILL");
  };
  ctx.kill.addEventListener("abort", onKill, { once: true });
  if (ctx.kill.aborted) onKill();
  const exit = await child.exited;
  clearTimeout(deadline);
  if (killTimer) clearTimeout(killTimer);
  host.cancel.removeEventListener("abort", onCancel);
  ctx.kill.removeEventListener("abort", onKill);
  out.end();
  err.end();
  if (exit.spawnError)
    write(
      new TextEncoder().encode(
        `bubu story: cannot start ${JSON.stringify(plan.command.argv.join(" "))}: ${exit.spawnError}\n`,
      ),
    );
  await writes;
  return {
    exitCode: exit.code,
    ...(exit.signal ? { signal: exit.signal } : {}),
    ...(exit.spawnError ? { spawnError: exit.spawnError } : {}),
    ...(stoppedBy ? { stoppedBy } : {}),
  };
}

/** Runs the StepRun until it is final. The StepRun must exist ({@link createStepRun}). */
export async function runStepRun(host: StepRunHost, plan: StepRunPlan): Promise<void> {
  const ctx = host.ctx;
  const policy = resolveRetryPolicy(plan.retry);
  // `BUBU_STARTED_AT` comes from the StepRun's timestamps, which the API stores in whole seconds.
  const startedAt = new Date(Math.floor(Date.now() / 1000) * 1000);
  setStatus(host, plan, { phase: "Running", startedAt: rfc3339Nano(startedAt) }, 1);
  for (let attempt = 1; ; attempt++) {
    if (host.cancel.aborted) {
      setStatus(host, plan, { phase: "Canceled", lastFailureMsg: STOPPED, finishedAt: now() });
      return;
    }
    const prepared = await prepare(host, plan);
    if (!prepared.ok) {
      if (prepared.blocked !== undefined && host.hasDependencies(plan.stepId)) {
        // `shouldFailBlockedStep`: the data a finished dependency did not produce will never
        // come, so the controller fails the StepRun; the reason is only in its conditions.
        const message = `Input resolution failed after dependencies completed: ${prepared.blocked}`;
        setStatus(host, plan, {
          phase: "Failed",
          finishedAt: now(),
          conditions: [
            { type: "Ready", status: "False", reason: "ExpressionFailed", message, lastTransitionTime: now() },
          ],
        });
        return;
      }
      fail(host, plan, prepared.message, { reason: prepared.reason });
      return;
    }
    const podName = `${plan.stepRunName}-${randomSuffix(ctx.random)}`;
    const operatorEnv = stepEnv({
      storyName: host.story.metadata.name,
      storyVersion: (host.story.spec.version ?? "").trim(),
      storyRunName: host.storyRunName,
      stepName: plan.stepId,
      stepRunName: plan.stepRunName,
      namespace: host.namespace,
      triggerData: prepared.triggerData,
      stepConfig: prepared.stepConfig,
      templateContext: prepared.templateContext,
      timeoutNs: plan.timeoutNs,
      maxInlineSize: plan.maxInlineSize,
      maxRecursionDepth: host.story.spec.policy?.execution?.maxRecursionDepth ?? 32,
      debug: plan.step.execution?.debug === true,
      engramName: plan.resolved.engram.metadata.name,
      engramVersion: (plan.resolved.engram.spec.version ?? "").trim(),
      startedAt,
      podName,
      serviceAccountName: `${host.storyRunName}-engram-runner`,
      ...(host.storage && ctx.storageDir !== undefined ? { storagePath: ctx.storageDir } : {}),
      ...(host.storage &&
      typeof host.story.spec.policy?.storage?.timeoutSeconds === "number" &&
      host.story.spec.policy.storage.timeoutSeconds > 0
        ? { storageTimeout: `${host.story.spec.policy.storage.timeoutSeconds}s` }
        : {}),
    });
    const kubeconfig = `${ctx.workDir}/kubeconfig`;
    const env = {
      ...baseProcessEnv({}, { ...ctx.processEnv, ...plan.command.env }),
      ...Object.fromEntries(operatorEnv),
      KUBECONFIG: kubeconfig,
      // Not the operator's: tells the SDK that this runner validates against the template, so
      // the 403 its API answers to the schema lookup is not logged per step.
      BUBU_LOCAL_STORY_RUNNER: "true",
    };
    const logFile = `${ctx.workDir}/logs/${plan.stepRunName}-${attempt}.log`;
    ctx.emit({
      type: "step",
      storyRun: host.storyRunName,
      step: plan.stepId,
      phase: "Running",
      attempt,
      at: Date.now(),
    });
    const t0 = Date.now();
    const proc = await runProcess(host, plan, env, attempt, logFile);
    const t1 = Date.now();
    const status = currentStatus(host, plan);
    const statusPhase = typeof status.phase === "string" ? status.phase : "";
    plan.attempts.push({
      attempt,
      podName,
      env: Object.fromEntries(operatorEnv),
      command: plan.command.argv,
      exitCode: proc.exitCode,
      ...(proc.signal ? { signal: proc.signal } : {}),
      ...(proc.stoppedBy ? { stoppedBy: proc.stoppedBy } : {}),
      ...(proc.spawnError ? { spawnError: proc.spawnError } : {}),
      startedAt: new Date(t0).toISOString(),
      finishedAt: new Date(t1).toISOString(),
      durationMs: t1 - t0,
      statusPhase: isTerminalPhase(statusPhase) ? statusPhase : "",
      logFile,
    });
    // A final status the SDK wrote is kept as it is: the controller never reconciles it again.
    if (isTerminalPhase(statusPhase)) {
      host.synced(plan.stepId, status, attempt);
      return;
    }
    if (proc.stoppedBy === "cancel") {
      setStatus(
        host,
        plan,
        { phase: "Canceled", lastFailureMsg: STOPPED, exitCode: proc.exitCode, finishedAt: now() },
        attempt,
      );
      return;
    }
    if (proc.exitCode === 0) {
      // `handleJobSucceeded`: the template's output schema, then the postExecution check.
      const outputSchema = plan.resolved.template?.spec.outputSchema;
      if (outputSchema !== undefined) {
        const label = `EngramTemplate ${plan.resolved.template!.metadata.name} output`;
        const bad =
          status.output === undefined
            ? `${label} output is empty but a schema is defined`
            : schemaError(status.output, outputSchema, label);
        if (bad) {
          setStatus(
            host,
            plan,
            {
              phase: "Failed",
              lastFailureMsg: `StepRun output failed schema validation: ${bad}`,
              exitClass: "terminal",
              finishedAt: now(),
            },
            attempt,
          );
          return;
        }
      }
      const post = await postExecution(host, plan, status);
      if (post !== undefined) {
        setStatus(
          host,
          plan,
          { phase: "Failed", lastFailureMsg: `Post-execution verification failed: ${post}`, finishedAt: now() },
          attempt,
        );
        return;
      }
      setStatus(
        host,
        plan,
        {
          phase: "Succeeded",
          message: "StepRun pod completed successfully; final status updated by controller.",
          finishedAt: now(),
        },
        attempt,
      );
      return;
    }
    const exitClass =
      typeof status.exitClass === "string" && status.exitClass !== ""
        ? status.exitClass
        : classifyExitCode(proc.exitCode);
    const failureMsg =
      typeof status.lastFailureMsg === "string" && status.lastFailureMsg !== ""
        ? status.lastFailureMsg
        : proc.spawnError
          ? `cannot start ${plan.command.argv[0]}: ${proc.spawnError}`
          : defaultFailureMessage(proc.exitCode);
    const retries = typeof status.retries === "number" ? status.retries : 0;
    if (isRetryableExitClass(exitClass) && policy.maxRetries > 0 && retries < policy.maxRetries) {
      const next = retries + 1;
      const delay = retryDelayMs(policy, next, ctx.random);
      setStatus(
        host,
        plan,
        {
          phase: "Pending",
          retries: next,
          nextRetryAt: new Date(Date.now() + delay).toISOString(),
          lastFailureMsg: failureMsg,
          exitClass: typeof status.exitClass === "string" && status.exitClass !== "" ? status.exitClass : exitClass,
          exitCode: proc.exitCode,
          message: `Retrying in ${formatGoMillis(Math.round(delay))} (attempt ${next}/${policy.maxRetries})`,
          finishedAt: undefined,
        },
        attempt,
      );
      await pause(delay, host.cancel);
      if (host.cancel.aborted) continue;
      setStatus(host, plan, { phase: "Running", nextRetryAt: undefined }, attempt + 1);
      continue;
    }
    setStatus(
      host,
      plan,
      {
        phase: proc.exitCode === 124 ? "Timeout" : "Failed",
        lastFailureMsg: proc.spawnError ? failureMsg : defaultFailureMessage(proc.exitCode),
        exitCode: proc.exitCode,
        exitClass: classifyExitCode(proc.exitCode),
        finishedAt: now(),
      },
      attempt,
    );
    return;
  }
}

function defaultFailureMessage(exitCode: number): string {
  return exitCode === 124
    ? "Job execution timed out. Check step timeout configuration and pod logs."
    : "Job execution failed. Check pod logs for details.";
}

/** `evaluatePostExecution`: the failure text, or undefined when the check passes or is absent. */
async function postExecution(host: StepRunHost, plan: StepRunPlan, status: JsonObject): Promise<string | undefined> {
  const check = plan.step.postExecution;
  if (!check?.condition) return undefined;
  const output = status.output;
  const vars = { inputs: {}, steps: output === undefined ? {} : { [plan.stepId]: { output } } };
  try {
    const ok = host.ctx.templates.engine.evaluateCondition(check.condition, vars as Record<string, unknown>);
    return ok ? undefined : check.failureMessage || "post-execution condition evaluated to false";
  } catch (err) {
    return `post-execution condition evaluation error: ${(err as Error).message}`;
  }
}
