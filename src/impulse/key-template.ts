/**
 * Evaluation of `BUBU_TRIGGER_DEDUPE_KEY_TEMPLATE`: the one place that calls the templating
 * engine for trigger keys: deterministic functions only, 250 ms per render, as Go evaluates them.
 * @module
 */
import { TemplateEngine } from "../templating/evaluator.ts";

/** The deterministic evaluator's per-render budget for trigger keys. */
export const KEY_TEMPLATE_TIMEOUT_MS = 250;

let engine: TemplateEngine | undefined;

/** Renders `template` over `vars` with Go's templating; the result may be any JSON value. */
export function evaluateKeyTemplate(template: string, vars: Record<string, unknown>): unknown {
  engine ??= new TemplateEngine({ deterministic: true, evaluationTimeoutMs: KEY_TEMPLATE_TIMEOUT_MS });
  return engine.resolveTemplateString(template, vars);
}
