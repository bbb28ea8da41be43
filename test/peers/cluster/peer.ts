/**
 * The cluster peer (test/peers/cluster/start.sh) as seen from a test: where it is, an admin API
 * client, and the files it keeps (audit log, pod logs, image map). Runs unchanged on Bun, Deno
 * and Node.
 *
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { parseEnvFile, readKubeconfig } from "../k8s/peer.ts";
import { type PeerLookup, peerAccess, type SkipContext } from "../peer-access.ts";
import { KubeApi } from "./kube-api.ts";

/** A running cluster peer. */
export interface ClusterPeer {
  readonly kubeconfigPath: string;
  readonly url: string;
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
  readonly stateDir: string;
  /** The apiserver's audit log: JSON lines, RequestResponse for runs.bubustack.io, Metadata for other service-account requests. */
  readonly auditLog: string;
  /** Where tests add image -> command maps (`*.json`, read at every pod start). */
  readonly imagesDir: string;
  /** `<namespace>_<pod>/{stdout,stderr}.log` of every pod run. */
  readonly podsDir: string;
  readonly operatorLog: string;
  /** The API recorder's JSON lines (api-recorder.ts) and its port (a pod's KUBERNETES_SERVICE_PORT). */
  readonly recorderLog: string;
  readonly recorderPort: string;
  /** The API port (what pods get as KUBERNETES_SERVICE_PORT). */
  readonly port: string;
  /** An admin (system:masters) client; close it when done. */
  api(): KubeApi;
}

type Lookup = PeerLookup<ClusterPeer>;

/** The message a test fails with under CI when the peer is absent. */
export const CLUSTER_PEER_MISSING: string =
  "the cluster peer is not running: run test/peers/cluster/install.sh and start.sh";

const repoRoot: string = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

function stateDir(): string {
  return process.env.BUBU_CLUSTER_PEER_STATE ?? join(repoRoot, ".cache/peers/cluster");
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === "EPERM";
  }
}

function lookup(): Lookup {
  const envFile = join(stateDir(), "env");
  if (!existsSync(envFile)) return { reason: `${envFile} does not exist` };
  const env = parseEnvFile(readFileSync(envFile, "utf8"));
  for (const c of ["ETCD", "APISERVER", "CONTROLLER_MANAGER", "OPERATOR", "KUBELET", "RECORDER"]) {
    const raw = env[`BUBU_TEST_CLUSTER_${c}_PID`];
    const pid = Number(raw);
    if (!Number.isInteger(pid) || pid <= 0 || !pidAlive(pid))
      return { reason: `${envFile} is stale: ${c.toLowerCase()} (pid ${raw}) is not running` };
  }
  const kubeconfigPath = env.BUBU_TEST_CLUSTER_KUBECONFIG;
  if (!kubeconfigPath || !existsSync(kubeconfigPath)) return { reason: `kubeconfig ${kubeconfigPath} does not exist` };
  const kc = readKubeconfig(kubeconfigPath);
  const auth = { url: kc.url, caPem: kc.caPem, certPem: kc.certPem, keyPem: kc.keyPem };
  return {
    peer: {
      ...auth,
      kubeconfigPath,
      stateDir: env.BUBU_TEST_CLUSTER_STATE!,
      auditLog: env.BUBU_TEST_CLUSTER_AUDIT_LOG!,
      imagesDir: env.BUBU_TEST_CLUSTER_IMAGES_DIR!,
      podsDir: env.BUBU_TEST_CLUSTER_PODS_DIR!,
      operatorLog: env.BUBU_TEST_CLUSTER_OPERATOR_LOG!,
      recorderLog: env.BUBU_TEST_CLUSTER_RECORDER_LOG!,
      recorderPort: env.BUBU_TEST_CLUSTER_RECORDER_PORT!,
      port: new URL(kc.url).port,
      api: () => new KubeApi(auth),
    },
  };
}

const access = peerAccess(lookup, CLUSTER_PEER_MISSING);

/** The running peer, or undefined. */
export const clusterPeer: () => ClusterPeer | undefined = access.get;
/** For a test's `skip` option: a reason when the peer is absent outside CI, else false. */
export const clusterPeerSkip: () => string | false = access.skip;
/** The peer; under CI=true a missing one fails the test, otherwise the test is skipped. */
export const requireClusterPeer: (t?: SkipContext) => ClusterPeer | undefined = access.require;
