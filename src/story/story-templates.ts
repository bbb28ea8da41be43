/**
 * The operator's side of templating: `with`, `if`, `wait` conditions and the Story output,
 * evaluated with the SDK's Go `text/template` engine, which implements the same evaluator as
 * the operator's (`core/templating`), with the operator's settings (30s, 64 KiB, `now` allowed).
 *
 * @remarks bobrapet v0.1.13 with the default offloaded-data policy `inject`
 * (`steprun_controller.go` `resolveRunScopedInputs` and `evaluateStepConfig`,
 * `step_executor.go` `resolveTemplateWith`, `dag.go` `findReadySteps` and
 * `finalizeSuccessfulRun`). Where the operator would create a `materialize` StepRun (a template
 * that pipes an offloaded output, or an `if`/`wait`/output that reads one), the local runner
 * hydrates the referenced outputs from its file store and evaluates in-process (the operator's
 * `controller` policy), and records a note: in a cluster that needs the `materialize`
 * EngramTemplate.
 * @module
 */

import { OffloadedDataUsageError } from "../templating/errors.ts";
import { TemplateEngine } from "../templating/evaluator.ts";
import { offloadedStepPiped, offloadedStepRead, referencedOutputSteps } from "./offloaded.ts";
import type { JsonObject } from "./types.ts";

/** Replaces storage refs in a value with the stored content. */
export type Hydrate = (value: unknown) => Promise<unknown>;

/** Template variables: `{inputs, steps}`. */
export interface TemplateVars {
  readonly inputs: JsonObject;
  readonly steps: JsonObject;
}

/** The outcome of evaluating a `with` block. */
export interface ResolvedWith {
  readonly value: JsonObject;
  /** True when the operator would have left the templates for the SDK (an offloaded read). */
  readonly leftForSdk: boolean;
  /** Set when the operator would have needed a `materialize` StepRun. */
  readonly materialized?: string;
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isOffloaded(err: unknown): boolean {
  for (
    let e = err, i = 0;
    e !== undefined && e !== null && i < 20;
    e = (e as { cause?: unknown; inner?: unknown }).inner ?? (e as { cause?: unknown }).cause, i++
  ) {
    if (e instanceof OffloadedDataUsageError) return true;
  }
  return false;
}

/** Evaluates the operator's templates for one run. */
export class StoryTemplates {
  readonly engine: TemplateEngine = new TemplateEngine({
    evaluationTimeoutMs: 30_000,
    maxOutputBytes: 64 * 1024,
    deterministic: false,
  });
  readonly #hydrate: Hydrate | undefined;
  /** What was resolved in-process where a cluster would run `materialize`. */
  readonly notes: string[] = [];

  constructor(hydrate: Hydrate | undefined) {
    this.#hydrate = hydrate;
  }

  /** `vars` with the outputs `template` reads hydrated (`hydrateVarsInProcess`). */
  async #hydrated(template: unknown, vars: TemplateVars): Promise<TemplateVars> {
    if (!this.#hydrate) throw new Error("a template reads an offloaded step output but storage is disabled");
    const wanted = referencedOutputSteps(template);
    const steps: JsonObject = { ...vars.steps };
    for (const name of Object.keys(steps)) {
      if (wanted.size > 0 && !wanted.has(name)) continue;
      steps[name] = await this.#hydrate(JSON.parse(JSON.stringify(steps[name])));
    }
    if (offloadedStepRead(template, steps) !== undefined)
      throw new Error("in-process hydration incomplete: some storage refs could not be resolved from storage");
    return { inputs: vars.inputs, steps };
  }

  #note(what: string, step: string): string {
    const text = `${what} reads the offloaded output of step '${step}': resolved in-process here; a cluster runs a 'materialize' StepRun for it (needs an EngramTemplate named 'materialize', else the StoryRun waits)`;
    if (!this.notes.includes(text)) this.notes.push(text);
    return text;
  }

  /**
   * A step's `with` (`BUBU_TRIGGER_DATA`'s evaluation). `forConfig` follows `evaluateStepConfig`
   * (`BUBU_STEP_CONFIG`), which leaves the whole block to the SDK on any offloaded read instead
   * of materializing piped reads first.
   */
  async resolveWith(
    what: string,
    block: JsonObject | undefined,
    vars: TemplateVars,
    forConfig = false,
  ): Promise<ResolvedWith> {
    if (block === undefined) return { value: {}, leftForSdk: false };
    const v = { inputs: vars.inputs, steps: vars.steps };
    if (!forConfig) {
      const piped = offloadedStepPiped(block, vars.steps);
      if (piped !== undefined) {
        const note = this.#note(what, piped);
        return {
          value: this.#object(
            this.engine.resolveValue(block, (await this.#hydrated(block, vars)) as unknown as Record<string, unknown>),
          ),
          leftForSdk: false,
          materialized: note,
        };
      }
    }
    try {
      return { value: this.#object(this.engine.resolveValue(block, v)), leftForSdk: false };
    } catch (err) {
      if (!isOffloaded(err)) throw err;
      if (!forConfig) {
        const piped = offloadedStepPiped(block, vars.steps);
        if (piped !== undefined) {
          const note = this.#note(what, piped);
          return {
            value: this.#object(
              this.engine.resolveValue(
                block,
                (await this.#hydrated(block, vars)) as unknown as Record<string, unknown>,
              ),
            ),
            leftForSdk: false,
            materialized: note,
          };
        }
      }
      return { value: JSON.parse(JSON.stringify(block)), leftForSdk: true };
    }
  }

  #object(v: unknown): JsonObject {
    if (!isObject(v))
      throw new Error(`resolved with block must be an object, got ${Array.isArray(v) ? "[]interface {}" : typeof v}`);
    return v;
  }

  /** An `if` or `wait` condition (`EvaluateCondition`), materializing offloaded reads. */
  async condition(what: string, expr: string, vars: TemplateVars): Promise<boolean> {
    const read = offloadedStepRead(expr, vars.steps);
    if (read !== undefined) {
      this.#note(what, read);
      return this.engine.evaluateCondition(
        expr,
        (await this.#hydrated(expr, vars)) as unknown as Record<string, unknown>,
      );
    }
    try {
      return this.engine.evaluateCondition(expr, { inputs: vars.inputs, steps: vars.steps });
    } catch (err) {
      if (!isOffloaded(err)) throw err;
      return this.engine.evaluateCondition(
        expr,
        (await this.#hydrated(expr, vars)) as unknown as Record<string, unknown>,
      );
    }
  }

  /** The Story's `output` template (`finalizeSuccessfulRun`). */
  async output(template: JsonObject, vars: TemplateVars): Promise<JsonObject> {
    const read = offloadedStepRead(template, vars.steps);
    const v = read !== undefined ? (this.#note("the Story output", read), await this.#hydrated(template, vars)) : vars;
    return this.#object(this.engine.resolveValue(template, { inputs: v.inputs, steps: v.steps }));
  }
}
