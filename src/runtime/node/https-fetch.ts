/**
 * HTTPS requests over `node:https` with a given `https.Agent`: {@link httpsExchange} for the
 * Kubernetes client (no Fetch API objects), and {@link httpsFetch}, the part of the Fetch standard
 * the SDK's other clients use (S3, STS), with a global `Response` whose body streams.
 * @module
 */
import type { IncomingMessage } from "node:http";
import type { Agent, RequestOptions } from "node:https";
import type { FetchFn, HttpExchange, HttpReply } from "../types.ts";
import { nodeProcess } from "./builtins.ts";

// Statuses whose Response must have a null body (Fetch standard).
const NULL_BODY = new Set([101, 103, 204, 205, 304]);
const REDIRECT = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 20;

/** Connection settings every request of one agent shares. */
export interface HttpsTarget {
  readonly agent: Agent;
  /** SNI and the name the certificate is checked against, when not the URL's host. */
  readonly servername?: string;
}

/**
 * One exchange. Connection and TLS failures reject with `TypeError("fetch failed")` whose
 * `cause` is Node's error (with its `code`), as Node's own fetch does; an abort rejects with the
 * signal's reason, and once the headers are in it errors the body instead.
 */
export async function httpsExchange(target: HttpsTarget, req: HttpExchange): Promise<HttpReply> {
  const res = await send(target, req);
  let consumed = false;
  const take = (): IncomingMessage => {
    if (consumed) throw new TypeError("the body has already been read");
    consumed = true;
    return res;
  };
  let body: ReadableStream<Uint8Array> | null | undefined;
  return {
    status: res.statusCode ?? 0,
    async text() {
      const decoder = new TextDecoder();
      let text = "";
      for await (const chunk of take()) text += decoder.decode(chunk as Uint8Array, { stream: true });
      return text + decoder.decode();
    },
    get body() {
      body ??= NULL_BODY.has(res.statusCode ?? 0) ? null : webStream(take());
      return body;
    },
    cancel() {
      consumed = true;
      res.destroy();
      return Promise.resolve();
    },
  };
}

/**
 * `fetch` on {@link httpsExchange}'s connection code, as Node's fetch behaves: `redirect`
 * "follow" (default, at most 20, `Authorization` dropped across origins), "manual" (the 3xx is
 * returned) or "error". Bodies: strings and bytes are sent as they are with a `Content-Length`;
 * anything else (a `Request`, `URLSearchParams`, `FormData`, a stream) is read into bytes first.
 * No `Accept-Encoding` is sent.
 */
export function httpsFetch(target: HttpsTarget): FetchFn {
  return async (input, init) => {
    let req = await plainRequest(input, init);
    for (let redirects = 0; ; redirects++) {
      const res = await send(target, req);
      if (req.signal?.aborted) {
        res.destroy();
        throw req.signal.reason;
      }
      const location = res.headers.location;
      if (!REDIRECT.has(res.statusCode ?? 0) || typeof location !== "string" || req.redirect === "manual") {
        return toResponse(res, req.url, redirects > 0);
      }
      res.resume();
      if (req.redirect === "error")
        throw new TypeError("fetch failed", { cause: new Error(`redirect to ${location} (redirect: "error")`) });
      if (redirects === MAX_REDIRECTS)
        throw new TypeError("fetch failed", { cause: new Error("redirect count exceeded") });
      req = redirected(req, res.statusCode!, new URL(location, req.url));
    }
  };
}

interface FetchRequest extends HttpExchange {
  readonly redirect: RequestRedirect;
}

async function plainRequest(input: string | URL | Request, init: RequestInit | undefined): Promise<FetchRequest> {
  const body = init?.body;
  if (
    !(input instanceof Request) &&
    (body === undefined ||
      body === null ||
      typeof body === "string" ||
      body instanceof Uint8Array ||
      body instanceof ArrayBuffer)
  ) {
    const headers = headerRecord(new Headers(init?.headers));
    if (typeof body === "string" && headers["content-type"] === undefined)
      headers["content-type"] = "text/plain;charset=UTF-8";
    return {
      url: String(input),
      method: (init?.method ?? "GET").toUpperCase(),
      headers,
      ...(body !== undefined && body !== null
        ? { body: body instanceof ArrayBuffer ? new Uint8Array(body) : body }
        : {}),
      ...(init?.signal ? { signal: init.signal } : {}),
      redirect: init?.redirect ?? "follow",
    };
  }
  // The global Request applies the Fetch rules (content type of URLSearchParams/FormData, …).
  const r = new Request(input, init);
  const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
  return {
    url: r.url,
    method: r.method,
    headers: headerRecord(r.headers),
    ...(r.body !== null ? { body: new Uint8Array(await r.arrayBuffer()) } : {}),
    ...(signal ? { signal } : {}),
    redirect: r.redirect,
  };
}

function headerRecord(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => (out[name] = value));
  return out;
}

/** The request a redirect leads to (Fetch standard, HTTP-redirect fetch). */
function redirected(req: FetchRequest, status: number, to: URL): FetchRequest {
  const headers = { ...req.headers };
  const toGet = status === 303 ? req.method !== "HEAD" : (status === 301 || status === 302) && req.method === "POST";
  if (toGet)
    for (const h of ["content-type", "content-length", "content-encoding", "content-language", "content-location"])
      delete headers[h];
  if (new URL(req.url).origin !== to.origin) delete headers["authorization"];
  const { body: _dropped, ...rest } = req;
  return { ...(toGet ? rest : req), url: to.href, method: toGet ? "GET" : req.method, headers };
}

function send(target: HttpsTarget, req: HttpExchange): Promise<IncomingMessage> {
  const { signal } = req;
  if (signal?.aborted) return Promise.reject(signal.reason);
  const url = new URL(req.url);
  if (url.protocol !== "https:")
    return Promise.reject(new TypeError("fetch failed", { cause: new Error(`not an https URL: ${url.protocol}`) }));
  const body = typeof req.body === "string" ? new TextEncoder().encode(req.body) : req.body;
  const headers: Record<string, string> = { ...req.headers };
  if (body !== undefined) headers["content-length"] = String(body.byteLength);
  const options: RequestOptions = {
    method: req.method,
    headers,
    agent: target.agent,
    ...(target.servername !== undefined ? { servername: target.servername } : {}),
  };
  return new Promise<IncomingMessage>((resolve, reject) => {
    const request = nodeProcess()
      .getBuiltinModule("node:https")
      .request(url, options, (res) => {
        signal?.removeEventListener("abort", onAbort);
        // An abort after the headers errors the body instead.
        if (signal) watchBody(res, signal);
        resolve(res);
      });
    const onAbort = (): void => {
      request.destroy();
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    request.once("error", (err) => {
      signal?.removeEventListener("abort", onAbort);
      reject(signal?.aborted ? signal.reason : new TypeError("fetch failed", { cause: err }));
    });
    request.end(body);
  });
}

function watchBody(res: IncomingMessage, signal: AbortSignal): void {
  const onAbort = (): void =>
    void res.destroy(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)));
  signal.addEventListener("abort", onAbort, { once: true });
  res.once("close", () => signal.removeEventListener("abort", onAbort));
}

function webStream(res: IncomingMessage): ReadableStream<Uint8Array> {
  return nodeProcess().getBuiltinModule("node:stream").Readable.toWeb(res) as ReadableStream<Uint8Array>;
}

function toResponse(res: IncomingMessage, url: string, redirected: boolean): Response {
  const status = res.statusCode ?? 0;
  const headers = new Headers();
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) headers.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
  let body: ReadableStream<Uint8Array> | null = null;
  if (NULL_BODY.has(status)) res.resume();
  else body = webStream(res);
  const out = new Response(body, { status, statusText: res.statusMessage ?? "", headers });
  Object.defineProperty(out, "url", { value: url });
  Object.defineProperty(out, "redirected", { value: redirected });
  return out;
}
