// Connect-node's gRPC client works unchanged on this runtime (measured
// on all three); the implementation is shared, and loaded on first use so that engrams which
// never stream do not pay for @connectrpc/connect-node and node:http2 at start-up.
import type { GrpcTransport, GrpcTransportOptions } from "../types.ts";

/** See `../grpc-transport.ts`. */
export async function createGrpcTransport(options: GrpcTransportOptions): Promise<GrpcTransport> {
  return (await import("../grpc-transport.ts")).createGrpcTransport(options);
}
