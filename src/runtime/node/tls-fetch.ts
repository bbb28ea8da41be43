import type { Agent } from "node:https";
import { checkTlsOptions, closedError } from "../tls-options.ts";
import type { FetchFn, HttpExchange, HttpReply, TlsFetch, TlsFetchOptions } from "../types.ts";
import { nodeProcess } from "./builtins.ts";
import { type HttpsTarget, httpsExchange, httpsFetch } from "./https-fetch.ts";

/**
 * A fetch that trusts `ca` and presents `cert`/`key`: `node:https` with one keep-alive
 * `https.Agent({ ca, cert, key })`, created on first use (see `https-fetch.ts`).
 *
 * Why not a fetch with a dispatcher: Node's global `fetch` takes no CA, and the `undici`
 * package's fetch costs a batch engram more than its whole start-up otherwise (measured with
 * Node 22.23 and undici 8.13: 185–235 ms of CPU to load it and send one GET, against 70–79 ms with
 * `node:https`). `ca` replaces Node's default roots; `serverName` sets SNI and the name verified.
 * `exchange` sends on the same agent without making Fetch API objects (see `TlsFetch.exchange`).
 * Bun has an adapter of its own (its fetch takes `tls`).
 */
export function createTlsFetch(options: TlsFetchOptions): TlsFetch {
  checkTlsOptions(options);
  let closed = false;
  let agent: Agent | undefined;
  let target: HttpsTarget | undefined;
  let inner: FetchFn | undefined;
  const open = (): HttpsTarget => {
    if (target === undefined) {
      agent = new (nodeProcess().getBuiltinModule("node:https").Agent)({
        keepAlive: true,
        rejectUnauthorized: true,
        ...(options.ca !== undefined ? { ca: options.ca } : {}),
        ...(options.cert !== undefined ? { cert: options.cert, key: options.key } : {}),
      });
      target = { agent, ...(options.serverName !== undefined ? { servername: options.serverName } : {}) };
    }
    return target;
  };

  const fetch: FetchFn = (input, init) => {
    if (closed) return Promise.reject(closedError());
    // TLS settings mean nothing to plain http (an S3 endpoint such as a local MinIO while
    // AWS_CA_BUNDLE is set): it goes to the global fetch, as it does on Bun and Deno.
    if (isPlainHttp(input)) return globalThis.fetch(input, init);
    inner ??= httpsFetch(open());
    return inner(input, init);
  };
  const exchange = (request: HttpExchange): Promise<HttpReply> =>
    closed ? Promise.reject(closedError()) : httpsExchange(open(), request);

  return {
    fetch,
    exchange,
    close(): Promise<void> {
      if (!closed) {
        closed = true;
        agent?.destroy();
      }
      return Promise.resolve();
    },
  };
}

function isPlainHttp(input: string | URL | Request): boolean {
  const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  return /^http:/i.test(url);
}
