/**
 * A small Kubernetes API client for the cluster peer's own programs (the process kubelet and the
 * test helpers): JSON requests and watch streams over node:https with the admin client
 * certificate. Independent of the SDK's client on purpose, so an SDK bug cannot break the peer.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { Agent, request as httpsRequest } from "node:https";

/** Where the API server is and the admin's TLS material. */
export interface KubeAuth {
  readonly url: string;
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

/** A non-2xx answer. */
export class KubeApiError extends Error {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly body: string;

  constructor(method: string, path: string, status: number, body: string) {
    super(`${method} ${path}: HTTP ${status}: ${body.slice(0, 400)}`);
    this.name = "KubeApiError";
    this.method = method;
    this.path = path;
    this.status = status;
    this.body = body;
  }
}

/** One watch event. */
export interface WatchEvent<T> {
  readonly type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  readonly object: T;
}

export type Json = Record<string, unknown>;

export class KubeApi {
  readonly #auth: KubeAuth;
  readonly #agent: Agent;

  constructor(auth: KubeAuth) {
    this.#auth = auth;
    this.#agent = new Agent({ keepAlive: true, ca: auth.caPem, cert: auth.certPem, key: auth.keyPem });
  }

  /** Sends a request; resolves with the status and raw body whatever the status. */
  raw(
    method: string,
    path: string,
    body?: unknown,
    contentType = "application/json",
    signal?: AbortSignal,
  ): Promise<{ status: number; body: string }> {
    const url = new URL(path, this.#auth.url);
    const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        url,
        {
          method,
          agent: this.#agent,
          signal,
          headers: {
            accept: "application/json",
            "user-agent": "bubu-process-kubelet",
            ...(payload === undefined
              ? {}
              : { "content-type": contentType, "content-length": Buffer.byteLength(payload) }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
          res.on("error", reject);
        },
      );
      req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path}: no answer in 30 s`)));
      req.on("error", reject);
      req.end(payload);
    });
  }

  /** Sends a request and parses the JSON answer; throws {@link KubeApiError} on a non-2xx. */
  async json<T = Json>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
    const res = await this.raw(method, path, body, contentType);
    if (res.status < 200 || res.status > 299) throw new KubeApiError(method, path, res.status, res.body);
    return (res.body === "" ? {} : JSON.parse(res.body)) as T;
  }

  get<T = Json>(path: string): Promise<T> {
    return this.json<T>("GET", path);
  }

  /** JSON merge patch. */
  mergePatch<T = Json>(path: string, patch: unknown): Promise<T> {
    return this.json<T>("PATCH", path, patch, "application/merge-patch+json");
  }

  /**
   * Streams a watch (`path` must carry `watch=1`); calls `onEvent` for each event in order and
   * resolves when the server ends the stream. Rejects on a non-200 answer or a broken stream.
   */
  watch<T>(path: string, onEvent: (e: WatchEvent<T>) => void, signal?: AbortSignal): Promise<void> {
    const url = new URL(path, this.#auth.url);
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        url,
        {
          method: "GET",
          agent: this.#agent,
          signal,
          headers: { accept: "application/json", "user-agent": "bubu-process-kubelet" },
        },
        (res) => {
          if (res.statusCode !== 200) {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () =>
              reject(new KubeApiError("GET", path, res.statusCode ?? 0, Buffer.concat(chunks).toString("utf8"))),
            );
            return;
          }
          let buffered = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
            buffered += chunk;
            let nl: number;
            while ((nl = buffered.indexOf("\n")) >= 0) {
              const line = buffered.slice(0, nl).trim();
              buffered = buffered.slice(nl + 1);
              if (line === "") continue;
              try {
                onEvent(JSON.parse(line) as WatchEvent<T>);
              } catch (err) {
                req.destroy(err as Error);
                return;
              }
            }
          });
          res.on("end", () => resolve());
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end();
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}
