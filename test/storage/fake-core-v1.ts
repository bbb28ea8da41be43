/**
 * Core v1 ConfigMaps and Secrets for the kube-ref tests. The real API peer (etcd +
 * apiextensions-apiserver) serves CRDs only, no core v1 (see kube-refs-api.test.ts, which checks
 * that), so these two GETs are answered here, shaped like the API server's: the object with
 * `data` (Secrets base64), or a `Status` body for 404 and 403. Used as a `FakeApiServer` fault so
 * one loopback server can also hold the StepRun of a process-level test.
 */
import { Buffer } from "node:buffer";
import type { ServerResponse } from "node:http";
import { type Fault, json, type RecordedRequest, status } from "../k8s/fake-apiserver.ts";

const CORE_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/(configmaps|secrets)\/([^/?]+)$/;

/** What the fake holds: `<ns>/<name>` → data (plain text; Secrets are base64-encoded on the wire). */
export class CoreV1Objects {
  readonly configMaps: Map<string, Record<string, string>> = new Map();
  readonly secrets: Map<string, Record<string, string>> = new Map();
  /** `configmaps/<ns>/<name>` or `secrets/<ns>/<name>` answered 403, as RBAC would. */
  readonly forbidden: Set<string> = new Set();
  /** Core v1 requests seen (method and path). */
  readonly requests: RecordedRequest[] = [];
  /** Raw `data` values to send as they are (e.g. invalid base64), by `<ns>/<name>`. */
  readonly rawSecretData: Map<string, Record<string, string>> = new Map();

  configMap(ns: string, name: string, data: Record<string, string>): this {
    this.configMaps.set(`${ns}/${name}`, data);
    return this;
  }

  secret(ns: string, name: string, data: Record<string, string>): this {
    this.secrets.set(`${ns}/${name}`, data);
    return this;
  }

  /** The fault that answers core v1 GETs; everything else falls through. */
  fault(): Fault {
    return (req: RecordedRequest, res: ServerResponse): boolean => {
      const m = CORE_PATH.exec(new URL(req.path, "http://x").pathname);
      if (!m) return false;
      this.requests.push(req);
      const ns = decodeURIComponent(m[1]!);
      const resource = m[2] as "configmaps" | "secrets";
      const name = decodeURIComponent(m[3]!);
      if (req.method !== "GET") {
        status(res, 405, "MethodNotAllowed", "method not allowed");
        return true;
      }
      if (this.forbidden.has(`${resource}/${ns}/${name}`)) {
        status(
          res,
          403,
          "Forbidden",
          `${resource} "${name}" is forbidden: User "system:serviceaccount:${ns}:runner" cannot get resource "${resource}" in API group "" in the namespace "${ns}"`,
        );
        return true;
      }
      const key = `${ns}/${name}`;
      if (resource === "configmaps") {
        const data = this.configMaps.get(key);
        if (!data) status(res, 404, "NotFound", `configmaps "${name}" not found`);
        else json(res, 200, { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: ns }, data });
        return true;
      }
      const plain = this.secrets.get(key);
      const raw = this.rawSecretData.get(key);
      if (!plain && !raw) {
        status(res, 404, "NotFound", `secrets "${name}" not found`);
        return true;
      }
      const data: Record<string, string> = { ...raw };
      for (const [k, v] of Object.entries(plain ?? {})) data[k] = Buffer.from(v, "utf8").toString("base64");
      json(res, 200, { apiVersion: "v1", kind: "Secret", metadata: { name, namespace: ns }, type: "Opaque", data });
      return true;
    };
  }
}
