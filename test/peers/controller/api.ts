// JSON requests and a watch stream against the Kubernetes API peer with its client certificate
// (node:https behaves the same under Bun, Deno and Node). Used by the test controller.
import { Agent, request } from "node:https";
import type { K8sPeer } from "../k8s/peer.ts";

/** A non-2xx answer. */
export class ApiError extends Error {
  readonly status: number;
  readonly reason: string;
  constructor(status: number, reason: string, message: string) {
    super(message);
    this.status = status;
    this.reason = reason;
  }
}

/** A small client bound to one peer (keep-alive connections, closed by {@link Api.close}). */
export class Api {
  readonly peer: K8sPeer;
  readonly #agent: Agent;
  constructor(peer: K8sPeer) {
    this.peer = peer;
    this.#agent = new Agent({ keepAlive: true, maxSockets: 32, ca: peer.caPem, cert: peer.certPem, key: peer.keyPem });
  }

  /** Sends one request; resolves the parsed body, rejects with {@link ApiError}. */
  call<T = Record<string, unknown>>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
    const url = new URL(path, this.peer.url);
    const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method,
          agent: this.#agent,
          headers: {
            accept: "application/json",
            ...(payload === undefined
              ? {}
              : {
                  "content-type":
                    contentType ?? (method === "PATCH" ? "application/merge-patch+json" : "application/json"),
                }),
          },
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (d: string) => (text += d));
          res.on("end", () => {
            const status = res.statusCode ?? 0;
            if (status >= 300) {
              let reason = "";
              let message = text;
              try {
                const s = JSON.parse(text) as { reason?: string; message?: string };
                reason = s.reason ?? "";
                message = s.message ?? text;
              } catch {
                /* not a Status */
              }
              reject(new ApiError(status, reason, `${method} ${path}: ${status} ${message}`));
            } else {
              resolve((text === "" ? {} : JSON.parse(text)) as T);
            }
          });
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(payload);
    });
  }

  /**
   * Streams watch events of `path` (a collection) from `resourceVersion` until `signal` aborts or
   * the server ends the stream. Resolves when the stream ends.
   */
  watch(
    path: string,
    resourceVersion: string,
    onEvent: (type: string, obj: Record<string, unknown>) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const url = new URL(path, this.peer.url);
    url.searchParams.set("watch", "1");
    url.searchParams.set("resourceVersion", resourceVersion);
    url.searchParams.set("allowWatchBookmarks", "false");
    return new Promise((resolve, reject) => {
      if (signal.aborted) return resolve();
      const req = request(
        url,
        { method: "GET", ca: this.peer.caPem, cert: this.peer.certPem, key: this.peer.keyPem, agent: false },
        (res) => {
          if ((res.statusCode ?? 0) >= 300) {
            res.resume();
            reject(new ApiError(res.statusCode ?? 0, "", `watch ${path}: ${res.statusCode}`));
            return;
          }
          let buf = "";
          res.setEncoding("utf8");
          res.on("data", (d: string) => {
            buf += d;
            let nl: number;
            while ((nl = buf.indexOf("\n")) >= 0) {
              const line = buf.slice(0, nl).trim();
              buf = buf.slice(nl + 1);
              if (line === "") continue;
              const ev = JSON.parse(line) as { type: string; object: Record<string, unknown> };
              onEvent(ev.type, ev.object);
            }
          });
          res.on("end", () => resolve());
          res.on("error", () => resolve());
          res.on("close", () => resolve());
        },
      );
      const onAbort = (): void => {
        req.destroy();
        resolve();
      };
      signal.addEventListener("abort", onAbort, { once: true });
      req.on("error", (err) => (signal.aborted ? resolve() : reject(err)));
      req.on("close", () => signal.removeEventListener("abort", onAbort));
      req.end();
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}
