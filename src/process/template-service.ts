/**
 * The templating seam: `resolveTemplates` for every kind's config and a batch run's inputs
 * (unless `BUBU_SKIP_INPUT_TEMPLATING`), with the env limits, storage-ref protection and the Go
 * SDK's log lines.
 * @module
 */

import type { BubuEnv } from "../env/load.ts";
import type { Logger } from "../observability/logger.ts";
import { DEFAULT_MAX_VALUE_BYTES } from "../templating/budget.ts";
import { TemplateError } from "../templating/errors.ts";
import { TemplateEngine } from "../templating/evaluator.ts";
import { extractProtected, restoreProtected } from "../templating/protected-paths.ts";
import { resolveSdkTemplates } from "../templating/sdk-resolve.ts";
import { isObject } from "../templating/values.ts";
import type { JsonObject, PayloadServices } from "./payload-services.ts";

/** Extra wiring for {@link createTemplateSeam}. */
export interface TemplateSeamOptions {
  /** Hydrates storage refs in the template context before use. */
  readonly hydrateContext?: (vars: JsonObject, signal: AbortSignal) => Promise<unknown>;
  /** IANA zone for Go's `Local` (default: the runtime's zone). */
  readonly timeZone?: string;
}

/**
 * Creates the templating seam. `protectedPaths` are RFC 6901 JSON Pointers of storage-hydrated
 * values; they are replaced by placeholders while templating and restored afterwards, so stored
 * data is never evaluated.
 */
export function createTemplateSeam(
  env: BubuEnv,
  logger: Logger,
  options: TemplateSeamOptions = {},
): Pick<PayloadServices, "resolveTemplates"> {
  const limits = env.limits;
  return {
    async resolveTemplates(value, vars, { kind, protectedPaths, signal }): Promise<JsonObject> {
      const started = performance.now();
      logger.debug("Resolving templates", { payloadFields: Object.keys(value).length, kind });
      let context: unknown = vars;
      if (options.hydrateContext) {
        try {
          context = await options.hydrateContext(vars, signal);
        } catch (err) {
          logger.error("Failed to hydrate template context", { error: (err as Error).message });
          throw new TemplateError(`failed to hydrate CEL context: ${(err as Error).message}`, "other", { cause: err });
        }
        if (context !== null && context !== undefined && !isObject(context)) {
          throw new TemplateError(
            `CEL context must be an object, got ${Array.isArray(context) ? "[]interface {}" : typeof context}`,
            "shape",
          );
        }
      }
      const { value: guarded, extracted } = extractProtected(value, protectedPaths);
      if (extracted.length > 0)
        logger.debug("Extracted storage-ref values from template evaluation", { count: extracted.length });
      const engine = new TemplateEngine({
        evaluationTimeoutMs: limits.templateEvaluationTimeout.millis,
        maxOutputBytes: limits.templateMaxOutputBytes,
        // A value derived from the largest accepted input (its JSON, say) must fit.
        maxValueBytes: Math.max(
          DEFAULT_MAX_VALUE_BYTES,
          2 * limits.templateMaxInputBytes,
          limits.templateMaxOutputBytes,
        ),
        deterministic: false,
        ...(options.timeZone !== undefined ? { timeZone: options.timeZone } : {}),
      });
      let resolved: unknown;
      try {
        resolved = resolveSdkTemplates(engine, guarded, (context ?? null) as Record<string, unknown> | null, {
          maxInputBytes: limits.templateMaxInputBytes,
          signal,
        });
      } catch (err) {
        logger.error("Template resolution failed", { error: (err as Error).message, kind });
        throw err;
      }
      if (!isObject(resolved)) {
        throw new TemplateError(
          `resolved ${kind} must be an object, got ${Array.isArray(resolved) ? "[]interface {}" : typeof resolved}`,
          "shape",
        );
      }
      restoreProtected(resolved, extracted);
      logger.debug("Template resolution completed", { duration: `${Math.round(performance.now() - started)}ms`, kind });
      return resolved;
    },
  };
}
