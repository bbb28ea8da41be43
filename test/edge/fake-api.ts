/**
 * An in-process Kubernetes API as a `fetch` function, for unit tests of the edge handler: it
 * records every request (method, path, headers, the body as sent) and resolves each
 * StoryTrigger at once, as the operator would (Created, a StoryRun named after it).
 *
 * @module
 */

export interface Recorded {
  readonly method: string;
  readonly path: string;
  readonly headers: Headers;
  readonly body: string;
}

export class FakeApi {
  readonly requests: Recorded[] = [];
  readonly impulseStatus: Record<string, unknown> = {};
  /** Resolves the next `waitForPatch()`. */
  #patched: (() => void)[] = [];

  readonly fetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(typeof input === "string" || input instanceof URL ? input : input.url);
    const body =
      typeof init.body === "string"
        ? init.body
        : init.body instanceof Uint8Array
          ? new TextDecoder().decode(init.body)
          : "";
    const method = init.method ?? "GET";
    this.requests.push({ method, path: url.pathname, headers: new Headers(init.headers), body });
    const json = (status: number, value: unknown): Response =>
      new Response(JSON.stringify(value), { status, headers: { "content-type": "application/json" } });
    if (method === "POST" && url.pathname.endsWith("/storytriggers")) {
      const t = JSON.parse(body) as { metadata: { name: string; namespace: string } };
      return json(201, {
        ...t,
        status: { decision: "Created", storyRunRef: { name: `run-${t.metadata.name.slice(-8)}` } },
      });
    }
    const run = /namespaces\/([^/]+)\/storyruns\/([^/]+)$/.exec(url.pathname);
    if (method === "GET" && run)
      return json(200, {
        apiVersion: "runs.bubustack.io/v1alpha1",
        kind: "StoryRun",
        metadata: { namespace: run[1], name: run[2] },
      });
    const impulse = /namespaces\/([^/]+)\/impulses\/([^/]+)(\/status)?$/.exec(url.pathname);
    if (impulse && method === "GET")
      return json(200, {
        metadata: { name: impulse[2], namespace: impulse[1], resourceVersion: "1" },
        status: this.impulseStatus,
      });
    if (impulse && method === "PATCH") {
      Object.assign(this.impulseStatus, (JSON.parse(body) as { status: Record<string, unknown> }).status);
      for (const resolve of this.#patched.splice(0)) resolve();
      return json(200, {});
    }
    return json(404, {
      kind: "Status",
      status: "Failure",
      reason: "NotFound",
      code: 404,
      message: `${url.pathname} not found`,
    });
  };

  posts(): Recorded[] {
    return this.requests.filter((r) => r.method === "POST");
  }
}
