// A JSON request to the Kubernetes API peer with its client certificate (node:https works the
// same under Bun, Deno and Node), used by tests to arrange and inspect state.
import { request } from "node:https";
import type { K8sPeer } from "../peers/k8s/peer.ts";

export function peerRequest(
  peer: K8sPeer,
  method: string,
  path: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const url = new URL(path, peer.url);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ca: peer.caPem,
        cert: peer.certPem,
        key: peer.keyPem,
        headers: {
          accept: "application/json",
          ...(payload === undefined
            ? {}
            : { "content-type": method === "PATCH" ? "application/merge-patch+json" : "application/json" }),
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (text += d));
        res.on("end", () => {
          const status = res.statusCode ?? 0;
          if (status >= 300) reject(new Error(`${method} ${path}: ${status} ${text}`));
          else resolve(text === "" ? {} : JSON.parse(text));
        });
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}
