// Runs one corpus case through the TypeScript engine with the same operations as the Go
// reference program (test/interop/templating/main.go) and returns the same result shape.
import { TemplateEngine, templateErrorClass } from "../../../src/templating/evaluator.ts";
import { resolveSdkTemplates } from "../../../src/templating/sdk-resolve.ts";
import { TemplateEvaluator } from "../../../src/templating/template-evaluator.ts";

export interface CorpusCase {
  name: string;
  op?: string;
  value: unknown;
  vars?: Record<string, unknown>;
  timeoutMs?: number;
  maxOutputBytes?: number;
  maxInputBytes?: number;
  deterministic?: boolean;
}

export interface CaseResult {
  name: string;
  value: unknown;
  error?: { class: string; message: string };
}

/** Evaluates `c` (vars default to `defaultVars`). Dates use UTC as Go's Local, as the Go program does. */
export function runCase(c: CorpusCase, defaultVars: Record<string, unknown> | undefined): CaseResult {
  const vars = ("vars" in c ? c.vars : defaultVars) as Record<string, unknown>;
  const cfg = {
    evaluationTimeoutMs: c.timeoutMs && c.timeoutMs > 0 ? c.timeoutMs : 10_000,
    maxOutputBytes: c.maxOutputBytes ?? 1 << 20,
    deterministic: c.deterministic === true,
    timeZone: "UTC",
  };
  try {
    let value: unknown;
    switch (c.op ?? "resolve") {
      case "resolve":
        value = new TemplateEngine(cfg).resolveValue(c.value, vars);
        break;
      case "sdk":
        value = resolveSdkTemplates(new TemplateEngine(cfg), c.value, vars, {
          maxInputBytes: c.maxInputBytes && c.maxInputBytes > 0 ? c.maxInputBytes : 8 << 20,
        });
        break;
      case "expression":
        value = new TemplateEvaluator(cfg).evaluateExpression(c.value as string, vars);
        break;
      case "condition":
        value = new TemplateEvaluator(cfg).evaluateCondition(c.value as string, vars);
        break;
      case "template":
        value = new TemplateEvaluator(cfg).resolveTemplate(c.value, vars);
        break;
      default:
        throw new Error(`unknown op ${c.op}`);
    }
    return { name: c.name, value: value === undefined ? null : value };
  } catch (err) {
    return { name: c.name, value: null, error: { class: templateErrorClass(err), message: (err as Error).message } };
  }
}
