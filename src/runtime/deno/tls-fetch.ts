import { checkTlsOptions, closedError } from "../tls-options.ts";
import type { FetchFn, TlsFetch, TlsFetchOptions } from "../types.ts";
import { type DenoHttpClient, deno } from "./globals.ts";

/**
 * A fetch that trusts `ca` and presents `cert`/`key`: `fetch(url, { client })` with
 * `Deno.createHttpClient({ caCerts: [ca], cert, key })`, created on first use.
 *
 * Measured (Deno 2.9.6): the option names are `cert`/`key` (the old `certChain`/`privateKey`
 * are ignored silently: the server then sees no client certificate). Traps:
 * - `caCerts` are trusted *in addition to* Deno's default roots; Deno cannot trust `ca` only.
 * - There is no SNI/server-name option (a `proxy: { transport: "tcp" }` sends plain HTTP),
 *   so `serverName` throws a `TypeError` here.
 */
export function createTlsFetch(options: TlsFetchOptions): TlsFetch {
  checkTlsOptions(options);
  if (options.serverName !== undefined) {
    throw new TypeError('TLS option "serverName" is not supported on Deno (Deno.createHttpClient has no SNI option)');
  }
  let closed = false;
  let client: DenoHttpClient | undefined;
  const fetch: FetchFn = async (input, init) => {
    if (closed) throw closedError();
    client ??= deno().createHttpClient({
      ...(options.ca !== undefined ? { caCerts: [options.ca] } : {}),
      ...(options.cert !== undefined ? { cert: options.cert, key: options.key } : {}),
    });
    const denoInit: RequestInit & { client: DenoHttpClient } = { ...init, client };
    return await globalThis.fetch(input, denoInit);
  };
  return {
    fetch,
    close(): Promise<void> {
      if (!closed) {
        closed = true;
        client?.close();
      }
      return Promise.resolve();
    },
  };
}
