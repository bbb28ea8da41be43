// Shared setup for the impulse integration tests: a namespace on the Kubernetes API peer, Story
// objects, StoryClients with a controlled environment, and a fault-injecting plain-HTTP proxy in
// front of the API server (for 409/429/500 answers the real server would not give on demand).
import { Buffer } from "node:buffer";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify as toYaml } from "yaml";
import { loadEnv } from "../../src/env/load.ts";
import { StoryClient, type StoryClientOptions } from "../../src/impulse/story-client.ts";
import type { KubeClient } from "../../src/k8s/client.ts";
import { createKubeClient } from "../../src/k8s/create-client.ts";
import { detectRuntime } from "../../src/runtime/detect.ts";
import { Api } from "../peers/controller/api.ts";
import type { K8sPeer } from "../peers/k8s/peer.ts";

/** A fresh namespace name. */
export function freshNamespace(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString("hex")}`;
}

/** Test fixture bound to one peer and namespace. */
export class Fixture {
  readonly peer: K8sPeer;
  readonly ns: string;
  readonly api: Api;
  readonly dir: string;
  readonly #clients: KubeClient[] = [];

  constructor(peer: K8sPeer, ns: string) {
    this.peer = peer;
    this.ns = ns;
    this.api = new Api(peer);
    this.dir = mkdtempSync(join(tmpdir(), "impulse-it-"));
  }

  /** Creates a Story (optionally with `spec.version`). */
  async story(name: string, version?: string, ns: string = this.ns): Promise<void> {
    await this.api.call("POST", `/apis/bubustack.io/v1alpha1/namespaces/${ns}/stories`, {
      apiVersion: "bubustack.io/v1alpha1",
      kind: "Story",
      metadata: { name },
      spec: { steps: [{ name: "only", type: "sleep" }], ...(version ? { version } : {}) },
    });
  }

  /** Creates an Impulse (stats target). */
  async impulse(name: string, story: string): Promise<void> {
    await this.api.call("POST", `/apis/bubustack.io/v1alpha1/namespaces/${this.ns}/impulses`, {
      apiVersion: "bubustack.io/v1alpha1",
      kind: "Impulse",
      metadata: { name },
      spec: { templateRef: { name: "webhook" }, storyRef: { name: story } },
    });
  }

  get<T = Record<string, unknown>>(path: string): Promise<T> {
    return this.api.call<T>("GET", path);
  }

  /** Items of a namespaced runs.bubustack.io collection. */
  async list(resource: "storyruns" | "storytriggers"): Promise<Record<string, any>[]> {
    const body = await this.get<{ items: Record<string, any>[] }>(
      `/apis/runs.bubustack.io/v1alpha1/namespaces/${this.ns}/${resource}`,
    );
    return body.items;
  }

  /** The environment a StoryClient sees (client namespace = this namespace unless overridden). */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return { KUBECONFIG: this.peer.kubeconfigPath, BUBU_IMPULSE_NAMESPACE: this.ns, BUBU_K8S_TIMEOUT: "10s", ...extra };
  }

  /** A KubeClient for `env`, optionally through another kubeconfig (the fault proxy). */
  async kube(env: Record<string, string>, kubeconfigPath: string = this.peer.kubeconfigPath): Promise<KubeClient> {
    const rt = detectRuntime();
    const c = await createKubeClient(
      {
        env: (n) => env[n],
        fs: rt.fs,
        homeDir: () => this.dir,
        cwd: () => this.dir,
        createTlsFetch: (o) => rt.createTlsFetch(o),
      },
      { kubeconfigPath },
    );
    this.#clients.push(c);
    return c;
  }

  /** A StoryClient with this fixture's environment plus `extra`. */
  async client(
    extra: Record<string, string> = {},
    options: Partial<StoryClientOptions> & { kubeconfigPath?: string } = {},
  ): Promise<StoryClient> {
    const env = this.env(extra);
    const kube = await this.kube(env, options.kubeconfigPath);
    return new StoryClient(kube, { env: loadEnv(env), ...options });
  }

  /** A kubeconfig that points at `server` over plain HTTP (the fault proxy). */
  proxyKubeconfig(server: string): string {
    const path = join(this.dir, `kubeconfig-${randomBytes(2).toString("hex")}`);
    writeFileSync(
      path,
      toYaml({
        apiVersion: "v1",
        kind: "Config",
        "current-context": "proxy",
        contexts: [{ name: "proxy", context: { cluster: "proxy", user: "proxy" } }],
        clusters: [{ name: "proxy", cluster: { server } }],
        users: [{ name: "proxy", user: { token: "unused" } }],
      }),
    );
    return path;
  }

  async close(): Promise<void> {
    for (const c of this.#clients) await c.close();
    this.api.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A fault rule: answer with `status` instead of forwarding, `times` times. */
export interface Fault {
  readonly method: string;
  readonly pathIncludes: string;
  readonly status: number;
  readonly reason: string;
  times: number;
}

/** A plain-HTTP proxy to the peer that can answer chosen requests with errors. */
export class FaultProxy {
  readonly faults: Fault[] = [];
  /** `METHOD path` of every request seen, in order. */
  readonly seen: string[] = [];
  #server: Server | undefined;
  url = "";
  readonly #peer: K8sPeer;
  constructor(peer: K8sPeer) {
    this.#peer = peer;
  }

  async start(): Promise<string> {
    this.#server = createServer((req, res) => this.#handle(req, res));
    await new Promise<void>((r) => this.#server!.listen(0, "127.0.0.1", r));
    const addr = this.#server.address() as { port: number };
    this.url = `http://127.0.0.1:${addr.port}`;
    return this.url;
  }

  count(method: string, pathIncludes: string): number {
    return this.seen.filter((s) => s.startsWith(`${method} `) && s.includes(pathIncludes)).length;
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const line = `${req.method} ${req.url}`;
    this.seen.push(line);
    const chunks: Uint8Array[] = [];
    req.on("data", (c: Uint8Array) => chunks.push(c));
    req.on("end", () => {
      const fault = this.faults.find(
        (f) => f.times > 0 && f.method === req.method && (req.url ?? "").includes(f.pathIncludes),
      );
      if (fault) {
        fault.times--;
        res.writeHead(fault.status, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            kind: "Status",
            apiVersion: "v1",
            status: "Failure",
            reason: fault.reason,
            code: fault.status,
            message: `injected ${fault.status} ${fault.reason}`,
          }),
        );
        return;
      }
      const up = httpsRequest(
        new URL(req.url ?? "/", this.#peer.url),
        {
          method: req.method,
          ca: this.#peer.caPem,
          cert: this.#peer.certPem,
          key: this.#peer.keyPem,
          headers: {
            ...(req.headers["content-type"] ? { "content-type": req.headers["content-type"] } : {}),
            accept: "application/json",
          },
        },
        (upRes) => {
          res.writeHead(upRes.statusCode ?? 502, {
            "content-type": upRes.headers["content-type"] ?? "application/json",
          });
          upRes.pipe(res);
        },
      );
      up.on("error", () => {
        res.writeHead(502);
        res.end();
      });
      up.end(Buffer.concat(chunks));
    });
  }

  async stop(): Promise<void> {
    const s = this.#server;
    if (!s) return;
    s.closeAllConnections?.();
    await new Promise<void>((r) => s.close(() => r()));
  }
}
