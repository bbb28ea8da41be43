import type { Agent } from "undici";
import { rethrowMissing } from "../../errors/missing-package.ts";
import { checkTlsOptions, closedError } from "../tls-options.ts";
import type { FetchFn, TlsFetch, TlsFetchOptions } from "../types.ts";

type Undici = typeof import("undici");

// Statuses whose Response must have a null body (Fetch standard).
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * A fetch that trusts `ca` and presents `cert`/`key`, on the `undici` package's `fetch`
 * with `dispatcher: new Agent({ connect: { ca, cert, key, servername } })`.
 *
 * Measured traps (Node 22.23, undici 8.13):
 * - Node's global `fetch` (bundled undici 6.x) rejects an undici 8 `Agent` as dispatcher
 *   with `UND_ERR_INVALID_ARG: invalid onRequestStart method`; we call undici 8's own `fetch`.
 * - undici 8's `fetch` does not take Node's global `Request` ("Failed to parse URL from
 *   [object Request]") and sends a global `FormData` as the text "[object FormData]". Such
 *   input is turned into URL + init with a buffered body (so it keeps a Content-Length).
 * - The undici `Response` is not an `instanceof` the global one; it is re-wrapped in a
 *   global `Response` (same stream, `url` and `redirected` kept).
 * - `servername` sets SNI and the name verified; `ca` replaces Node's default roots.
 * - undici is imported on first use, so Bun and Deno never load it.
 */
export function createTlsFetch(options: TlsFetchOptions): TlsFetch {
  checkTlsOptions(options);
  let closed = false;
  let ready: Promise<{ undici: Undici; agent: Agent }> | undefined;
  const load = () =>
    (ready ??= import("undici").catch(rethrowMissing(["undici"], "Node's TLS client (the Kubernetes API in a cluster)")).then((undici) => ({
      undici,
      agent: new undici.Agent({ connect: connectOptions(options) }),
    })));

  const fetch: FetchFn = async (input, init) => {
    if (closed) throw closedError();
    const { undici, agent } = await load();
    const [url, plainInit] = await toPlainRequest(input, init);
    const res = await undici.fetch(url, { ...(plainInit as object), dispatcher: agent });
    return toGlobalResponse(res as unknown as Response);
  };

  return {
    fetch,
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      if (ready) await (await ready).agent.close();
    },
  };
}

function connectOptions(o: TlsFetchOptions): Record<string, unknown> {
  const connect: Record<string, unknown> = { rejectUnauthorized: true };
  if (o.ca !== undefined) connect.ca = o.ca;
  if (o.cert !== undefined) connect.cert = o.cert;
  if (o.key !== undefined) connect.key = o.key;
  if (o.serverName !== undefined) connect.servername = o.serverName;
  return connect;
}

async function toPlainRequest(
  input: string | URL | Request,
  init: RequestInit | undefined,
): Promise<[string, RequestInit]> {
  const body = init?.body;
  const needsRequest = input instanceof Request || body instanceof FormData || body instanceof URLSearchParams;
  if (!needsRequest) return [String(input), init ?? {}];
  const req = new Request(input, init);
  const bytes = req.body === null ? undefined : new Uint8Array(await req.arrayBuffer());
  return [req.url, {
    method: req.method,
    headers: req.headers,
    body: bytes,
    signal: req.signal,
    redirect: req.redirect,
    keepalive: req.keepalive,
  }];
}

function toGlobalResponse(res: Response): Response {
  const out = new Response(NULL_BODY.has(res.status) ? null : res.body, {
    status: res.status,
    statusText: res.statusText,
    headers: res.headers,
  });
  Object.defineProperty(out, "url", { value: res.url });
  Object.defineProperty(out, "redirected", { value: res.redirected });
  return out;
}
