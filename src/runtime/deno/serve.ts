/**
 * `serve` for Deno: `Deno.serve`.
 * @module
 */
import type { FetchHandler, HttpServer, ServeOptions } from "../types.ts";

interface DenoHttpServer {
  readonly finished: Promise<void>;
  readonly addr: { hostname: string; port: number };
  shutdown(): Promise<void>;
}

interface DenoServeApi {
  serve(
    options: {
      port: number;
      hostname: string;
      signal?: AbortSignal;
      onListen?: (addr: { hostname: string; port: number }) => void;
      onError?: (err: unknown) => Response;
    },
    handler: (request: Request) => Promise<Response>,
  ): DenoHttpServer;
}

/** Starts an HTTP/1.1 server; resolves once it listens. */
export function serve(handler: FetchHandler, options: ServeOptions): Promise<HttpServer> {
  const deno = (globalThis as unknown as { Deno: DenoServeApi }).Deno;
  const hostname = options.hostname ?? "0.0.0.0";
  return new Promise((resolve, reject) => {
    try {
      let closing: Promise<void> | undefined;
      let port = options.port;
      // onListen runs inside Deno.serve, before `server` is assigned.
      const server = deno.serve(
        {
          port: options.port,
          hostname,
          ...(options.signal ? { signal: options.signal } : {}),
          onError: () => new Response("internal server error\n", { status: 500 }),
          onListen: (addr) => {
            port = addr.port;
          },
        },
        handler,
      );
      resolve({
        hostname,
        port: server.addr?.port ?? port,
        close: () => (closing ??= server.shutdown().then(() => server.finished)),
        finished: server.finished,
      });
    } catch (err) {
      reject(err);
    }
  });
}
