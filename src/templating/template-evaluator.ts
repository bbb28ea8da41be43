/**
 * The public helper: evaluate expressions, conditions and templates with the engine the SDK uses
 * (Go `text/template` syntax + allow-listed Sprig).
 * @module
 */
import { formatGoDuration } from "../env/duration.ts";
import type { Logger } from "../observability/logger.ts";
import { TemplateError } from "./errors.ts";
import { type EvaluatorConfig, TemplateEngine } from "./evaluator.ts";
import { isObject } from "./values.ts";

/** Settings of a {@link TemplateEvaluator}. */
export interface TemplateConfig {
  /** Per-render timeout in milliseconds; 0 = none. */
  readonly evaluationTimeoutMs?: number;
  /** Per-render output cap in bytes; 0 = none. */
  readonly maxOutputBytes?: number;
  /** Drops `now` and the random helpers. */
  readonly deterministic?: boolean;
  /** IANA zone of local time in date helpers (default: the runtime's zone). */
  readonly timeZone?: string;
}

/** A `$bubuTemplate` wrapper read from a value. */
export interface TemplateExpression {
  readonly expr: string;
  readonly vars: Record<string, unknown> | undefined;
}

/** Options of each call. */
export interface EvaluateOptions {
  readonly signal?: AbortSignal;
}

/**
 * Reads a `$bubuTemplate` wrapper: the `$bubuTemplate` string (non-blank) and object
 * `$bubuTemplateVars`; `undefined` for anything else.
 */
export function extractExpression(value: unknown): TemplateExpression | undefined {
  if (!isObject(value) || !Object.prototype.hasOwnProperty.call(value, "$bubuTemplate")) return undefined;
  const expr = value["$bubuTemplate"];
  if (typeof expr !== "string" || expr.trim() === "") return undefined;
  const vars = value["$bubuTemplateVars"];
  return { expr, vars: isObject(vars) ? vars : undefined };
}

/**
 * Evaluates BubuStack templates inside an engram or impulse.
 *
 * @remarks The Go SDK's `cel.Evaluator` (its templates are Go templates, not CEL).
 *
 * @example
 * ```ts
 * const ev = new TemplateEvaluator({ evaluationTimeoutMs: 250 });
 * ev.evaluateCondition("{{ eq .event.action \"opened\" }}", { event }); // true / false
 * ev.evaluateExpression("inputs.user.name | upper", { inputs });       // "ADA"
 * ```
 */
export class TemplateEvaluator {
  readonly #engine: TemplateEngine;
  readonly #logger: Logger | undefined;

  constructor(config: TemplateConfig = {}, logger?: Logger) {
    const cfg: EvaluatorConfig = {
      evaluationTimeoutMs: config.evaluationTimeoutMs ?? 0,
      maxOutputBytes: config.maxOutputBytes ?? 0,
      deterministic: config.deterministic ?? false,
      ...(config.timeZone !== undefined ? { timeZone: config.timeZone } : {}),
    };
    this.#engine = new TemplateEngine(cfg);
    this.#logger = logger;
  }

  /** Releases resources (nothing to release today). */
  close(): void {}

  /**
   * Evaluates one expression: `{{ }}` is added when absent, and a string result that is valid
   * JSON is decoded (`"42"` → `42`). An empty expression gives `""`.
   */
  evaluateExpression(expr: string, vars: Record<string, unknown>, options: EvaluateOptions = {}): unknown {
    let trimmed = expr.trim();
    if (trimmed === "") return "";
    if (!trimmed.includes("{{")) trimmed = `{{ ${trimmed} }}`;
    return this.#logged(trimmed, "expression", () => {
      const out = this.#engine.resolveValue({ value: trimmed }, vars, options) as Record<string, unknown>;
      return coerceScalar(out["value"]);
    });
  }

  /** Evaluates a condition: empty → true; booleans and `true/1/yes/y` / `false/0/no/n/""` strings. */
  evaluateCondition(expr: string, vars: Record<string, unknown>, options: EvaluateOptions = {}): boolean {
    return this.#logged(expr, "condition", () => this.#engine.evaluateCondition(expr, vars, options));
  }

  /** Resolves a string or an object of templates; other values are returned unchanged. */
  resolveTemplate(template: unknown, vars: Record<string, unknown>, options: EvaluateOptions = {}): unknown {
    const desc = typeof template === "string" ? template : isObject(template) ? "<object>" : `<${goType(template)}>`;
    return this.#logged(desc, "template", () => {
      if (isObject(template)) {
        const out = this.#engine.resolveValue(template, vars, options);
        if (!isObject(out)) {
          throw new TemplateError(`resolved with block must be an object, got ${goType(out)}`, "shape");
        }
        return out;
      }
      if (typeof template === "string") {
        const out = this.#engine.resolveValue({ value: template }, vars, options) as Record<string, unknown>;
        return out["value"];
      }
      return template;
    });
  }

  #logged<T>(expression: string, type: string, f: () => T): T {
    const log = this.#logger;
    const start = performance.now();
    log?.debug("Template evaluation started", { expression, type });
    const elapsed = (): string => formatGoDuration(BigInt(Math.round((performance.now() - start) * 1e6)));
    try {
      const out = f();
      log?.debug("Template evaluation succeeded", { expression, type, duration: elapsed() });
      return out;
    } catch (err) {
      log?.error("Template evaluation failed", {
        expression,
        type,
        duration: elapsed(),
        error: (err as Error).message,
      });
      throw err;
    }
  }
}

function coerceScalar(v: unknown): unknown {
  if (typeof v !== "string") return v;
  const t = v.trim();
  if (t === "") return v;
  try {
    const parsed: unknown = JSON.parse(t);
    if (typeof parsed === "number" && !Number.isFinite(parsed)) return v;
    return parsed;
  } catch {
    return v;
  }
}

function goType(v: unknown): string {
  if (v === null || v === undefined) return "<nil>";
  if (typeof v === "string") return "string";
  if (typeof v === "number") return "float64";
  if (typeof v === "boolean") return "bool";
  if (Array.isArray(v)) return "[]interface {}";
  return "map[string]interface {}";
}
