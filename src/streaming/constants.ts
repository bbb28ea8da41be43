/**
 * Constants of the connector protocol's sessions: headers, the startup handshake, dedupe and
 * shutdown. Message-level constants are in wire/constants.ts.
 * @module
 */

/** `bubu-transport-protocol` header value and `BindingInfo.protocol_version`. */
export const PROTOCOL_VERSION = "1.0.0";
/** Header sent on both `Data` and `Control`. */
export const PROTOCOL_HEADER = "bubu-transport-protocol";
/** `Control` header: `<namespace>/<name>` of the binding (never the JSON). */
export const BINDING_HEADER = "bubu.transport.binding";

/** `connector.ready` metadata key and its values. */
export const STARTUP_CAPABILITIES_KEY = "startup.capabilities";

/** Dedupe capacity (pending and completed). */
export const DEDUPE_CAPACITY = 4096;
/** How long shutdown waits for the connector to close each stream after ours is closed. */
export const CLOSE_WAIT_MS = 2_000;
