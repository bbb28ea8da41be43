/**
 * The batch seams in a cluster: StepRun status writes and EngramTemplate schema validation
 * through the Kubernetes API (contract batch.md §2, kubernetes.md).
 * @module
 */
import type { BubuEnv } from "../env/load.ts";
import { createKubeClient, type KubeRuntime } from "../k8s/create-client.ts";
import type { KubeClient } from "../k8s/client.ts";
import { resolveTemplateSchema } from "../k8s/schema-lookup.ts";
import type { Logger } from "../observability/logger.ts";
import { assertTemplatePayload } from "../schema/validation-error.ts";
import { setDefaultStepRunTarget } from "../signals/target.ts";
import type { BatchSeams } from "./seams.ts";
import { writeTerminalStatus } from "./terminal-write.ts";

/** The cluster seams and the client behind them. */
export interface ClusterSeams {
  readonly client: KubeClient;
  readonly seams: BatchSeams;
  /** Uninstalls the default StepRun target installed here and closes the client. */
  close(): Promise<void>;
}

/**
 * Creates the Kubernetes client and the seams that use it. Status writes go to
 * `StepRun <client namespace>/<BUBU_STEPRUN_NAME>`, as Go's `PatchStepRunStatus`.
 */
export async function createClusterSeams(runtime: KubeRuntime, env: BubuEnv, logger: Logger): Promise<ClusterSeams> {
  const client = await createKubeClient(runtime);
  const info = env.storyInfo;
  // Signals and effects emitted by the engram reuse this client and StepRun.
  if (info.stepRunID !== "") {
    setDefaultStepRunTarget({ client, namespace: info.stepRunNamespace || client.namespace, name: info.stepRunID, env: runtime.env });
  }
  const lookup = { namespace: info.stepRunNamespace, engramName: env.identity.engramName, stepRunName: info.stepRunID, logger };
  const seams: BatchSeams = {
    async validateInputs(inputs, signal) {
      const schema = await resolveTemplateSchema(client, "input", { ...lookup, signal });
      if (schema) assertTemplatePayload("input", schema.templateName, inputs, schema.schema);
    },
    async validateOutput(output, signal) {
      // The step has finished: a lookup that cannot run skips validation instead of failing it
      // (the controller validates the output again when the Job completes).
      const schema = await resolveTemplateSchema(client, "output", { ...lookup, signal, unavailable: "skip" });
      if (schema) assertTemplatePayload("output", schema.templateName, output, schema.schema);
    },
    async writeStatus(status, signal) {
      if (info.stepRunID === "") {
        logger.warn("BUBU_STEPRUN_NAME is not set; the StepRun status is not written");
        return;
      }
      // `signal` is the write's window: retried until it ends, not just for one operation budget.
      await writeTerminalStatus(client, info.stepRunID, status, signal, logger);
    },
  };
  return {
    client,
    seams,
    async close() {
      // Signals and effects called after the run must not get a closed client.
      if (info.stepRunID !== "") setDefaultStepRunTarget(undefined);
      await client.close();
    },
  };
}
