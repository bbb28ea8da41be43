/**
 * The batch services of a cluster run: StepRun status writes and validation against the
 * EngramTemplate's schemas, through the run's Kubernetes client.
 * @module
 */
import type { BubuEnv } from "../env/load.ts";
import type { KubeClient } from "../k8s/client.ts";
import { type EngramTemplateLookup, fetchEngramTemplate, resolveTemplateSchema } from "../k8s/schema-lookup.ts";
import type { Logger } from "../observability/logger.ts";
import type { BatchServices } from "./services.ts";
import { writeTerminalStatus } from "./terminal-write.ts";

/** What {@link clusterServices} returns. */
export type ClusterServices = Pick<BatchServices, "validateInputs" | "validateOutput" | "writeStatus"> & {
  /**
   * Starts the EngramTemplate lookup now, so that it overlaps config decoding and `init`;
   * `signal` (SIGTERM) stops it. The input check then waits for it.
   */
  prefetchTemplate(signal: AbortSignal): void;
};

/**
 * Status writes go to `StepRun <client namespace>/<BUBU_STEPRUN_NAME>`; inputs and output are
 * checked against the template's schemas when the run may read them.
 *
 * @remarks The Go SDK looks the template up again for the output (StepRun → Engram →
 * EngramTemplate GETs each time). Here a run looks it up once and checks the output against the
 * template its inputs were checked against, unless that lookup failed: one to three GETs fewer,
 * none of them part of what the operator reads. The lookup starts before `init`, so its GETs
 * come before any request `init` makes; the status writes are unchanged.
 */
export function clusterServices(
  client: () => Promise<KubeClient>,
  env: BubuEnv,
  logger: Logger,
  options: { readonly forbiddenLevel?: "info" | "debug" } = {},
): ClusterServices {
  const info = env.storyInfo;
  const lookup = {
    namespace: info.stepRunNamespace,
    engramName: env.identity.engramName,
    stepRunName: info.stepRunID,
    logger,
    ...(options.forbiddenLevel !== undefined ? { forbiddenLevel: options.forbiddenLevel } : {}),
  };
  let shared: Promise<EngramTemplateLookup> | undefined;
  const template = (signal: AbortSignal): Promise<EngramTemplateLookup> => {
    if (shared === undefined) {
      const started = (async () => fetchEngramTemplate(await client(), { ...lookup, signal }))();
      shared = started;
      // A failed lookup is not kept: the output check tries again (and skips if it cannot).
      started.catch(() => {
        if (shared === started) shared = undefined;
      });
    }
    return shared;
  };
  return {
    prefetchTemplate(signal) {
      template(signal).catch(() => {}); // reported by the input check that waits for it
    },
    async validateInputs(inputs, signal) {
      const schema = await resolveTemplateSchema(await client(), "input", {
        ...lookup,
        signal,
        lookup: until(template(signal), signal),
      });
      if (schema)
        (await import("../schema/validation-error.ts")).assertTemplatePayload(
          "input",
          schema.templateName,
          inputs,
          schema.schema,
        );
    },
    async validateOutput(output, signal) {
      // The step has finished: a lookup that cannot run skips validation instead of failing it
      // (the controller validates the output again when the Job completes).
      const schema = await resolveTemplateSchema(await client(), "output", {
        ...lookup,
        signal,
        unavailable: "skip",
        lookup: until(template(signal), signal),
      });
      if (schema)
        (await import("../schema/validation-error.ts")).assertTemplatePayload(
          "output",
          schema.templateName,
          output,
          schema.schema,
        );
    },
    async writeStatus(status, signal, end) {
      if (info.stepRunID === "") {
        logger.warn("BUBU_STEPRUN_NAME is not set; the StepRun status is not written");
        return;
      }
      // `signal` is the write's window: retried until it ends, not just for one operation budget.
      await writeTerminalStatus(await client(), info.stepRunID, status, end, signal, logger);
    },
  };
}

/** `p`, or a rejection with `signal`'s reason once it aborts (the shared lookup runs on). */
function until<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
