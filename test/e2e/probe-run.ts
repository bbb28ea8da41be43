/**
 * Runs a one-step Story around a probe engram and reports what happened: what was written to the
 * StepRun status (from the apiserver's audit log; the operator writes as bubu-test-admin, the
 * engram as the pod's service account), the StepRun and StoryRun at the end, the operator's
 * StepRun events and the exit of every pod started.
 *
 * @module
 */
import { readdirSync, readFileSync } from "node:fs";
import type { Json, KubeApi } from "../peers/cluster/kube-api.ts";
import { collectionPath, waitFor } from "../peers/cluster/objects.ts";
import type { ClusterPeer } from "../peers/cluster/peer.ts";
import type { RuntimeName } from "../support/spawn.ts";
import { applyAll, e2eNamespace, engram, engramTemplate, runStory, story } from "./story-run.ts";

export interface ProbeCase {
  readonly name: string;
  readonly what: string;
  readonly probe: "sdk" | "raw" | "go";
  readonly with: Json;
  /** Step `execution` (retry policy and timeout); default: maxRetries 2, delay 1s, constant. */
  readonly execution?: Json;
  /** Delete the pod (SIGTERM from the kubelet) once the engram runs its first attempt. */
  readonly deletePod?: boolean;
}

export const RETRY = { maxRetries: 2, delay: "1s", backoff: "constant" };

/** A failure's status fields without a phase, as an SDK writes them. */
export function failureStatus(exitCode: number, exitClass: string, message: string, type = "execution_error"): Json {
  return {
    exitCode,
    exitClass,
    lastFailureMsg: message,
    error: { version: "v1", type, message, retryable: exitClass === "retry", exitCode, exitClass },
  };
}

export interface Observed {
  case: string;
  what: string;
  storyRun: { phase?: unknown; message?: unknown; error?: unknown };
  stepRun: Json;
  podsStarted: number;
  podExits: string[];
  statusWrites: { by: string; status: unknown }[];
  events: string[];
}

function auditStatusWrites(peer: ClusterPeer, ns: string): { by: string; status: unknown }[] {
  return readFileSync(peer.auditLog, "utf8")
    .split("\n")
    .filter(
      (l) =>
        l.includes(`"namespace":"${ns}"`) &&
        l.includes('"resource":"stepruns"') &&
        l.includes('"subresource":"status"'),
    )
    .map((l) => JSON.parse(l) as Json)
    .filter((e) => e.verb === "patch" || e.verb === "update")
    .map((e) => {
      const {
        conditions: _c,
        observedGeneration: _g,
        ...status
      } = ((e.requestObject as Json | undefined)?.status ?? {}) as Json;
      return {
        by: `${(e.user as { username: string }).username} ${e.verb} ${(e.responseStatus as { code: number }).code}`,
        status,
      };
    });
}

export async function runProbe(peer: ClusterPeer, rt: RuntimeName, c: ProbeCase): Promise<Observed> {
  const image = c.probe === "go" ? "bubu-e2e/go-probe" : `bubu-e2e/${c.probe}-probe:${rt}`;
  const { api, ns, close } = await e2eNamespace(peer, `retry-${c.name}`.slice(0, 40));
  try {
    await applyAll(api, [
      engramTemplate("probe", ns, image),
      engram("probe", ns, "probe", { with: c.with }),
      story("s", ns, {
        steps: [{ name: "probe", ref: { name: "probe" }, execution: c.execution ?? { retry: RETRY } }],
      }),
    ]);
    const killer = c.deletePod ? deleteFirstPod(peer, api, ns) : Promise.resolve();
    const run = await runStory(peer, api, ns, "s", {}, { timeoutMs: 180_000 });
    await killer;
    const step = run.steps.get("probe");
    // The operator records events with the events.k8s.io/v1 API.
    const events = await api.get<{ items: Json[] }>(`/apis/events.k8s.io/v1/namespaces/${ns}/events`);
    const podDirs = readdirSync(peer.podsDir).filter((d) => d.startsWith(`${ns}_`));
    const st = (step?.status ?? {}) as Json;
    return {
      case: c.name,
      what: c.what,
      storyRun: { phase: run.status.phase, message: run.status.message, error: run.status.error },
      stepRun: {
        phase: st.phase,
        retries: st.retries,
        exitCode: st.exitCode,
        exitClass: st.exitClass,
        lastFailureMsg: st.lastFailureMsg,
        error: st.error,
        output: st.output,
      },
      podsStarted: podDirs.length,
      podExits: podDirs.map((d) => {
        try {
          return readFileSync(`${peer.podsDir}/${d}/exit`, "utf8").trim();
        } catch {
          return "?";
        }
      }),
      // bubu-test-admin is the operator (it runs with the admin kubeconfig); the SDK writes as the
      // pod's service account.
      statusWrites: auditStatusWrites(peer, ns),
      events: events.items
        .filter((e) => (e.regarding as { kind?: string } | undefined)?.kind === "StepRun")
        .map((e) => `${e.reason}: ${e.note}`),
    };
  } finally {
    await close();
  }
}

/** Waits until the first pod's engram has started its attempt, then deletes the pod (default grace). */
async function deleteFirstPod(peer: ClusterPeer, api: KubeApi, ns: string): Promise<void> {
  const pod = await waitFor(
    `a running pod in ${ns}`,
    async () => {
      const pods = await api.get<{ items: Json[] }>(`/api/v1/namespaces/${ns}/pods`);
      const p = pods.items.find((x) => (x.status as { phase?: string }).phase === "Running");
      return p ? (p.metadata as { name: string }).name : undefined;
    },
    { timeoutMs: 60_000 },
  );
  // The attempt file is written inside Process: the engram is past its start-up.
  await waitFor(
    "the first attempt to start",
    async () => (readdirSync(`${peer.stateDir}/attempts`).some((f) => f.startsWith(`${ns}_`)) ? true : undefined),
    { timeoutMs: 60_000, intervalMs: 100 },
  ).catch(() => undefined);
  await new Promise((r) => setTimeout(r, 500));
  await api.raw("DELETE", `${collectionPath("v1", "Pod", ns)}/${pod}`);
}
