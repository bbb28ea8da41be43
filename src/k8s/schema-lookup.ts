/**
 * EngramTemplate schema lookup for input/output validation: StepRun → Engram → EngramTemplate.
 * Nothing is cached here (a batch run shares one lookup between its input and output checks, see
 * `src/batch/cluster-services.ts`). Transient failures (no answer, 429, 5xx) are tried again within
 * the lookup's budget; see `docs/status-writes.md`.
 * @module
 */

import type { Logger } from "../observability/logger.ts";
import { schemaResolutionError } from "../schema/resolution-error.ts";
import { jitter, sleep, withTimeout } from "./backoff.ts";
import type { KubeClient, KubeObject } from "./client.ts";
import { isForbidden } from "./errors.ts";
import { ENGRAM_TEMPLATES, ENGRAMS, type GroupVersionResource, STEP_RUNS } from "./resources.ts";
import { attemptTimeoutMs, nextBackoff, retryDecision } from "./retry-policy.ts";
import { DEFAULT_K8S_OPERATION_TIMEOUT_MS } from "./settings.ts";

/** Options of {@link fetchEngramTemplate} and {@link resolveTemplateSchema}. */
export interface SchemaLookupOptions {
  /** `StoryInfo.StepRunNamespace`; else the client namespace. */
  readonly namespace?: string;
  /** `BUBU_ENGRAM_NAME`; when empty the StepRun's `spec.engramRef.name` is read. */
  readonly engramName?: string;
  /** `StoryInfo.StepRunID`, used only when there is no engram name. */
  readonly stepRunName?: string;
  readonly signal?: AbortSignal;
  /** Budget of the whole lookup; default the client's `operationTimeoutMs` (30s). */
  readonly operationTimeoutMs?: number;
  /** One GET; default `BUBU_K8S_TIMEOUT`, at most 10s. */
  readonly attemptTimeoutMs?: number;
  readonly logger?: Logger;
  /** Random source for the jitter (tests). */
  readonly random?: () => number;
  /**
   * The level of the "lookup forbidden" line: `info` (default, as in Go), or `debug` where the
   * caller knows the inputs and output are checked against the template anyway (the local Story
   * runner, which answers these lookups 403 as the operator's Role does).
   */
  readonly forbiddenLevel?: "info" | "debug";
}

/** Options of {@link resolveTemplateSchema}. */
export interface ResolveTemplateSchemaOptions extends SchemaLookupOptions {
  /**
   * What a lookup that fails (after its retries) means: `fail` throws the retryable resolution
   * error (default, as Go); `skip` logs a warning and skips validation.
   */
  readonly unavailable?: "fail" | "skip";
  /**
   * A lookup already under way (for instance one a run shares between its input and output
   * checks), used instead of a new {@link fetchEngramTemplate}; its failures count as the lookup's.
   */
  readonly lookup?: Promise<EngramTemplateLookup>;
}

/** The outcome of {@link fetchEngramTemplate}. */
export type EngramTemplateLookup =
  | { readonly found: true; readonly templateName: string; readonly template: KubeObject }
  /** Validation is skipped; `reason` says why (forbidden, no namespace, no engram name…). */
  | { readonly found: false; readonly reason: string };

/** A schema from the template, ready for validation. */
export interface TemplateSchema {
  /** `spec.inputSchema` or `spec.outputSchema` as JSON. */
  readonly schema: unknown;
  /** `EngramTemplate <name> inputs` / `EngramTemplate <name> output`, as Go names them. */
  readonly schemaName: string;
  readonly templateName: string;
}

/**
 * Resolves the EngramTemplate. A 403 on the Engram or EngramTemplate GET, or a missing client,
 * namespace, engram name or template name, skips (`found: false`). Any other failure throws an
 * `Error` whose message is Go's (`resolve engram name: …`, `fetch engram: …`,
 * `fetch engram template: …`). A 403 on the StepRun GET is such a failure, as in Go.
 */
export async function fetchEngramTemplate(
  client: KubeClient | undefined,
  options: SchemaLookupOptions = {},
): Promise<EngramTemplateLookup> {
  const log = options.logger;
  if (client === undefined) return skip(log, "no Kubernetes client");
  const namespace = (options.namespace ?? "").trim() || client.namespace.trim();
  if (namespace === "") return skip(log, "step run namespace unavailable");
  const signal = withTimeout(
    options.operationTimeoutMs ?? client.config.operationTimeoutMs ?? DEFAULT_K8S_OPERATION_TIMEOUT_MS,
    options.signal,
  );
  const timeoutMs = options.attemptTimeoutMs ?? attemptTimeoutMs(client.config.timeoutMs);
  const get = (r: GroupVersionResource, ns: string | undefined, name: string): Promise<KubeObject> =>
    getRetrying(client, r, ns, name, {
      signal,
      timeoutMs,
      random: options.random ?? Math.random,
      ...(options.logger !== undefined ? { logger: options.logger } : {}),
    });

  let engramName = (options.engramName ?? "").trim();
  if (engramName === "") {
    const stepRunName = (options.stepRunName ?? "").trim();
    if (stepRunName !== "") {
      try {
        const stepRun = await get(STEP_RUNS, namespace, stepRunName);
        engramName = stringAt(stepRun, "spec", "engramRef", "name").trim();
      } catch (err) {
        throw new Error(`resolve engram name: ${messageOf(err)}`, { cause: err });
      }
    }
  }
  if (engramName === "") return skip(log, "engram name unavailable");

  let engram: KubeObject;
  try {
    engram = await get(ENGRAMS, namespace, engramName);
  } catch (err) {
    if (isForbidden(err)) {
      log?.[options.forbiddenLevel ?? "info"](
        "Schema validation skipped: Engram lookup forbidden; controller-side validation remains authoritative",
        {
          engram: engramName,
          namespace,
        },
      );
      return { found: false, reason: "engram lookup forbidden" };
    }
    throw new Error(`fetch engram: ${messageOf(err)}`, { cause: err });
  }
  const templateName = stringAt(engram, "spec", "templateRef", "name").trim();
  if (templateName === "") return skip(log, "engram template name missing");

  try {
    const template = await get(ENGRAM_TEMPLATES, undefined, templateName);
    return { found: true, templateName, template };
  } catch (err) {
    if (isForbidden(err)) {
      log?.[options.forbiddenLevel ?? "info"](
        "Schema validation skipped: EngramTemplate lookup forbidden; controller-side validation remains authoritative",
        { engram: engramName, template: templateName },
      );
      return { found: false, reason: "engramtemplate lookup forbidden" };
    }
    throw new Error(`fetch engram template: ${messageOf(err)}`, { cause: err });
  }
}

/**
 * The template's input or output schema, or `undefined` when validation is skipped (see
 * {@link fetchEngramTemplate}) or the template has no such schema. A lookup failure throws a
 * retryable `execution_error` `BubuError` (`input schema resolution failed: …`, exit class
 * `retry`), or with `unavailable: "skip"` logs a warning and returns `undefined`.
 */
export async function resolveTemplateSchema(
  client: KubeClient | undefined,
  direction: "input" | "output",
  options: ResolveTemplateSchemaOptions = {},
): Promise<TemplateSchema | undefined> {
  let lookup: EngramTemplateLookup;
  try {
    lookup = await (options.lookup ?? fetchEngramTemplate(client, options));
  } catch (err) {
    const error = schemaResolutionError(direction, err);
    if (options.unavailable !== "skip") throw error;
    options.logger?.warn(
      `Schema validation skipped: the ${direction} schema could not be read; controller-side validation remains authoritative`,
      { error: error.message },
    );
    return undefined;
  }
  if (!lookup.found) return undefined;
  const spec = lookup.template["spec"];
  const schema =
    typeof spec === "object" && spec !== null
      ? (spec as Record<string, unknown>)[direction === "input" ? "inputSchema" : "outputSchema"]
      : undefined;
  if (schema === undefined || schema === null) return undefined;
  return {
    schema,
    schemaName: `EngramTemplate ${templateNameOf(lookup)} ${direction === "input" ? "inputs" : "output"}`,
    templateName: lookup.templateName,
  };
}

/**
 * One GET, tried again after transient failures until `signal` ends. Throws the last failure of
 * its own (a connection error says more than the budget's abort).
 */
async function getRetrying(
  client: KubeClient,
  r: GroupVersionResource,
  namespace: string | undefined,
  name: string,
  options: {
    readonly signal: AbortSignal;
    readonly timeoutMs: number;
    readonly random: () => number;
    readonly logger?: Logger;
  },
): Promise<KubeObject> {
  const { signal, timeoutMs, random } = options;
  let backoff = LOOKUP_INITIAL_BACKOFF_MS;
  let lastError: unknown;
  for (;;) {
    try {
      return await client.get(r, namespace, name, { signal, timeoutMs });
    } catch (err) {
      if (signal.aborted) throw lastError ?? err;
      if (retryDecision(err) !== "retry") throw err;
      lastError = err;
    }
    const delayMs = jitter(backoff, random);
    options.logger?.debug("Schema lookup failed; retrying", {
      resource: r.resource,
      name,
      error: messageOf(lastError),
      retryInMs: Math.round(delayMs),
    });
    try {
      await sleep(delayMs, signal);
    } catch {
      throw lastError;
    }
    backoff = nextBackoff(backoff);
  }
}

/** First pause between lookup attempts; it doubles after each. */
const LOOKUP_INITIAL_BACKOFF_MS = 100;

function templateNameOf(lookup: { templateName: string; template: KubeObject }): string {
  const name = stringAt(lookup.template, "metadata", "name");
  return name !== "" ? name : lookup.templateName;
}

function skip(log: Logger | undefined, reason: string): EngramTemplateLookup {
  log?.debug(`Schema validation skipped: ${reason}`);
  return { found: false, reason };
}

function stringAt(obj: unknown, ...path: string[]): string {
  let cur: unknown = obj;
  for (const key of path) {
    if (typeof cur !== "object" || cur === null) return "";
    cur = (cur as Record<string, unknown>)[key];
  }
  return typeof cur === "string" ? cur : "";
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
