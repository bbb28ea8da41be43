/**
 * `serve` for Node: `node:http` bridged to fetch `Request`/`Response` (the request body is
 * streamed, so a handler can stop reading at its size limit).
 * @module
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FetchHandler, HttpServer, ServeOptions } from "../types.ts";
import { nodeProcess } from "./builtins.ts";

/**
 * Starts an HTTP/1.1 server; resolves once it listens. `node:http` is loaded here, not imported:
 * a batch engram never serves, and loading it costs start-up time (and on Deno, which never calls
 * this adapter, its Node compatibility layer).
 */
export function serve(handler: FetchHandler, options: ServeOptions): Promise<HttpServer> {
  const hostname = options.hostname ?? "0.0.0.0";
  const { createServer } = nodeProcess().getBuiltinModule("node:http");
  const server = createServer((req, res) => void bridge(handler, req, res, hostname));
  let closing: Promise<void> | undefined;
  let resolveFinished!: () => void;
  const finished = new Promise<void>((r) => (resolveFinished = r));
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      server.close(() => {
        resolveFinished();
        resolve();
      });
      // Keep-alive sockets would hold close() open (measured trap); idle ones go now.
      server.closeIdleConnections();
    });
    return closing;
  };
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, hostname, () => {
      server.off("error", reject);
      const addr = server.address();
      const port = typeof addr === "object" && addr !== null ? addr.port : options.port;
      options.signal?.addEventListener("abort", () => void close(), { once: true });
      if (options.signal?.aborted) void close();
      resolve({ hostname, port, close, finished });
    });
  });
}

async function bridge(
  handler: FetchHandler,
  req: IncomingMessage,
  res: ServerResponse,
  hostname: string,
): Promise<void> {
  const abort = new AbortController();
  res.on("close", () => abort.abort());
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  const method = req.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  let response: Response;
  try {
    const request = new Request(`http://${req.headers.host ?? hostname}${req.url ?? "/"}`, {
      method,
      headers,
      signal: abort.signal,
      ...(hasBody
        ? {
            body: nodeProcess().getBuiltinModule("node:stream").Readable.toWeb(req) as ReadableStream<Uint8Array>,
            duplex: "half",
          }
        : {}),
    } as RequestInit);
    response = await handler(request);
  } catch {
    response = new Response("internal server error\n", { status: 500 });
  }
  res.statusCode = response.status;
  for (const [name, value] of response.headers) res.setHeader(name, value);
  // The handler may answer before reading the body (413): close rather than drain it.
  if (hasBody && !req.complete) res.setHeader("connection", "close");
  try {
    if (response.body) {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) res.write(chunk);
    }
  } finally {
    res.end();
  }
}
