/**
 * A tiny in-memory Kubernetes API server on 127.0.0.1 for unit tests: GET, POST, PUT, merge
 * PATCH (main resource and /status) with `metadata.resourceVersion` preconditions, Status error
 * bodies, request recording and per-request fault injection.
 */

import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { KubeClient, type KubeClientDeps } from "../../src/k8s/client.ts";
import type { KubeConfig } from "../../src/k8s/config.ts";

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** Returns true when it answered the request itself. */
export type Fault = (req: RecordedRequest, res: ServerResponse) => boolean | Promise<boolean>;

type Obj = Record<string, unknown>;

export class FakeApiServer {
  readonly requests: RecordedRequest[] = [];
  readonly objects: Map<string, Obj> = new Map();
  /** Faults tried in order before normal handling. */
  faults: Fault[] = [];
  /** When set, requests must carry `Authorization: Bearer <token>` (one of these). */
  acceptedTokens: string[] | undefined;
  #server: Server;
  #rv = 100;
  url = "";

  constructor() {
    this.#server = createServer((req, res) => void this.#handle(req, res));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", () => resolve()));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections?.();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** Stores an object at its item path; assigns a resourceVersion. */
  put(path: string, obj: Obj): Obj {
    const copy = structuredClone(obj);
    const meta = (copy["metadata"] ??= {}) as Obj;
    meta["resourceVersion"] = String(++this.#rv);
    this.objects.set(path, copy);
    return copy;
  }

  /** Requests matching a method (and optional path suffix). */
  calls(method: string, suffix = ""): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && r.path.endsWith(suffix));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const rec: RecordedRequest = {
      method: req.method ?? "",
      path: req.url ?? "",
      headers: req.headers,
      body: Buffer.concat(chunks).toString("utf8"),
    };
    this.requests.push(rec);
    for (const fault of [...this.faults]) {
      if (await fault(rec, res)) return;
    }
    if (this.acceptedTokens !== undefined) {
      const auth = String(req.headers["authorization"] ?? "");
      if (!this.acceptedTokens.some((t) => auth === `Bearer ${t}`)) {
        return status(res, 401, "Unauthorized", "Unauthorized");
      }
    }
    const url = new URL(rec.path, "http://x");
    let path = url.pathname;
    const sub = path.endsWith("/status") ? "status" : "";
    if (sub) path = path.slice(0, -"/status".length);
    const existing = this.objects.get(path);
    const name = decodeURIComponent(path.split("/").pop() ?? "");
    switch (rec.method) {
      case "GET":
        if (!existing) return status(res, 404, "NotFound", `stepruns.runs.bubustack.io "${name}" not found`);
        return json(res, 200, existing);
      case "POST": {
        const obj = JSON.parse(rec.body) as Obj;
        const objName = String((obj["metadata"] as Obj | undefined)?.["name"] ?? "");
        const item = `${path}/${objName}`;
        if (this.objects.has(item)) return status(res, 409, "AlreadyExists", `"${objName}" already exists`);
        return json(res, 201, this.put(item, obj));
      }
      case "PATCH": {
        if (!existing) return status(res, 404, "NotFound", `stepruns.runs.bubustack.io "${name}" not found`);
        if (rec.headers["content-type"] !== "application/merge-patch+json") {
          return status(res, 415, "UnsupportedMediaType", "unsupported content type");
        }
        const patch = JSON.parse(rec.body) as Obj;
        const meta = patch["metadata"] as Obj | undefined;
        const want = meta?.["resourceVersion"];
        const have = (existing["metadata"] as Obj)["resourceVersion"];
        if (want !== undefined && want !== have) {
          return status(
            res,
            409,
            "Conflict",
            `Operation cannot be fulfilled on stepruns.runs.bubustack.io "${name}": the object has been modified; please apply your changes to the latest version and try again`,
          );
        }
        let next: Obj;
        if (sub === "status") {
          next = structuredClone(existing);
          next["status"] = applyMergePatch(existing["status"] ?? {}, patch["status"] ?? {});
        } else {
          const { metadata: _m, ...rest } = patch;
          next = applyMergePatch(existing, rest) as Obj;
        }
        return json(res, 200, this.put(path, next));
      }
      default:
        return status(res, 405, "MethodNotAllowed", "method not allowed");
    }
  }
}

/** RFC 7386 apply. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== "object" || patch === null || Array.isArray(patch)) return patch;
  const out: Obj =
    typeof target === "object" && target !== null && !Array.isArray(target) ? { ...(target as Obj) } : {};
  for (const [k, v] of Object.entries(patch as Obj)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}

export function json(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

export function status(res: ServerResponse, code: number, reason: string, message: string): void {
  json(res, code, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code });
}

/** The file-system part of a Runtime, on node:fs (tests may use node:*). */
export const testFs: KubeClientDeps["fs"] & { readTextFile(path: string): Promise<string> } = {
  readTextFile: (path: string) => readFile(path, "utf8"),
};

/** A client for the fake server (plain http on loopback; no TLS involved). */
export function clientFor(
  server: FakeApiServer,
  overrides: Partial<KubeConfig> = {},
  deps: Partial<KubeClientDeps> = {},
): KubeClient {
  const config: KubeConfig = {
    server: server.url,
    caSource: "system roots",
    source: "explicit",
    namespace: "ns1",
    userAgent: "bubu-sdk-go",
    timeoutMs: 5_000,
    operationTimeoutMs: 10_000,
    patchMaxRetries: 5,
    podName: "",
    ...overrides,
  };
  return new KubeClient(config, {
    createTlsFetch: () => {
      throw new Error("TLS fetch not expected in this test");
    },
    fs: testFs,
    ...deps,
  });
}

export const STEPRUN_PATH = "/apis/runs.bubustack.io/v1alpha1/namespaces/ns1/stepruns/sr1";
