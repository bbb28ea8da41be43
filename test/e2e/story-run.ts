/**
 * End-to-end helpers: put an EngramTemplate, Engrams and a Story into a fresh namespace of the
 * cluster peer, start a StoryRun, wait until the operator ends it, and collect its StepRuns.
 *
 * @module
 */
import type { Json, KubeApi } from "../peers/cluster/kube-api.ts";
import { apply, collectionPath, createNamespace, operatorLines, podLogs, waitFor } from "../peers/cluster/objects.ts";
import type { ClusterPeer } from "../peers/cluster/peer.ts";

export const TERMINAL = new Set([
  "Succeeded",
  "Failed",
  "Finished",
  "Canceled",
  "Compensated",
  "Timeout",
  "Aborted",
  "Skipped",
]);

export interface StepRunView {
  readonly name: string;
  readonly stepId: string;
  readonly status: Json;
}

export interface Finished {
  readonly storyRun: Json;
  readonly status: Json;
  /** By step id. */
  readonly steps: Map<string, StepRunView>;
}

/** A fresh namespace plus the admin client; `close()` deletes the namespace. */
export async function e2eNamespace(
  peer: ClusterPeer,
  prefix: string,
): Promise<{ api: KubeApi; ns: string; close(): Promise<void> }> {
  const api = peer.api();
  const ns = await createNamespace(api, prefix);
  return {
    api,
    ns,
    async close() {
      // The EngramTemplates are cluster-scoped and named after the namespace.
      const tpl = await api.get<{ items: Json[] }>(collectionPath("catalog.bubustack.io/v1alpha1", "EngramTemplate"));
      for (const t of tpl.items) {
        const name = (t.metadata as { name: string }).name;
        if (name.endsWith(`-${ns}`))
          await api.raw("DELETE", `${collectionPath("catalog.bubustack.io/v1alpha1", "EngramTemplate")}/${name}`);
      }
      await api.raw("DELETE", `/api/v1/namespaces/${ns}`);
      api.close();
    },
  };
}

/** The StepRuns of a namespace, by step id. */
export async function stepRuns(api: KubeApi, ns: string): Promise<Map<string, StepRunView>> {
  const list = await api.get<{ items: Json[] }>(collectionPath("runs.bubustack.io/v1alpha1", "StepRun", ns));
  const out = new Map<string, StepRunView>();
  for (const s of list.items) {
    const spec = s.spec as { stepId: string };
    out.set(spec.stepId, {
      name: (s.metadata as { name: string }).name,
      stepId: spec.stepId,
      status: (s.status ?? {}) as Json,
    });
  }
  return out;
}

/** Everything a failure message needs about a namespace. */
export async function describeNamespace(
  peer: ClusterPeer,
  api: KubeApi,
  ns: string,
  storyRun?: string,
): Promise<string> {
  const parts: string[] = [];
  if (storyRun) {
    const sr = await api.raw("GET", `${collectionPath("runs.bubustack.io/v1alpha1", "StoryRun", ns)}/${storyRun}`);
    parts.push(
      `StoryRun ${storyRun}: ${sr.status === 200 ? JSON.stringify((JSON.parse(sr.body) as Json).status ?? {}) : sr.status}`,
    );
  }
  for (const [id, s] of await stepRuns(api, ns)) parts.push(`StepRun ${s.name} (${id}): ${JSON.stringify(s.status)}`);
  const pods = await api.get<{ items: Json[] }>(`/api/v1/namespaces/${ns}/pods`);
  for (const p of pods.items)
    parts.push(
      `Pod ${(p.metadata as { name: string }).name}: ${JSON.stringify((p.status as Json)?.containerStatuses ?? (p.status as Json)?.phase)}`,
    );
  parts.push(podLogs(peer, ns));
  parts.push(`operator log lines for ${ns}:\n${operatorLines(peer, ns, 25)}`);
  return parts.join("\n");
}

/** Applies the objects in order (templates before engrams before stories). */
export async function applyAll(api: KubeApi, objects: readonly Json[]): Promise<void> {
  for (const o of objects) await apply(api, o);
}

/** Creates a StoryRun and waits until its phase is terminal (or `until` says so). */
export async function runStory(
  peer: ClusterPeer,
  api: KubeApi,
  ns: string,
  story: string,
  inputs: Json,
  opts: { name?: string; timeoutMs?: number } = {},
): Promise<Finished> {
  const name = opts.name ?? `${story}-run`;
  await apply(api, {
    apiVersion: "runs.bubustack.io/v1alpha1",
    kind: "StoryRun",
    metadata: { name, namespace: ns },
    spec: { storyRef: { name: story }, inputs },
  });
  const path = `${collectionPath("runs.bubustack.io/v1alpha1", "StoryRun", ns)}/${name}`;
  const storyRun = await waitFor(
    `StoryRun ${ns}/${name} to end`,
    async () => {
      const sr = await api.get<Json>(path);
      const phase = (sr.status as { phase?: string } | undefined)?.phase;
      return phase !== undefined && TERMINAL.has(phase) ? sr : undefined;
    },
    { timeoutMs: opts.timeoutMs ?? 120_000, describe: () => describeNamespace(peer, api, ns, name) },
  );
  return { storyRun, status: storyRun.status as Json, steps: await stepRuns(api, ns) };
}

/** The EngramTemplate, under a cluster-unique name `<base>-<namespace>`. */
export function engramTemplate(base: string, ns: string, image: string, spec: Json = {}): Json {
  return {
    apiVersion: "catalog.bubustack.io/v1alpha1",
    kind: "EngramTemplate",
    metadata: { name: `${base}-${ns}` },
    spec: { version: "0.1.0", image, supportedModes: ["job"], ...spec },
  };
}

export function engram(name: string, ns: string, template: string, spec: Json = {}): Json {
  return {
    apiVersion: "bubustack.io/v1alpha1",
    kind: "Engram",
    metadata: { name, namespace: ns },
    spec: { templateRef: { name: `${template}-${ns}` }, ...spec },
  };
}

export function story(name: string, ns: string, spec: Json): Json {
  return { apiVersion: "bubustack.io/v1alpha1", kind: "Story", metadata: { name, namespace: ns }, spec };
}
