/**
 * How the SDK resolves templates in config and inputs: input-size checks on the payload and the
 * context, normalized variables (`inputs` and `steps` always maps), then the walk.
 * @module
 */
import { goJsonByteLength } from "../json/go-json.ts";
import { TemplateError } from "./errors.ts";
import type { TemplateEngine } from "./evaluator.ts";

/**
 * Default limits of template resolution in config and inputs.
 *
 * @remarks The Go SDK's defaults.
 */
export const TEMPLATE_DEFAULTS: {
  readonly maxOutputBytes: number;
  readonly maxInputBytes: number;
  readonly evaluationTimeoutMs: number;
} = {
  maxOutputBytes: 1024 * 1024,
  maxInputBytes: 8 * 1024 * 1024,
  evaluationTimeoutMs: 30_000,
};

/** A copy of the variables with `inputs` and `steps` defaulted to `{}` when absent or null. */
export function normalizeTemplateVars(vars: Record<string, unknown> | null | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = { inputs: {}, steps: {} };
  if (vars)
    for (const [k, v] of Object.entries(vars))
      Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  if (out["inputs"] === null || out["inputs"] === undefined) out["inputs"] = {};
  if (out["steps"] === null || out["steps"] === undefined) out["steps"] = {};
  return out;
}

/** Throws when the JSON size of `value` is over `maxBytes` (<= 0 disables the check). */
export function checkTemplateInputSize(scope: "payload" | "context", value: unknown, maxBytes: number): void {
  if (maxBytes <= 0) return;
  let size: number;
  try {
    size = goJsonByteLength(value);
  } catch (e) {
    throw new TemplateError(`template ${scope} size check failed: ${(e as Error).message}`, "input_limit", {
      cause: e,
    });
  }
  if (size <= maxBytes) return;
  throw new TemplateError(`template ${scope} exceeds max input bytes (${size} > ${maxBytes})`, "input_limit");
}

/** Resolves the templates in `payload` (no storage): size checks, normalisation, walk. `null` stays `null`. */
export function resolveSdkTemplates(
  engine: TemplateEngine,
  payload: unknown,
  vars: Record<string, unknown> | null | undefined,
  options: { maxInputBytes: number; signal?: AbortSignal },
): unknown {
  if (payload === null || payload === undefined) return null;
  checkTemplateInputSize("payload", payload, options.maxInputBytes);
  const normalized = normalizeTemplateVars(vars);
  checkTemplateInputSize("context", normalized, options.maxInputBytes);
  return engine.resolveValue(payload, normalized, { signal: options.signal });
}
