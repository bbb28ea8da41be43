/**
 * The batch services of a cluster run: StepRun status writes and validation against the
 * EngramTemplate's schemas, through the run's Kubernetes client.
 * @module
 */
import type { BubuEnv } from "../env/load.ts";
import type { KubeClient } from "../k8s/client.ts";
import { resolveTemplateSchema } from "../k8s/schema-lookup.ts";
import type { Logger } from "../observability/logger.ts";
import type { BatchServices } from "./services.ts";
import { writeTerminalStatus } from "./terminal-write.ts";
import { assertTemplatePayload } from "../schema/validation-error.ts";

/**
 * Status writes go to `StepRun <client namespace>/<BUBU_STEPRUN_NAME>`; inputs and output are
 * checked against the template's schemas when the run may read them.
 */
export function clusterServices(
  client: () => Promise<KubeClient>,
  env: BubuEnv,
  logger: Logger,
): Pick<BatchServices, "validateInputs" | "validateOutput" | "writeStatus"> {
  const info = env.storyInfo;
  const lookup = { namespace: info.stepRunNamespace, engramName: env.identity.engramName, stepRunName: info.stepRunID, logger };
  return {
    async validateInputs(inputs, signal) {
      const schema = await resolveTemplateSchema(await client(), "input", { ...lookup, signal });
      if (schema) assertTemplatePayload("input", schema.templateName, inputs, schema.schema);
    },
    async validateOutput(output, signal) {
      // The step has finished: a lookup that cannot run skips validation instead of failing it
      // (the controller validates the output again when the Job completes).
      const schema = await resolveTemplateSchema(await client(), "output", { ...lookup, signal, unavailable: "skip" });
      if (schema) assertTemplatePayload("output", schema.templateName, output, schema.schema);
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
