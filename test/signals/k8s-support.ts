// Helpers for signal/effect tests against the Kubernetes API peer: clients with a controlled
// environment, StepRuns seeded as the controller would, explicit targets.
import type { KubeClient } from "../../src/k8s/client.ts";
import { createKubeClient } from "../../src/k8s/create-client.ts";
import { STEP_RUNS } from "../../src/k8s/resources.ts";
import type { StepRunTarget } from "../../src/k8s/steprun-target.ts";
import { detectRuntime } from "../../src/runtime/detect.ts";

/** A client for `kubeconfigPath` that sees only `env` (no in-cluster variables leak in). */
export async function peerClient(kubeconfigPath: string, env: Record<string, string> = {}): Promise<KubeClient> {
  const rt = detectRuntime();
  return createKubeClient(
    {
      env: (n) => env[n],
      fs: rt.fs,
      homeDir: () => "/nonexistent",
      cwd: () => "/",
      createTlsFetch: (o) => rt.createTlsFetch(o),
    },
    { kubeconfigPath },
  );
}

/** Creates a StepRun with the controller's first status (`retries` is required by the CRD). */
export async function createStepRun(
  c: KubeClient,
  ns: string,
  name: string,
  status: Record<string, unknown> = {},
  spec: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
  const created = await c.create(STEP_RUNS, ns, {
    apiVersion: "runs.bubustack.io/v1alpha1",
    kind: "StepRun",
    metadata: { name, namespace: ns },
    spec: { stepId: "it", storyRunRef: { name: "it-run" }, ...spec },
  });
  await c.patchStatus(STEP_RUNS, ns, name, { status: { phase: "Running", retries: 0, ...status } });
  return created;
}

/** The StepRun's status. */
export async function statusOf(c: KubeClient, ns: string, name: string): Promise<Record<string, any>> {
  const got = await c.get(STEP_RUNS, ns, name);
  return (got["status"] ?? {}) as Record<string, any>;
}

/** An explicit target with its own env for the tunables. */
export function targetOf(
  client: KubeClient,
  namespace: string,
  name: string,
  env: Record<string, string> = {},
): StepRunTarget {
  return { client, namespace, name, env: (n) => env[n] };
}
