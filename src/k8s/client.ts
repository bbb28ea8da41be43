/**
 * `KubeClient`: a small fetch-based Kubernetes REST client. Runtime-agnostic: TLS comes from the
 * runtime's `createTlsFetch`, which always verifies the server (there is no skip option), or,
 * where no runtime is at hand (an edge isolate), from a plain `fetch` and the platform's trust.
 * @module
 */

import type { FetchFn, HttpExchange, HttpReply, Runtime, RuntimeFs, TlsFetch } from "../runtime/types.ts";
import type { KubeConfig } from "./config.ts";
import { type DeleteOptions, deleteOptionsBody } from "./delete-options.ts";
import { errorFromResponse, KubernetesError } from "./errors.ts";
import { type ListAllOptions, type ListOptions, listQuery, type ObjectList, toObjectList } from "./list-options.ts";
import { type GroupVersionResource, resourcePath } from "./resources.ts";
import { KubeconfigError } from "./server-url.ts";
import { TokenSource } from "./token-source.ts";
import { errorFromFetchFailure } from "./transport-error.ts";
import { type WatchEvent, type WatchOptions, watchQuery } from "./watch-event.ts";
import { readWatchEvents } from "./watch-stream.ts";

/** Options of one {@link KubeClient.request}. */
export interface RequestOptions {
  /** A string or bytes are sent as they are; anything else is sent as `JSON.stringify(body)`. */
  readonly body?: unknown;
  /** Defaults to `application/json` when there is a body. */
  readonly contentType?: string;
  readonly query?: Readonly<Record<string, string | undefined>>;
  /** Aborts the request (for example the operation budget). */
  readonly signal?: AbortSignal;
  /** Overrides the per-request timeout (`BUBU_K8S_TIMEOUT`). */
  readonly timeoutMs?: number;
}

/**
 * What {@link KubeClient} needs from the runtime. Without `createTlsFetch` every request goes
 * through {@link KubeClientDeps.fetch} and the TLS trust of whoever provides it (an edge runtime's
 * configuration); a config that names a CA, a client certificate or a server name is then refused,
 * since a plain fetch could not honour it. Without `fs` a token file is refused.
 */
export interface KubeClientDeps {
  readonly createTlsFetch?: Runtime["createTlsFetch"];
  readonly fs?: Pick<RuntimeFs, "readTextFile">;
  /** The fetch for a plain-http loopback server, or for every request without `createTlsFetch`; defaults to the global `fetch`. */
  readonly fetch?: FetchFn;
  /** Token-file re-read interval (default one minute, see `token-source.ts`). */
  readonly tokenRefreshMs?: number;
}

/** A Kubernetes object as JSON. */
export type KubeObject = Record<string, unknown>;

/** A Kubernetes REST client bound to one API server and one set of credentials. */
export class KubeClient {
  /** The client namespace (`BUBU_*_NAMESPACE`), possibly `""`. */
  readonly namespace: string;
  readonly config: KubeConfig;
  readonly #deps: KubeClientDeps;
  readonly #tokens: TokenSource;
  #tls: TlsFetch | undefined;

  constructor(config: KubeConfig, deps: KubeClientDeps = {}) {
    if (deps.createTlsFetch === undefined && config.server.startsWith("https://")) {
      const tls = (["ca", "cert", "key", "serverName"] as const).filter((k) => config[k] !== undefined);
      if (tls.length > 0) {
        throw new KubeconfigError(
          `${config.server}: ${tls.join(", ")} set, but this client has a plain fetch (no createTlsFetch): configure the trust in the platform instead`,
        );
      }
    }
    this.config = config;
    this.namespace = config.namespace;
    this.#deps = deps;
    this.#tokens = new TokenSource({
      ...(deps.fs !== undefined ? { fs: deps.fs } : {}),
      ...(config.token !== undefined ? { token: config.token } : {}),
      ...(config.tokenFile !== undefined ? { tokenFile: config.tokenFile } : {}),
      ...(deps.tokenRefreshMs !== undefined ? { refreshMs: deps.tokenRefreshMs } : {}),
    });
  }

  /**
   * Sends one request and returns the parsed JSON body (`undefined` for an empty body).
   * Non-2xx answers and transport failures throw {@link KubernetesError}. A 401 with a token
   * file re-reads the token and, when it changed, sends the request once more.
   */
  async request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    return this.#finish<T>(method, await this.#sendWithRefresh(method, path, options, false));
  }

  /** GET an object. */
  get<T = KubeObject>(
    r: GroupVersionResource,
    namespace: string | undefined,
    name: string,
    options: RequestOptions = {},
  ): Promise<T> {
    return this.request<T>("GET", resourcePath(r, namespace, name), options);
  }

  /** POST a new object into its collection. */
  create<T = KubeObject>(
    r: GroupVersionResource,
    namespace: string | undefined,
    body: unknown,
    options: RequestOptions = {},
  ): Promise<T> {
    return this.request<T>("POST", resourcePath(r, namespace), { ...options, body });
  }

  /** PUT a whole object (optimistic concurrency through its `metadata.resourceVersion`). */
  update<T = KubeObject>(
    r: GroupVersionResource,
    namespace: string | undefined,
    name: string,
    body: unknown,
    options: RequestOptions = {},
  ): Promise<T> {
    return this.request<T>("PUT", resourcePath(r, namespace, name), { ...options, body });
  }

  /** JSON merge patch (`application/merge-patch+json`) of the main resource. */
  mergePatch<T = KubeObject>(
    r: GroupVersionResource,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    options: RequestOptions = {},
  ): Promise<T> {
    return this.request<T>("PATCH", resourcePath(r, namespace, name), {
      ...options,
      body: patch,
      contentType: "application/merge-patch+json",
    });
  }

  /** JSON merge patch of the `/status` subresource. */
  patchStatus<T = KubeObject>(
    r: GroupVersionResource,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    options: RequestOptions = {},
  ): Promise<T> {
    return this.request<T>("PATCH", resourcePath(r, namespace, name, "status"), {
      ...options,
      body: patch,
      contentType: "application/merge-patch+json",
    });
  }

  /**
   * LIST one page of a collection. Follow `metadata.continue` for the next page, or use
   * {@link KubeClient.listAll}. Errors as {@link KubeClient.request}; an expired `continue` token
   * is a `ResourceExpiredError` (410): list again from the start.
   */
  async list<T = KubeObject>(
    r: GroupVersionResource,
    namespace: string | undefined,
    options: ListOptions = {},
  ): Promise<ObjectList<T>> {
    const path = resourcePath(r, namespace);
    const body = await this.request<unknown>("GET", path, { ...requestBase(options), query: listQuery(options) });
    const list = toObjectList<T>(body);
    if (list === undefined) {
      throw new KubernetesError({
        kind: "protocol",
        status: 200,
        reason: "InvalidResponse",
        message: `GET ${path}: the response is not a list`,
        method: "GET",
        url: this.config.server + path,
      });
    }
    return list;
  }

  /**
   * Every page of a collection, following `continue` tokens (`options.limit` is the page size).
   * All pages belong to the first page's snapshot and carry its `resourceVersion`: watch from it
   * afterwards to see every later change. A 410 (`isResourceExpired`) means the snapshot expired
   * while paging: start again.
   */
  async *listAll<T = KubeObject>(
    r: GroupVersionResource,
    namespace: string | undefined,
    options: ListAllOptions = {},
  ): AsyncGenerator<ObjectList<T>, void, undefined> {
    let token: string | undefined;
    do {
      const page: ObjectList<T> = await this.list<T>(
        r,
        namespace,
        token === undefined ? options : { ...options, continue: token },
      );
      yield page;
      token = page.metadata.continue;
    } while (token !== undefined);
  }

  /**
   * DELETE an object. Returns what the API server answers: a `Success` Status once the object is
   * gone, or the object itself (with `deletionTimestamp`) while finalizers hold it. A missing
   * object is a 404 (`isNotFound`); a failed precondition a 409 (`isConflict`).
   */
  delete<T = KubeObject>(
    r: GroupVersionResource,
    namespace: string | undefined,
    name: string,
    options: DeleteOptions = {},
  ): Promise<T> {
    const body = deleteOptionsBody(options);
    return this.request<T>("DELETE", resourcePath(r, namespace, name), {
      ...requestBase(options),
      ...(body !== undefined ? { body } : {}),
    });
  }

  /**
   * WATCH a collection: its changes, as they happen, over one streaming response.
   *
   * - Ends normally when the server closes the stream (`timeoutSeconds`) or `options.signal`
   *   aborts; aborting (or leaving a `for await` early) cancels the response body.
   * - Throws a {@link KubernetesError} for a non-2xx answer, a cut connection, or an `ERROR`
   *   event. A 410 is a `ResourceExpiredError` (`isResourceExpired`): the resource version is too
   *   old, list again and watch from the list's `resourceVersion`.
   * - Nothing is retried here (as for every other call); `listAndWatch` resumes and re-lists.
   * - `timeoutMs` (default `BUBU_K8S_TIMEOUT`) bounds only the wait for the headers.
   */
  async *watch<T = KubeObject>(
    r: GroupVersionResource,
    namespace: string | undefined,
    options: WatchOptions,
  ): AsyncGenerator<WatchEvent<T>, void, undefined> {
    const { signal } = options;
    const path = resourcePath(r, namespace);
    const query = watchQuery(options);
    if (signal.aborted) return;
    let sent: Sent;
    try {
      sent = await this.#sendWithRefresh(
        "GET",
        path,
        {
          query,
          signal,
          ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
        },
        true,
      );
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    }
    if (sent.status < 200 || sent.status > 299 || sent.reply.body === null) {
      // Reads the Status body and throws (an empty 2xx body is simply a watch with no events).
      try {
        await this.#finish<unknown>("GET", sent);
      } catch (err) {
        if (signal.aborted) return;
        throw err;
      }
      return;
    }
    yield* readWatchEvents<T>(sent.reply.body, { url: sent.url, signal, failure: sent.failure });
  }

  /** Releases pooled connections. */
  async close(): Promise<void> {
    const tls = this.#tls;
    this.#tls = undefined;
    await tls?.close();
  }

  /** The TLS fetch's `exchange` where the runtime has one (no Fetch API objects), else its fetch. */
  #transport(): (request: HttpExchange) => Promise<HttpReply> {
    const create = this.#deps.createTlsFetch;
    if (this.config.server.startsWith("http://") || create === undefined) {
      return viaFetch(this.#deps.fetch ?? ((input, init) => fetch(input, init)));
    }
    this.#tls ??= create({
      ...(this.config.ca !== undefined ? { ca: this.config.ca } : {}),
      ...(this.config.cert !== undefined ? { cert: this.config.cert } : {}),
      ...(this.config.key !== undefined ? { key: this.config.key } : {}),
      ...(this.config.serverName !== undefined ? { serverName: this.config.serverName } : {}),
    });
    return this.#tls.exchange ?? viaFetch(this.#tls.fetch);
  }

  /** Sends; a 401 with a token file re-reads the token and, when it changed, sends once more. */
  async #sendWithRefresh(method: string, path: string, options: RequestOptions, stream: boolean): Promise<Sent> {
    const first = await this.#send(method, path, options, stream);
    if (first.status === 401 && this.#tokens.rotates && (await this.#tokens.refresh())) {
      await first.reply.cancel();
      return this.#send(method, path, options, stream);
    }
    return first;
  }

  /**
   * One fetch. The per-request timeout covers the whole exchange, except for a `stream` (a
   * watch), whose body may last as long as the caller wants: there it bounds the headers only.
   */
  async #send(method: string, path: string, options: RequestOptions, stream: boolean): Promise<Sent> {
    const url = buildUrl(this.config.server, path, options.query);
    const timeoutMs = options.timeoutMs ?? this.config.timeoutMs;
    const deadline = stream ? headerDeadline(timeoutMs) : undefined;
    const timeout = deadline?.signal ?? AbortSignal.timeout(timeoutMs);
    const signal = options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout]);
    const headers: Record<string, string> = { accept: "application/json", "user-agent": this.config.userAgent };
    const token = await this.#tokens.token();
    if (token !== undefined) headers["authorization"] = `Bearer ${token}`;
    let body: string | Uint8Array | undefined;
    if (options.body !== undefined) {
      body =
        typeof options.body === "string" || options.body instanceof Uint8Array
          ? options.body
          : JSON.stringify(options.body);
      headers["content-type"] = options.contentType ?? "application/json";
    }
    const failure = (err: unknown): KubernetesError =>
      errorFromFetchFailure(err, {
        method,
        url,
        timedOut: timeout.aborted,
        timeoutMs,
        ...(options.timeoutMs === undefined ? { timeoutSetting: "BUBU_K8S_TIMEOUT" } : {}),
        ...(options.signal !== undefined ? { callerSignal: options.signal } : {}),
        caSource: this.config.caSource,
      });
    try {
      if (signal.aborted) throw failure(signal.reason);
      const reply = await this.#transport()({ method, url, headers, signal, ...(body !== undefined ? { body } : {}) });
      return { url, status: reply.status, reply, failure };
    } catch (err) {
      throw err instanceof KubernetesError ? err : failure(err);
    } finally {
      deadline?.clear();
    }
  }

  async #finish<T>(method: string, sent: Sent): Promise<T> {
    let text: string;
    try {
      text = await sent.reply.text();
    } catch (err) {
      throw sent.failure(err);
    }
    if (sent.status < 200 || sent.status > 299) throw errorFromResponse(method, sent.url, sent.status, text);
    if (text.trim() === "") return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new KubernetesError({
        kind: "protocol",
        status: sent.status,
        reason: "InvalidResponse",
        message: `${method} ${sent.url}: the response is not JSON: ${text.slice(0, 200)}`,
        method,
        url: sent.url,
      });
    }
  }
}

interface Sent {
  readonly url: string;
  readonly status: number;
  readonly reply: HttpReply;
  readonly failure: (err: unknown) => KubernetesError;
}

/** An exchange through a fetch (redirects are the caller's: a 3xx is an answer). */
function viaFetch(fetchFn: FetchFn): (request: HttpExchange) => Promise<HttpReply> {
  return async ({ method, url, headers, body, signal }) => {
    const res = await fetchFn(url, {
      method,
      headers,
      body: body as BodyInit | undefined,
      redirect: "manual",
      ...(signal ? { signal } : {}),
    });
    return {
      status: res.status,
      text: () => res.text(),
      get body() {
        return res.body;
      },
      cancel: async () => {
        await res.body?.cancel();
      },
    };
  };
}

/** The fields of list/delete options that are request options. */
function requestBase(options: { readonly signal?: AbortSignal; readonly timeoutMs?: number }): RequestOptions {
  return {
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  };
}

/** A timeout signal that can be disarmed once the headers are in (`AbortSignal.timeout` cannot). */
function headerDeadline(timeoutMs: number): { signal: AbortSignal; clear(): void } {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException("the response headers did not arrive in time", "TimeoutError")),
    timeoutMs,
  );
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}

function buildUrl(
  server: string,
  path: string,
  query: Readonly<Record<string, string | undefined>> | undefined,
): string {
  let url = server + (path.startsWith("/") ? path : `/${path}`);
  if (query !== undefined) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params.append(k, v);
    const qs = params.toString();
    if (qs !== "") url += `?${qs}`;
  }
  return url;
}
