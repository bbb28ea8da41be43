/**
 * `serve` for Bun: `Bun.serve`.
 * @module
 */
import type { FetchHandler, HttpServer, ServeOptions } from "../types.ts";

interface BunServer {
  readonly port: number;
  readonly hostname: string;
  stop(closeActiveConnections?: boolean): Promise<void> | void;
}

interface BunServeApi {
  serve(options: {
    port: number;
    hostname: string;
    fetch: (request: Request) => Promise<Response>;
    error?: (err: Error) => Response;
  }): BunServer;
}

/** Starts an HTTP/1.1 server; resolves once it listens. */
export function serve(handler: FetchHandler, options: ServeOptions): Promise<HttpServer> {
  const bun = (globalThis as unknown as { Bun: BunServeApi }).Bun;
  const hostname = options.hostname ?? "0.0.0.0";
  const server = bun.serve({
    port: options.port,
    hostname,
    fetch: handler,
    error: () => new Response("internal server error\n", { status: 500 }),
  });
  let resolveFinished!: () => void;
  const finished = new Promise<void>((r) => (resolveFinished = r));
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await server.stop();
      resolveFinished();
    })();
    return closing;
  };
  options.signal?.addEventListener("abort", () => void close(), { once: true });
  if (options.signal?.aborted) void close();
  return Promise.resolve({ hostname, port: server.port, close, finished });
}
