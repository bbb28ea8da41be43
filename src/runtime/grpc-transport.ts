/**
 * The HTTP/2 gRPC transport for the connector client, on `@connectrpc/connect-node`. Measured to
 * work as a client under Node, Bun and Deno, so the three adapters share
 * this one implementation and re-export it from their `grpc-transport.ts`.
 * @module
 */
import type * as http2 from "node:http2";
import { connect as netConnect } from "node:net";
import type { Transport } from "@connectrpc/connect";
import { createGrpcTransport as connectGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { sleep } from "../async/sleep.ts";
import { h2StreamCall } from "./h2-stream-call.ts";
import type { GrpcTransport, GrpcTransportOptions } from "./types.ts";

/**
 * A gRPC (HTTP/2) transport to one endpoint: h2c over a unix socket or TCP, or TLS 1.3 with the
 * system roots (or `ca`). No client certificate, no keepalive pings, no compression: the peer is
 * a sidecar on loopback, where gzip costs far more than it saves (a Connect server gzips every
 * message of 1 KiB or more for a client that accepts it, hence `acceptCompression: []`).
 */
export function createGrpcTransport(options: GrpcTransportOptions): GrpcTransport {
  const { target } = options;
  let baseUrl: string;
  const nodeOptions: Record<string, unknown> = {};
  if (target.kind === "unix") {
    // The authority is cosmetic; the socket comes from createConnection.
    baseUrl = "http://localhost";
    const path = target.path;
    nodeOptions.createConnection = () => netConnect(path);
  } else {
    const host = target.host.includes(":") ? `[${target.host}]` : target.host;
    baseUrl = `${options.tls ? "https" : "http"}://${host}:${target.port}`;
    if (options.tls) {
      nodeOptions.minVersion = "TLSv1.3";
      nodeOptions.rejectUnauthorized = true;
      if (options.ca !== undefined) nodeOptions.ca = options.ca;
      if (options.serverName !== undefined) nodeOptions.servername = options.serverName;
    }
  }
  const sessionManager = new Http2SessionManager(
    baseUrl,
    { connectTimeoutMs: options.connectTimeoutMs, idleConnectionTimeoutMs: 2 ** 31 - 1 },
    nodeOptions,
  );
  const connectTransport = connectGrpcTransport({
    baseUrl,
    sessionManager,
    acceptCompression: [],
    readMaxBytes: options.readMaxBytes,
    writeMaxBytes: options.writeMaxBytes,
  });
  // The HTTP/2 session of the latest stream: the one connection the calls share.
  let session: http2.Http2Session | undefined;
  const limits = {
    readMaxBytes: options.readMaxBytes,
    writeMaxBytes: options.writeMaxBytes,
    encoders: options.encoders,
    decoders: options.decoders,
    onWritten: options.onWritten,
    onStream: (s: http2.ClientHttp2Stream) => {
      session = s.session;
    },
  };
  // Unary calls go through connect-node; streams through the leaner path (h2-stream-call.ts).
  const transport: Transport = {
    unary: (method, signal, timeoutMs, header, input, contextValues) =>
      connectTransport.unary(method, signal, timeoutMs, header, input, contextValues),
    stream: (method, signal, timeoutMs, header, input) =>
      h2StreamCall(sessionManager, method, signal, timeoutMs, header, input, limits),
  };
  let closed = false;
  return {
    transport,
    async ready(signal?: AbortSignal): Promise<void> {
      const deadline = Date.now() + (options.connectTimeoutMs ?? 10_000);
      let delay = 50;
      // Like grpc-go's WaitForReady: keep dialling until READY or the dial timeout.
      for (;;) {
        if (closed) throw new Error("grpc transport closed");
        signal?.throwIfAborted();
        const state = await sessionManager.connect();
        if (state !== "error") return;
        const err = sessionManager.error();
        if (Date.now() + delay >= deadline) {
          throw new Error(`dial ${options.label ?? baseUrl}: ${errorMessage(err)}`, { cause: err });
        }
        await sleep(delay, signal);
        delay = Math.min(delay * 2, 1_000);
      }
    },
    confirmRead(): Promise<void> {
      return new Promise((resolve, reject) => {
        const s = session;
        if (closed || s === undefined || s.destroyed || s.closed) {
          reject(new Error("grpc transport: no open connection"));
          return;
        }
        try {
          // No parameters: nothing changes; the peer acknowledges it in order.
          s.settings({}, (err) => (err ? reject(err) : resolve()));
        } catch (err) {
          reject(err);
        }
      });
    },
    close(): void {
      if (closed) return;
      closed = true;
      // Destroys the HTTP/2 session and its streams; Node would otherwise keep the loop alive.
      sessionManager.abort();
    },
  };
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
