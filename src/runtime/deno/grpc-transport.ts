// Connect-node's gRPC client works unchanged on this runtime (measured
// on all three); the implementation is shared, and loaded on first use so that engrams which
// never stream do not pay for @connectrpc/connect-node and node:http2 at start-up.
import type { GrpcTransport, GrpcTransportOptions } from "../types.ts";

/**
 * See `../grpc-transport.ts`. Without `confirmRead`: Deno's `node:http2` client sends and
 * acknowledges only the first SETTINGS frame of a session (Deno 2.9), so it cannot confirm.
 */
export async function createGrpcTransport(options: GrpcTransportOptions): Promise<GrpcTransport> {
  const t = (await import("../grpc-transport.ts")).createGrpcTransport(options);
  return { transport: t.transport, ready: (signal) => t.ready(signal), close: () => t.close() };
}
