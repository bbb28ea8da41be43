// Connect-node's gRPC client works unchanged on this runtime (../../shared RUNTIMES.md, measured
// on all three); the implementation is shared.
export { createGrpcTransport } from "../grpc-transport.ts";
