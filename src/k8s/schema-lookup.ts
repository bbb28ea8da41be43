/**
 * EngramTemplate schema lookup for input/output validation: StepRun → Engram → EngramTemplate
 * (`contract/kubernetes.md`, "Schema lookups"; Go `schema_validation.go`). No caching, as in Go.
 * @module
 */

import { schemaResolutionError } from "../schema/validation-error.ts";
import type { Logger } from "../observability/logger.ts";
import { withTimeout } from "./backoff.ts";
import type { KubeClient, KubeObject } from "./client.ts";
import { isForbidden } from "./errors.ts";
import { ENGRAM_TEMPLATES, ENGRAMS, STEP_RUNS } from "./resources.ts";
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
  readonly logger?: Logger;
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

  let engramName = (options.engramName ?? "").trim();
  if (engramName === "") {
    const stepRunName = (options.stepRunName ?? "").trim();
    if (stepRunName !== "") {
      try {
        const stepRun = await client.get(STEP_RUNS, namespace, stepRunName, { signal });
        engramName = stringAt(stepRun, "spec", "engramRef", "name").trim();
      } catch (err) {
        throw new Error(`resolve engram name: ${messageOf(err)}`, { cause: err });
      }
    }
  }
  if (engramName === "") return skip(log, "engram name unavailable");

  let engram: KubeObject;
  try {
    engram = await client.get(ENGRAMS, namespace, engramName, { signal });
  } catch (err) {
    if (isForbidden(err)) {
      log?.info("Schema validation skipped: Engram lookup forbidden; controller-side validation remains authoritative", {
        engram: engramName,
        namespace,
      });
      return { found: false, reason: "engram lookup forbidden" };
    }
    throw new Error(`fetch engram: ${messageOf(err)}`, { cause: err });
  }
  const templateName = stringAt(engram, "spec", "templateRef", "name").trim();
  if (templateName === "") return skip(log, "engram template name missing");

  try {
    const template = await client.get(ENGRAM_TEMPLATES, undefined, templateName, { signal });
    return { found: true, templateName, template };
  } catch (err) {
    if (isForbidden(err)) {
      log?.info(
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
 * `retry`).
 */
export async function resolveTemplateSchema(
  client: KubeClient | undefined,
  direction: "input" | "output",
  options: SchemaLookupOptions = {},
): Promise<TemplateSchema | undefined> {
  let lookup: EngramTemplateLookup;
  try {
    lookup = await fetchEngramTemplate(client, options);
  } catch (err) {
    throw schemaResolutionError(direction, err);
  }
  if (!lookup.found) return undefined;
  const spec = lookup.template["spec"];
  const schema = typeof spec === "object" && spec !== null
    ? (spec as Record<string, unknown>)[direction === "input" ? "inputSchema" : "outputSchema"]
    : undefined;
  if (schema === undefined || schema === null) return undefined;
  return {
    schema,
    schemaName: `EngramTemplate ${templateNameOf(lookup)} ${direction === "input" ? "inputs" : "output"}`,
    templateName: lookup.templateName,
  };
}


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
