/**
 * The connector side of `startStreaming`, loaded only when the engram runs against a connector
 * (a binding or a cluster): the binding, the endpoint and the reconnecting gRPC client. Local
 * mode never loads it, so a laptop run needs none of the gRPC packages.
 * @module
 */
export { bindingReference, parseTransportBinding } from "./binding.ts";
export { runConnector } from "./connector-loop.ts";
export { parseConnectorEndpoint } from "./endpoint.ts";
