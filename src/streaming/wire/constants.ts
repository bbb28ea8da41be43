/**
 * Constants of the messages themselves: reserved metadata keys, envelope and MIME values, the
 * receipt action and the size limits.
 * @module
 */

/** Reserved packet metadata keys. */
export const META_KIND = "bubu.envelope.kind";
export const META_MESSAGE_ID = "bubu.envelope.message_id";
export const META_TIMESTAMP_MS = "bubu.envelope.timestamp_ms";
export const META_HEARTBEAT = "bubu-heartbeat";

/** Envelope JSON version. */
export const ENVELOPE_VERSION = "v1";
/** Default MIME of opaque binary frames. */
export const OCTET_STREAM = "application/octet-stream";

/** The receipt's `custom_action`. */
export const RECEIPT_ACTION = "downstream.delivered";

/** 10 MiB: gRPC message limit, frame payload and envelope JSON limit. */
export const MAX_MESSAGE_BYTES: number = 10 * 1024 * 1024;
/** The proto's `total_bytes` bound: 64 MiB. */
export const MAX_TOTAL_BYTES: number = 64 * 1024 * 1024;
