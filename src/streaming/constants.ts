/**
 * Wire constants of the connector protocol (contract streaming.md, Appendix).
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

/** Reserved packet metadata keys. */
export const META_KIND = "bubu.envelope.kind";
export const META_MESSAGE_ID = "bubu.envelope.message_id";
export const META_TIMESTAMP_MS = "bubu.envelope.timestamp_ms";
export const META_HEARTBEAT = "bubu-heartbeat";

/** Envelope JSON version. */
export const ENVELOPE_VERSION = "v1";
/** Default MIME of opaque binary frames. */
export const OCTET_STREAM = "application/octet-stream";

/** Receipt custom action and its keys. */
export const RECEIPT_ACTION = "downstream.delivered";

/** 10 MiB: gRPC message limit, frame payload and envelope JSON limit. */
export const MAX_MESSAGE_BYTES: number = 10 * 1024 * 1024;
/** The proto's `total_bytes` bound: 64 MiB. */
export const MAX_TOTAL_BYTES: number = 64 * 1024 * 1024;

/** Dedupe capacity (pending and completed). */
export const DEDUPE_CAPACITY = 4096;
/** How long shutdown waits for the connector to close each stream after ours is closed. */
export const CLOSE_WAIT_MS = 2_000;
