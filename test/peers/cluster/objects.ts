/**
 * Test helpers on the cluster peer: apply objects, wait for a condition, register images with the
 * process kubelet, and collect what a failure message needs (pod logs, operator log lines).
 *
 * @module
 */
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import type { Json, KubeApi } from "./kube-api.ts";
import type { ClusterPeer } from "./peer.ts";

interface Resource {
  readonly base: string;
  readonly plural: string;
  readonly namespaced: boolean;
}

const RESOURCES: Record<string, Resource> = {
  "v1/Namespace": { base: "/api/v1", plural: "namespaces", namespaced: false },
  "v1/Secret": { base: "/api/v1", plural: "secrets", namespaced: true },
  "v1/ConfigMap": { base: "/api/v1", plural: "configmaps", namespaced: true },
  "v1/Pod": { base: "/api/v1", plural: "pods", namespaced: true },
  "v1/Event": { base: "/api/v1", plural: "events", namespaced: true },
  "batch/v1/Job": { base: "/apis/batch/v1", plural: "jobs", namespaced: true },
  "apps/v1/Deployment": { base: "/apis/apps/v1", plural: "deployments", namespaced: true },
  "apps/v1/ReplicaSet": { base: "/apis/apps/v1", plural: "replicasets", namespaced: true },
  "rbac.authorization.k8s.io/v1/Role": {
    base: "/apis/rbac.authorization.k8s.io/v1",
    plural: "roles",
    namespaced: true,
  },
  "catalog.bubustack.io/v1alpha1/ImpulseTemplate": {
    base: "/apis/catalog.bubustack.io/v1alpha1",
    plural: "impulsetemplates",
    namespaced: false,
  },
  "bubustack.io/v1alpha1/Impulse": { base: "/apis/bubustack.io/v1alpha1", plural: "impulses", namespaced: true },
  "runs.bubustack.io/v1alpha1/StoryTrigger": {
    base: "/apis/runs.bubustack.io/v1alpha1",
    plural: "storytriggers",
    namespaced: true,
  },
  "runs.bubustack.io/v1alpha1/EffectClaim": {
    base: "/apis/runs.bubustack.io/v1alpha1",
    plural: "effectclaims",
    namespaced: true,
  },
  "catalog.bubustack.io/v1alpha1/EngramTemplate": {
    base: "/apis/catalog.bubustack.io/v1alpha1",
    plural: "engramtemplates",
    namespaced: false,
  },
  "bubustack.io/v1alpha1/Engram": { base: "/apis/bubustack.io/v1alpha1", plural: "engrams", namespaced: true },
  "bubustack.io/v1alpha1/Story": { base: "/apis/bubustack.io/v1alpha1", plural: "stories", namespaced: true },
  "runs.bubustack.io/v1alpha1/StoryRun": {
    base: "/apis/runs.bubustack.io/v1alpha1",
    plural: "storyruns",
    namespaced: true,
  },
  "runs.bubustack.io/v1alpha1/StepRun": {
    base: "/apis/runs.bubustack.io/v1alpha1",
    plural: "stepruns",
    namespaced: true,
  },
};

/** The collection path of `apiVersion/kind` (in `namespace` when namespaced). */
export function collectionPath(apiVersion: string, kind: string, namespace?: string): string {
  const r = RESOURCES[`${apiVersion}/${kind}`];
  if (!r) throw new Error(`objects.ts: unknown resource ${apiVersion}/${kind}`);
  if (!r.namespaced) return `${r.base}/${r.plural}`;
  if (!namespace) throw new Error(`${kind} needs a namespace`);
  return `${r.base}/namespaces/${namespace}/${r.plural}`;
}

/** Server-side apply (what `kubectl apply --server-side` sends); returns the stored object. */
export function apply(api: KubeApi, obj: Json): Promise<Json> {
  const meta = obj.metadata as { name: string; namespace?: string };
  const path = `${collectionPath(obj.apiVersion as string, obj.kind as string, meta.namespace)}/${meta.name}`;
  return api.json("PATCH", `${path}?fieldManager=bubu-test&force=true`, obj, "application/apply-patch+yaml");
}

/** Polls `probe` until it returns a value (not undefined); throws `describe()` after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  opts: { timeoutMs: number; intervalMs?: number; describe?: () => Promise<string> | string },
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) {
      const detail = opts.describe ? await opts.describe() : "";
      throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${what}${detail ? `\n${detail}` : ""}`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 250));
  }
}

/** Adds (or replaces) `<imagesDir>/<file>.json`; the kubelet reads it at the next pod start. */
export function registerImages(peer: ClusterPeer, file: string, images: Record<string, unknown>): void {
  const target = join(peer.imagesDir, `${file}.json`);
  const tmp = `${target}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(images, null, 2));
  renameSync(tmp, target);
}

/** The last `lines` lines of every log of the namespace's pods, for a failure message. */
export function podLogs(peer: ClusterPeer, namespace: string, lines = 30): string {
  if (!existsSync(peer.podsDir)) return "";
  const out: string[] = [];
  for (const dir of readdirSync(peer.podsDir)
    .filter((d) => d.startsWith(`${namespace}_`))
    .sort()) {
    for (const f of ["stdout.log", "stderr.log", "exit"]) {
      const p = join(peer.podsDir, dir, f);
      if (!existsSync(p)) continue;
      const text = readFileSync(p, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
      if (text) out.push(`--- ${dir}/${f}\n${text}`);
    }
  }
  return out.join("\n");
}

/** The operator's log lines that mention `needle` (e.g. a namespace), the last `max` of them. */
export function operatorLines(peer: ClusterPeer, needle: string, max = 40): string {
  if (!existsSync(peer.operatorLog)) return "";
  return readFileSync(peer.operatorLog, "utf8")
    .split("\n")
    .filter((l) => l.includes(needle))
    .slice(-max)
    .join("\n");
}

/** A fresh namespace `<prefix>-<random>`; returns its name. */
export async function createNamespace(api: KubeApi, prefix: string): Promise<string> {
  const name = `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
  await api.json("POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name } });
  return name;
}

/** Deletes a namespace (the namespace controller removes what is in it); does not wait. */
export async function deleteNamespace(api: KubeApi, name: string): Promise<void> {
  await api.raw("DELETE", `/api/v1/namespaces/${name}`);
}
