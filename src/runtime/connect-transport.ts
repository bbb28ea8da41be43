/**
 * A {@link GrpcTransport}'s transport as the `@connectrpc/connect` type it is, for code that has
 * the gRPC packages (the public `Runtime` types describe it by shape only).
 * @module
 */
import type { Transport } from "@connectrpc/connect";
import type { GrpcTransport } from "./types.ts";

/** `gt.transport`, typed as Connect's `Transport`. */
export function connectTransport(gt: GrpcTransport): Transport {
  return gt.transport as unknown as Transport;
}
