/**
 * The process kubelet: registers a Node, binds unscheduled pods to it (there is no scheduler),
 * watches every pod and runs each bound pod's container as a local process (pod-worker.ts).
 * Started by start.sh under node >= 22; stopped with SIGTERM (its pods get SIGTERM, then SIGKILL).
 *
 * Env: BUBU_KUBELET_STATE       the peer's state dir (images.d/, pods/, kubelet.ready)
 *      BUBU_KUBELET_KUBECONFIG  admin kubeconfig
 *
 * @module
 */
import { writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { readKubeconfig } from "../k8s/peer.ts";
import { KubeApi, KubeApiError, type WatchEvent } from "./kube-api.ts";
import { HOST_IP, metaNow } from "./pod-status.ts";
import type { Pod } from "./pod-types.ts";
import { type KubeletContext, PodWorker } from "./pod-worker.ts";

const NODE_NAME = "bubu-process-kubelet";
const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

function log(message: string): void {
  process.stdout.write(`${new Date().toISOString()} ${message}\n`);
}

function required(name: string): string {
  const v = process.env[name];
  if (!v) {
    log(`${name} is not set`);
    process.exit(2);
  }
  return v;
}

const stateDir = required("BUBU_KUBELET_STATE");
const auth = readKubeconfig(required("BUBU_KUBELET_KUBECONFIG"));
const api = new KubeApi(auth);
const hostEnv: Record<string, string> = {};
for (const k of ["PATH", "HOME", "LANG", "TZ"]) if (process.env[k] !== undefined) hostEnv[k] = process.env[k]!;

const ctx: KubeletContext = {
  api,
  nodeName: NODE_NAME,
  stateDir,
  repo,
  apiPort: new URL(auth.url).port || "443",
  hostEnv,
  log,
};

const workers = new Map<string, PodWorker>();

async function registerNode(): Promise<void> {
  const res = await api.raw("POST", "/api/v1/nodes", {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: NODE_NAME,
      labels: { "kubernetes.io/hostname": NODE_NAME, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64" },
    },
  });
  if (res.status !== 201 && res.status !== 409) throw new KubeApiError("POST", "/api/v1/nodes", res.status, res.body);
  const now = metaNow();
  const capacity = { cpu: String(cpus().length), memory: `${Math.floor(totalmem() / 1024)}Ki`, pods: "110" };
  await api.mergePatch(`/api/v1/nodes/${NODE_NAME}/status`, {
    status: {
      capacity,
      allocatable: capacity,
      addresses: [
        { type: "InternalIP", address: HOST_IP },
        { type: "Hostname", address: NODE_NAME },
      ],
      conditions: [
        {
          type: "Ready",
          status: "True",
          reason: "KubeletReady",
          message: "process kubelet is ready",
          lastHeartbeatTime: now,
          lastTransitionTime: now,
        },
      ],
      nodeInfo: {
        kubeletVersion: "v1.37.2-process",
        kubeProxyVersion: "",
        operatingSystem: "linux",
        architecture: "amd64",
        containerRuntimeVersion: "process://",
        osImage: "",
        kernelVersion: "",
        machineID: "",
        systemUUID: "",
        bootID: "",
      },
    },
  });
}

function handle(type: WatchEvent<Pod>["type"], pod: Pod): void {
  const uid = pod.metadata.uid;
  if (!uid) return;
  let w = workers.get(uid);
  if (type === "DELETED") {
    w?.removed();
    workers.delete(uid);
    return;
  }
  if (!w) {
    // Pods of other nodes or schedulers are none of our business.
    if (pod.spec.nodeName && pod.spec.nodeName !== NODE_NAME) return;
    w = new PodWorker(pod, ctx);
    workers.set(uid, w);
  }
  w.update(pod);
}

/** Lists all pods, reconciles the workers with the list, and returns the list's resourceVersion. */
async function relist(): Promise<string> {
  const list = await api.get<{ metadata: { resourceVersion: string }; items: Pod[] }>("/api/v1/pods");
  const seen = new Set<string>();
  for (const pod of list.items) {
    seen.add(pod.metadata.uid ?? "");
    handle("MODIFIED", pod);
  }
  for (const [uid, w] of workers) {
    if (!seen.has(uid)) {
      w.removed();
      workers.delete(uid);
    }
  }
  return list.metadata.resourceVersion;
}

const stop = new AbortController();

async function watchLoop(onReady: () => void): Promise<void> {
  let rv = await relist();
  onReady();
  while (!stop.signal.aborted) {
    let expired = false;
    try {
      await api.watch<Pod>(
        `/api/v1/pods?watch=1&allowWatchBookmarks=true&timeoutSeconds=300&resourceVersion=${rv}`,
        (e) => {
          if (e.type === "ERROR") {
            expired = true;
            return;
          }
          const next = e.object.metadata?.resourceVersion;
          if (next) rv = next;
          if (e.type !== "BOOKMARK") handle(e.type, e.object);
        },
        stop.signal,
      );
    } catch (err) {
      if (stop.signal.aborted) return;
      if (!(err instanceof KubeApiError && err.status === 410)) log(`watch failed: ${(err as Error).message}`);
      expired = true;
      await new Promise((r) => setTimeout(r, 500));
    }
    if (expired && !stop.signal.aborted)
      rv = await relist().catch((err) => {
        log(`relist failed: ${(err as Error).message}`);
        return rv;
      });
  }
}

async function shutdown(signal: string): Promise<void> {
  if (stop.signal.aborted) return;
  log(`${signal}: stopping ${workers.size} pod(s)`);
  stop.abort();
  await Promise.race([
    Promise.all([...workers.values()].map((w) => w.shutdown(3))),
    new Promise((r) => setTimeout(r, 8000)),
  ]);
  api.close();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));

try {
  await registerNode();
  log(`node ${NODE_NAME} registered; API ${auth.url}; uid ${process.getuid?.()}`);
  await watchLoop(() => {
    writeFileSync(join(stateDir, "kubelet.ready"), `${process.pid}\n`);
    log("watching pods");
  });
} catch (err) {
  log(`fatal: ${(err as Error).stack ?? err}`);
  process.exit(1);
}
