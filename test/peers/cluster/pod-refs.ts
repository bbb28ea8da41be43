/**
 * Reads what a pod refers to: ConfigMap and Secret keys and downward-API fields, the way the
 * kubelet does (a missing object or key is an error unless the reference is optional).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { KubeApi, KubeApiError } from "./kube-api.ts";
import type { DataObject, Pod } from "./pod-types.ts";

/** A reference the kubelet cannot resolve yet (the container waits, as CreateContainerConfigError). */
export class PodConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PodConfigError";
  }
}

export type DataKind = "configmaps" | "secrets";

/** Fetches ConfigMaps and Secrets of one namespace, each at most once per pod start. */
export class RefReader {
  readonly #cache = new Map<string, Promise<Record<string, Buffer> | undefined>>();
  readonly api: KubeApi;
  readonly namespace: string;

  constructor(api: KubeApi, namespace: string) {
    this.api = api;
    this.namespace = namespace;
  }

  /** All keys of the object, decoded; undefined when it does not exist. */
  object(kind: DataKind, name: string): Promise<Record<string, Buffer> | undefined> {
    const id = `${kind}/${name}`;
    let p = this.#cache.get(id);
    if (!p) {
      p = this.#fetch(kind, name);
      this.#cache.set(id, p);
    }
    return p;
  }

  async #fetch(kind: DataKind, name: string): Promise<Record<string, Buffer> | undefined> {
    let obj: DataObject;
    try {
      obj = await this.api.get<DataObject>(`/api/v1/namespaces/${this.namespace}/${kind}/${encodeURIComponent(name)}`);
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404) return undefined;
      throw err;
    }
    const out: Record<string, Buffer> = {};
    for (const [k, v] of Object.entries(obj.data ?? {})) {
      out[k] = kind === "secrets" ? Buffer.from(v, "base64") : Buffer.from(v, "utf8");
    }
    for (const [k, v] of Object.entries(obj.binaryData ?? {})) out[k] = Buffer.from(v, "base64");
    return out;
  }

  /** One key; undefined when optional and absent. */
  async key(
    kind: DataKind,
    name: string | undefined,
    key: string,
    optional: boolean | undefined,
  ): Promise<Buffer | undefined> {
    const what = kind === "secrets" ? "secret" : "configmap";
    if (!name) throw new PodConfigError(`${what} reference without a name`);
    const obj = await this.object(kind, name);
    if (!obj) {
      if (optional) return undefined;
      throw new PodConfigError(`${what} "${name}" not found`);
    }
    const value = obj[key];
    if (value === undefined && !optional)
      throw new PodConfigError(`couldn't find key ${key} in ${what} ${this.namespace}/${name}`);
    return value;
  }
}

/** A downward-API field of the pod (the kubelet's supported field paths). */
export function podField(pod: Pod, fieldPath: string, hostIP: string): string {
  const meta = pod.metadata;
  const sub = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
  if (sub) return (sub[1] === "labels" ? meta.labels : meta.annotations)?.[sub[2]!] ?? "";
  switch (fieldPath) {
    case "metadata.name":
      return meta.name;
    case "metadata.namespace":
      return meta.namespace ?? "default";
    case "metadata.uid":
      return meta.uid ?? "";
    case "metadata.labels":
      return formatMap(meta.labels);
    case "metadata.annotations":
      return formatMap(meta.annotations);
    case "spec.nodeName":
      return pod.spec.nodeName ?? "";
    case "spec.serviceAccountName":
      return pod.spec.serviceAccountName ?? "default";
    case "status.hostIP":
    case "status.hostIPs":
    case "status.podIP":
    case "status.podIPs":
      return hostIP;
    default:
      throw new PodConfigError(`unsupported fieldRef ${fieldPath}`);
  }
}

/** `key="value"` lines, sorted, as the kubelet writes label and annotation files. */
function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(m![k])}`)
    .join("\n");
}
