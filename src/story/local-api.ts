/**
 * The runner's stand-in for the Kubernetes API, on 127.0.0.1: the StepRuns and EffectClaims of
 * the local run, nothing else. Each engram process gets a kubeconfig for it, so the SDK in the
 * process (TypeScript or Go) writes its StepRun status exactly as in a pod, and the runner reads
 * the outcome from there as the operator does.
 *
 * Only what an engram's service account may do is served: StepRuns get/patch (object and
 * `/status`), EffectClaims get/create/update/patch/delete. Engrams, EngramTemplates, ConfigMaps
 * and Secrets answer 403, as the operator's per-StoryRun Role does (the SDK then skips its
 * template schema lookup, as it does in a cluster).
 *
 * Access needs the run's secret, as the first path segment of the server URL in the kubeconfig:
 * client-go sends no credentials to a plain-http server, so a bearer token alone would lock the
 * Go SDK out. A request that does carry a bearer token must carry the right one.
 * @module
 */
import type { HttpServer, Runtime } from "../runtime/types.ts";
import type { JsonObject } from "./types.ts";

const RUNS_GROUP = "runs.bubustack.io";
const VERSION = "v1alpha1";
const SERVED: Readonly<Record<string, { kind: string; status: boolean }>> = {
  stepruns: { kind: "StepRun", status: true },
  effectclaims: { kind: "EffectClaim", status: false },
};
/**
 * What discovery lists (a client maps kinds to paths through it); only `SERVED` answers, the
 * rest is forbidden, as for an engram's service account.
 */
const DISCOVERY: Readonly<Record<string, readonly (readonly [resource: string, kind: string, namespaced: boolean])[]>> =
  {
    [`${RUNS_GROUP}/${VERSION}`]: [
      ["stepruns", "StepRun", true],
      ["effectclaims", "EffectClaim", true],
      ["storyruns", "StoryRun", true],
      ["storytriggers", "StoryTrigger", true],
    ],
    [`bubustack.io/${VERSION}`]: [
      ["engrams", "Engram", true],
      ["stories", "Story", true],
      ["impulses", "Impulse", true],
    ],
    [`catalog.bubustack.io/${VERSION}`]: [
      ["engramtemplates", "EngramTemplate", false],
      ["impulsetemplates", "ImpulseTemplate", false],
    ],
    v1: [
      ["configmaps", "ConfigMap", true],
      ["secrets", "Secret", true],
    ],
  };

function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** RFC 7386 JSON merge patch. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}

function status(code: number, reason: string, message: string, details?: JsonObject): Response {
  return Response.json(
    {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message,
      reason,
      ...(details ? { details } : {}),
      code,
    },
    { status: code },
  );
}

/** A request the local API served, for the run's diagnostics. */
export interface ApiRequestRecord {
  readonly method: string;
  readonly path: string;
  readonly status: number;
}

/** Settings of {@link startLocalApi}. */
export interface LocalApiOptions {
  readonly runtime: Pick<Runtime, "serve">;
  /** The run's secret: the first path segment of every request, and the bearer token if one is sent. */
  readonly token: string;
  /** The service account named in 403 messages (`system:serviceaccount:<ns>:<name>`). */
  readonly serviceAccount: string;
}

/** The in-memory API. */
export class LocalApi {
  readonly #objects = new Map<string, JsonObject>();
  readonly #token: string;
  readonly #serviceAccount: string;
  #version = 1;
  #server: HttpServer | undefined;
  /** Every request, in order (bounded to the last 10 000). */
  readonly requests: ApiRequestRecord[] = [];

  constructor(token: string, serviceAccount: string) {
    this.#token = token;
    this.#serviceAccount = serviceAccount;
  }

  /** `http://127.0.0.1:<port>/<secret>`: the server URL clients use. */
  get url(): string {
    if (!this.#server) throw new Error("the local API is not started");
    return `http://127.0.0.1:${this.#server.port}/${this.#token}`;
  }

  async listen(runtime: Pick<Runtime, "serve">): Promise<void> {
    this.#server = await runtime.serve((r) => this.handle(r), { port: 0, hostname: "127.0.0.1" });
  }

  async close(): Promise<void> {
    await this.#server?.close();
  }

  /** A kubeconfig (YAML is JSON) that points a client at this API with the run's token. */
  kubeconfig(namespace: string): string {
    return JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "bubu-local", cluster: { server: this.url } }],
      users: [{ name: "engram-runner", user: { token: this.#token } }],
      contexts: [{ name: "bubu-local", context: { cluster: "bubu-local", user: "engram-runner", namespace } }],
      "current-context": "bubu-local",
    });
  }

  /** Stores a new object (the runner creating a StepRun). */
  create(resource: string, namespace: string, obj: JsonObject): JsonObject {
    const meta = (obj.metadata ?? {}) as JsonObject;
    const stored = {
      ...obj,
      metadata: { ...meta, namespace, resourceVersion: String(++this.#version), uid: crypto.randomUUID() },
    };
    this.#objects.set(this.#key(resource, namespace, String(meta.name)), stored);
    return structuredClone(stored);
  }

  /** A copy of a stored object. */
  get(resource: string, namespace: string, name: string): JsonObject | undefined {
    const o = this.#objects.get(this.#key(resource, namespace, name));
    return o === undefined ? undefined : structuredClone(o);
  }

  /** Replaces an object's status (the runner acting as the controller). */
  setStatus(resource: string, namespace: string, name: string, mutate: (status: JsonObject) => JsonObject): JsonObject {
    const key = this.#key(resource, namespace, name);
    const cur = this.#objects.get(key);
    if (!cur) throw new Error(`${resource} ${namespace}/${name} does not exist`);
    const next = {
      ...cur,
      status: mutate(structuredClone((cur.status ?? {}) as JsonObject)),
      metadata: { ...(cur.metadata as JsonObject), resourceVersion: String(++this.#version) },
    };
    this.#objects.set(key, next);
    return structuredClone(next);
  }

  #key(resource: string, namespace: string, name: string): string {
    return `${resource}/${namespace}/${name}`;
  }

  /** The HTTP handler (exposed for tests). */
  async handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const prefix = `/${this.#token}`;
    const inside = url.pathname.startsWith(`${prefix}/`);
    const path = inside ? url.pathname.slice(prefix.length) : url.pathname;
    const auth = request.headers.get("authorization");
    const response =
      !inside || (auth !== null && auth !== `Bearer ${this.#token}`)
        ? status(401, "Unauthorized", "Unauthorized")
        : await this.#route(request, path);
    if (this.requests.length >= 10_000) this.requests.shift();
    this.requests.push({ method: request.method, path, status: response.status });
    return response;
  }

  async #route(request: Request, path: string): Promise<Response> {
    const method = request.method;
    if (method === "GET" && path === "/api")
      return Response.json({ kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [] });
    if (method === "GET" && path === "/apis") {
      const groups = Object.keys(DISCOVERY)
        .filter((gv) => gv !== "v1")
        .map((gv) => {
          const version = { groupVersion: gv, version: VERSION };
          return { name: gv.split("/")[0], versions: [version], preferredVersion: version };
        });
      return Response.json({ kind: "APIGroupList", apiVersion: "v1", groups });
    }
    const gv = path === "/api/v1" ? "v1" : path.startsWith("/apis/") ? path.slice("/apis/".length) : "";
    if (method === "GET" && Object.hasOwn(DISCOVERY, gv)) {
      const resources = DISCOVERY[gv]!.flatMap(([name, kind, namespaced]) => {
        const base = {
          name,
          singularName: kind.toLowerCase(),
          namespaced,
          kind,
          verbs: ["get", "list", "watch", "create", "update", "patch", "delete"],
        };
        const withStatus = gv === `${RUNS_GROUP}/${VERSION}` && SERVED[name]?.status === true;
        return withStatus
          ? [base, { name: `${name}/status`, singularName: "", namespaced, kind, verbs: ["get", "patch", "update"] }]
          : [base];
      });
      return Response.json({ kind: "APIResourceList", apiVersion: "v1", groupVersion: gv, resources });
    }
    const m =
      /^\/apis\/([^/]+)\/([^/]+)\/namespaces\/([^/]+)\/([^/]+)(?:\/([^/]+))?(?:\/([^/]+))?$/.exec(path) ??
      /^\/api\/(v1)()\/namespaces\/([^/]+)\/([^/]+)(?:\/([^/]+))?(?:\/([^/]+))?$/.exec(path);
    if (!m) {
      const cluster = /^\/apis\/([^/]+)\/[^/]+\/([^/]+)(?:\/([^/]+))?$/.exec(path);
      if (cluster && cluster[2] !== "namespaces") {
        const [, g, resource, name] = cluster;
        const verb = method === "GET" ? (name ? "get" : "list") : method.toLowerCase();
        return status(
          403,
          "Forbidden",
          `${resource}.${g}${name ? ` "${name}"` : ""} is forbidden: User "${this.#serviceAccount}" cannot ${verb} resource "${resource}" in API group "${g}" at the cluster scope`,
          {
            ...(name ? { name } : {}),
            group: g!,
            kind: resource!,
          },
        );
      }
      return status(404, "NotFound", "the server could not find the requested resource");
    }
    const [, group, version, namespace, resource, rawName, sub] = m as unknown as [
      string,
      string,
      string,
      string,
      string,
      string | undefined,
      string | undefined,
    ];
    const name = rawName === undefined ? undefined : decodeURIComponent(rawName);
    const served =
      group === RUNS_GROUP && version === VERSION && Object.hasOwn(SERVED, resource!) ? SERVED[resource!] : undefined;
    if (!served) {
      const verb = method === "GET" ? (name ? "get" : "list") : method.toLowerCase();
      const g = version === "v1" && group === "v1" ? "" : group;
      return status(
        403,
        "Forbidden",
        `${resource}${g ? `.${g}` : ""}${name ? ` "${name}"` : ""} is forbidden: User "${this.#serviceAccount}" cannot ${verb} resource "${resource}" in API group "${g}" in the namespace "${namespace}"`,
        { ...(name ? { name } : {}), group: g, kind: resource },
      );
    }
    if (sub !== undefined && !(sub === "status" && served.status))
      return status(404, "NotFound", "the server could not find the requested resource");
    const key = name === undefined ? undefined : this.#key(resource!, namespace!, name);
    const notFound = (): Response =>
      status(404, "NotFound", `${resource}.${RUNS_GROUP} "${name}" not found`, {
        name: name!,
        group: RUNS_GROUP,
        kind: resource!,
      });
    switch (method) {
      case "GET": {
        if (key === undefined)
          return status(
            403,
            "Forbidden",
            `${resource}.${RUNS_GROUP} is forbidden: User "${this.#serviceAccount}" cannot list resource "${resource}"`,
          );
        const obj = this.#objects.get(key);
        return obj ? Response.json(obj) : notFound();
      }
      case "POST": {
        if (key !== undefined)
          return status(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
        const body = await readJson(request);
        if (!isObject(body) || !isObject(body.metadata) || typeof body.metadata.name !== "string") {
          return status(422, "Invalid", `${served.kind}.${RUNS_GROUP} is invalid: metadata.name: Required value`);
        }
        const k = this.#key(resource!, namespace!, body.metadata.name);
        if (this.#objects.has(k)) {
          return status(409, "AlreadyExists", `${resource}.${RUNS_GROUP} "${body.metadata.name}" already exists`, {
            name: body.metadata.name,
            group: RUNS_GROUP,
            kind: resource!,
          });
        }
        const created = this.create(resource!, namespace!, body);
        return Response.json(created, { status: 201 });
      }
      case "PUT":
      case "PATCH": {
        if (key === undefined)
          return status(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
        const cur = this.#objects.get(key);
        if (!cur) return notFound();
        const body = await readJson(request);
        if (!isObject(body)) return status(400, "BadRequest", "the request body is not a JSON object");
        const wanted = isObject(body.metadata) ? body.metadata.resourceVersion : undefined;
        const current = (cur.metadata as JsonObject).resourceVersion;
        if ((method === "PUT" || wanted !== undefined) && wanted !== current) {
          return status(
            409,
            "Conflict",
            `Operation cannot be fulfilled on ${resource}.${RUNS_GROUP} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
            { name: name!, group: RUNS_GROUP, kind: resource! },
          );
        }
        const next = method === "PUT" ? body : (applyMergePatch(cur, body) as JsonObject);
        // With a status subresource, /status changes only status and the object never does.
        const merged: JsonObject = served.status
          ? sub === "status"
            ? { ...cur, status: next.status ?? {} }
            : { ...next, status: cur.status }
          : { ...next };
        merged.metadata = {
          ...(cur.metadata as JsonObject),
          ...(isObject(next.metadata) ? next.metadata : {}),
          resourceVersion: String(++this.#version),
        };
        this.#objects.set(key, merged);
        return Response.json(merged);
      }
      case "DELETE": {
        if (key === undefined || !this.#objects.has(key)) return notFound();
        this.#objects.delete(key);
        return Response.json({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 200 });
      }
      default:
        return status(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
    }
  }
}

async function readJson(request: Request): Promise<unknown> {
  const text = await request.text();
  if (text.length > 8 * 1024 * 1024) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Starts the local API on a free 127.0.0.1 port. */
export async function startLocalApi(options: LocalApiOptions): Promise<LocalApi> {
  const api = new LocalApi(options.token, options.serviceAccount);
  await api.listen(options.runtime);
  return api;
}
