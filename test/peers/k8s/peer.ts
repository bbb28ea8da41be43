/**
 * The Kubernetes API peer (test/peers/k8s/start.sh) as seen from a test: where it is and the TLS
 * material to reach it. Tests may use node:*; this file runs unchanged on Bun, Deno and Node.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { type PeerLookup, peerAccess, type SkipContext } from "../peer-access.ts";

/** A running peer: API server URL and PEM material from its kubeconfig. */
export interface K8sPeer {
  kubeconfigPath: string;
  url: string;
  caPem: string;
  certPem: string;
  keyPem: string;
}

/** Why the peer is absent, or the peer. */
type Lookup = PeerLookup<K8sPeer>;

/** The message a test fails with under CI when the peer is absent. */
export const K8S_PEER_MISSING: string = "the Kubernetes API peer is not running: run test/peers/k8s/start.sh";

const repoRoot: string = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** The default state dir of start.sh (BUBU_K8S_PEER_STATE overrides it, as there). */
function stateDir(): string {
  return process.env.BUBU_K8S_PEER_STATE ?? join(repoRoot, ".cache/peers/k8s");
}

/** Parses start.sh's env file: lines of KEY='value'. */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^([A-Z0-9_]+)='([^']*)'$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as { code?: string }).code === "EPERM";
  }
}

type Named<T> = { name?: string } & T;
interface KubeConfig {
  "current-context"?: string;
  contexts?: Named<{ context?: { cluster?: string; user?: string } }>[];
  clusters?: Named<{
    cluster?: { server?: string; "certificate-authority-data"?: string; "certificate-authority"?: string };
  }>[];
  users?: Named<{
    user?: {
      "client-certificate-data"?: string;
      "client-certificate"?: string;
      "client-key-data"?: string;
      "client-key"?: string;
    };
  }>[];
}

/** Inline base64 data, else a file path relative to the kubeconfig. */
function pem(base: string, data: string | undefined, file: string | undefined, what: string): string {
  if (data) return Buffer.from(data, "base64").toString("utf8");
  if (file) return readFileSync(resolve(base, file), "utf8");
  throw new Error(`kubeconfig has no ${what}`);
}

/** Reads the current context's server, CA and client certificate from a kubeconfig. */
export function readKubeconfig(path: string): K8sPeer {
  const kc = parseYaml(readFileSync(path, "utf8")) as KubeConfig;
  const ctx = kc.contexts?.find((c) => c.name === kc["current-context"])?.context;
  if (!ctx) throw new Error(`kubeconfig ${path}: current-context ${kc["current-context"]} not found`);
  const cluster = kc.clusters?.find((c) => c.name === ctx.cluster)?.cluster;
  const user = kc.users?.find((u) => u.name === ctx.user)?.user;
  if (!cluster?.server || !user) throw new Error(`kubeconfig ${path}: incomplete cluster or user`);
  const base = dirname(path);
  return {
    kubeconfigPath: path,
    url: cluster.server.replace(/\/+$/, ""),
    caPem: pem(base, cluster["certificate-authority-data"], cluster["certificate-authority"], "CA"),
    certPem: pem(base, user["client-certificate-data"], user["client-certificate"], "client certificate"),
    keyPem: pem(base, user["client-key-data"], user["client-key"], "client key"),
  };
}

function lookup(): Lookup {
  let path = process.env.BUBU_TEST_KUBECONFIG;
  if (!path) {
    const envFile = join(stateDir(), "env");
    if (!existsSync(envFile)) return { reason: `BUBU_TEST_KUBECONFIG is unset and ${envFile} does not exist` };
    const env = parseEnvFile(readFileSync(envFile, "utf8"));
    const pid = Number(env.BUBU_TEST_K8S_APISERVER_PID);
    if (!Number.isInteger(pid) || pid <= 0 || !pidAlive(pid)) {
      return { reason: `${envFile} is stale: the apiserver (pid ${env.BUBU_TEST_K8S_APISERVER_PID}) is not running` };
    }
    path = env.BUBU_TEST_KUBECONFIG;
    if (!path) return { reason: `${envFile} has no BUBU_TEST_KUBECONFIG` };
  }
  if (!existsSync(path)) return { reason: `kubeconfig ${path} does not exist` };
  return { peer: readKubeconfig(path) };
}

const access = peerAccess(lookup, K8S_PEER_MISSING);

/** The running peer, or undefined. */
export const k8sPeer: () => K8sPeer | undefined = access.get;
/** For a test's `skip` option: a reason when the peer is absent outside CI, else false. */
export const k8sPeerSkip: () => string | false = access.skip;
/** The peer; under CI=true a missing one fails the test, otherwise the test is skipped. */
export const requireK8sPeer: (t?: SkipContext) => K8sPeer | undefined = access.require;
