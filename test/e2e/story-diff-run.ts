/**
 * Runs one Story of the differential corpus on one side — the cluster peer (the real operator) or
 * the local runner (`runStory`) — and reduces what happened to the same shape on both sides:
 * the StoryRun's phase, reason, message, error and output; per step its phase and message (the
 * StoryRun's `stepStates`), the StepRun status the SDK and the controller left, how many pods
 * (processes) ran, and the environment each of them got (written by the engram itself).
 *
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { StoryRunResult } from "../../src/story/result.ts";
import { runStory } from "../../src/story/run-story.ts";
import type { StoryResources } from "../../src/story/types.ts";
import type { Json, KubeApi } from "../peers/cluster/kube-api.ts";
import { apply, collectionPath, waitFor } from "../peers/cluster/objects.ts";
import type { ClusterPeer } from "../peers/cluster/peer.ts";
import { describeNamespace, TERMINAL } from "./story-run.ts";

/** What one step did, on either side. */
export interface SideStep {
  readonly phase?: unknown;
  readonly message?: unknown;
  /** The StepRun status fields both sides write; absent for steps without a StepRun. */
  readonly stepRun?: Json;
  /** The environment of each pod (process), in order. */
  readonly envs: readonly Record<string, string>[];
  /** An executeStory step's sub-run. */
  readonly sub?: SideRun;
}

/** What one StoryRun did, on either side. */
export interface SideRun {
  readonly name: string;
  readonly phase?: unknown;
  readonly reason?: unknown;
  readonly message?: unknown;
  readonly error?: unknown;
  readonly output?: unknown;
  readonly allowedFailures?: unknown;
  readonly steps: Readonly<Record<string, SideStep>>;
}

/** The StepRun status fields compared (timestamps, conditions and signals are left out). */
const STATUS_FIELDS = ["phase", "retries", "exitCode", "exitClass", "output", "error", "lastFailureMsg"] as const;
/** The StepRun spec fields both sides write. */
const SPEC_FIELDS = ["storyRunRef", "stepId", "engramRef", "input", "timeout", "retry"] as const;

function pick(obj: unknown, fields: readonly string[]): Json {
  const out: Json = {};
  for (const k of fields) if ((obj as Json | undefined)?.[k] !== undefined) out[k] = (obj as Json)[k];
  return out;
}

/**
 * The compared part of a StepRun: `spec.<field>`, the status fields by name, and for a StepRun
 * the controller failed without a `lastFailureMsg` the reason and message of its Ready condition
 * (where the why is then kept).
 */
function pickStepRun(run: Json): Json {
  const spec = pick(run.spec, SPEC_FIELDS);
  const status = (run.status ?? {}) as Json;
  const ready = ((status.conditions ?? []) as Json[]).find((c) => c.type === "Ready" && c.status === "False");
  const silentFailure = status.phase === "Failed" && status.lastFailureMsg === undefined && ready !== undefined;
  return {
    ...pick(status, STATUS_FIELDS),
    ...Object.fromEntries(Object.entries(spec).map(([k, v]) => [`spec.${k}`, v])),
    ...(silentFailure ? { ready: `${String(ready.reason)}: ${String(ready.message)}` } : {}),
  };
}

/** The env files `engrams/story-diff-engram.ts` wrote for a StepRun, attempt by attempt. */
export function envsOf(dir: string, ns: string, stepRun: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (let i = 1; existsSync(join(dir, `${ns}_${stepRun}.${i}.json`)); i++) {
    out.push(JSON.parse(readFileSync(join(dir, `${ns}_${stepRun}.${i}.json`), "utf8")) as Record<string, string>);
  }
  return out;
}

// --- the cluster ------------------------------------------------------------------------------

const RUNS = "runs.bubustack.io/v1alpha1";

/** Starts `<story>-run` on the cluster and waits until the operator ends it. */
export async function runOnCluster(
  peer: ClusterPeer,
  api: KubeApi,
  ns: string,
  story: string,
  inputs: Json,
  envDir: string,
): Promise<SideRun> {
  const name = `${story}-run`;
  await apply(api, {
    apiVersion: RUNS,
    kind: "StoryRun",
    metadata: { name, namespace: ns },
    spec: { storyRef: { name: story }, inputs },
  });
  const path = `${collectionPath(RUNS, "StoryRun", ns)}/${name}`;
  await waitFor(
    `StoryRun ${ns}/${name} to end`,
    async () => {
      const phase = ((await api.get<Json>(path)).status as { phase?: string } | undefined)?.phase;
      return phase !== undefined && TERMINAL.has(phase) ? true : undefined;
    },
    { timeoutMs: 240_000, intervalMs: 500, describe: () => describeNamespace(peer, api, ns, name) },
  );
  // The operator writes the final phase first and the step states it merged in the same pass
  // right after: wait for them (a few ms), but not for a step a cluster leaves open.
  await waitFor(
    `the step states of ${ns}/${name} to settle`,
    async () => {
      const states = (((await api.get<Json>(path)).status ?? {}) as Json).stepStates as
        | Record<string, { phase?: string }>
        | undefined;
      return Object.values(states ?? {}).every((st) => st.phase !== undefined && TERMINAL.has(st.phase))
        ? true
        : undefined;
    },
    { timeoutMs: 10_000, intervalMs: 200 },
  ).catch(() => undefined);
  return await collectCluster(api, ns, name, envDir);
}

async function collectCluster(api: KubeApi, ns: string, name: string, envDir: string): Promise<SideRun> {
  const sr = await api.get<Json>(`${collectionPath(RUNS, "StoryRun", ns)}/${name}`);
  const status = (sr.status ?? {}) as Json;
  const list = await api.get<{ items: Json[] }>(collectionPath(RUNS, "StepRun", ns));
  const stepRuns = new Map<string, Json>();
  for (const s of list.items) {
    const spec = s.spec as { stepId: string; storyRunRef: { name: string } };
    if (spec.storyRunRef.name === name) stepRuns.set(spec.stepId, s);
  }
  const ready = ((status.conditions ?? []) as Json[]).find((c) => c.type === "Ready");
  const steps: Record<string, SideStep> = {};
  for (const [step, st] of Object.entries((status.stepStates ?? {}) as Record<string, Json>)) {
    const run = stepRuns.get(step);
    const stepRunName = run ? (run.metadata as { name: string }).name : undefined;
    steps[step] = {
      phase: st.phase,
      message: st.message,
      ...(run ? { stepRun: pickStepRun(run) } : {}),
      envs: stepRunName ? envsOf(envDir, ns, stepRunName) : [],
      ...(typeof st.subStoryRunName === "string" && st.subStoryRunName !== ""
        ? { sub: await collectCluster(api, ns, st.subStoryRunName, envDir) }
        : {}),
    };
  }
  return {
    name,
    phase: status.phase,
    reason: ready?.reason,
    message: status.message,
    error: status.error,
    output: status.output,
    allowedFailures: status.allowedFailures,
    steps,
  };
}

// --- the local runner ---------------------------------------------------------------------------

/** Runs `<story>-run` with the local runner: the same names, namespace and manifests. */
export async function runLocally(
  resources: StoryResources,
  ns: string,
  story: string,
  inputs: Json,
  command: readonly string[],
  envDir: string,
  baseDir: string,
): Promise<SideRun> {
  const result = await runStory({
    story,
    resources,
    inputs,
    namespace: ns,
    storyRunName: `${story}-run`,
    engrams: { fixture: [...command] },
    env: { BUBU_DIFF_DIR: envDir },
    baseDir,
    graceMs: 5000,
  });
  return reduceLocal(result, ns, envDir);
}

function reduceLocal(r: StoryRunResult, ns: string, envDir: string): SideRun {
  const steps: Record<string, SideStep> = {};
  for (const [name, s] of Object.entries(r.steps)) {
    // A parallel branch is not a step of the StoryRun (the operator has no stepStates entry).
    if (s.kind === "branch") continue;
    const stepRunName = s.stepRun ? ((s.stepRun.metadata ?? {}) as { name?: string }).name : undefined;
    steps[name] = {
      phase: s.phase,
      message: s.message ?? "",
      ...(s.stepRun ? { stepRun: pickStepRun(s.stepRun) } : {}),
      envs: stepRunName ? envsOf(envDir, ns, stepRunName) : [],
      ...(s.subStoryRun ? { sub: reduceLocal(s.subStoryRun, ns, envDir) } : {}),
    };
  }
  return {
    name: r.name,
    phase: r.phase,
    reason: r.reason,
    message: r.message,
    error: r.error,
    output: r.output,
    allowedFailures: r.allowedFailures,
    steps,
  };
}
