/**
 * Stream messages as engram code sees them: the message, inbound messages, frames and kinds.
 * @module
 */
import type { Context } from "@opentelemetry/api";

/** `data`: an ordinary application packet. */
export const STREAM_KIND_DATA = "data";
/** `heartbeat`: transport liveness; never delivered to engrams. */
export const STREAM_KIND_HEARTBEAT = "heartbeat";
/** `noop`: intentionally empty; never delivered to engrams. */
export const STREAM_KIND_NOOP = "noop";
/** `error`: the payload is a StructuredError (see `newStreamErrorMessage`). */
export const STREAM_KIND_ERROR = "error";

/** Raw PCM (little-endian) or encoded audio. `timestampMs` must be >= 0. */
export interface AudioFrame {
  readonly pcm: Uint8Array;
  readonly sampleRateHz: number;
  readonly channels: number;
  /** Set when the bytes are encoded (e.g. `opus`). */
  readonly codec?: string;
  readonly timestampMs?: number;
}

/** Encoded video (`codec` required) or raw frames (`raw` with width and height). */
export interface VideoFrame {
  readonly payload: Uint8Array;
  readonly codec?: string;
  readonly width?: number;
  readonly height?: number;
  readonly timestampMs?: number;
  readonly raw?: boolean;
}

/** Arbitrary bytes with a MIME type (default `application/octet-stream`). */
export interface BinaryFrame {
  readonly payload: Uint8Array;
  readonly mimeType?: string;
  readonly timestampMs?: number;
}

/** A story transport as the hub describes it (`TransportDescriptor`). */
export interface StreamTransportDescriptor {
  readonly name: string;
  readonly kind: string;
  readonly mode?: string;
  readonly typedConfig?: { readonly transportRef?: string; readonly modeReason?: string };
}

/** Ordering and chunking coordinates (`transport.v1.StreamEnvelope`). */
export interface StreamEnvelopeInfo {
  readonly streamId?: string;
  /** uint64 on the wire. */
  readonly sequence?: bigint;
  readonly partition?: string;
  readonly chunkId?: string;
  readonly chunkIndex?: number;
  readonly chunkCount?: number;
  readonly chunkBytes?: number;
  readonly totalBytes?: number;
}

/**
 * One stream packet. `payload` and `inputs` are bytes: JSON on the structured paths (they must
 * then be JSON objects), but an inbound opaque binary packet carries its raw bytes in `payload`.
 * Use {@link newStreamMessage} and {@link streamMessageJson} for the JSON case.
 */
export interface StreamMessage {
  /** `data`, `error`, or any `[A-Za-z0-9._-]+` kind. */
  readonly kind?: string | undefined;
  readonly messageId?: string | undefined;
  readonly timestamp?: Date | undefined;
  readonly metadata?: Readonly<Record<string, string>> | undefined;
  readonly payload?: Uint8Array | undefined;
  /** Hub-evaluated step inputs (`with:`), JSON. */
  readonly inputs?: Uint8Array | undefined;
  readonly audio?: AudioFrame | undefined;
  readonly video?: VideoFrame | undefined;
  readonly binary?: BinaryFrame | undefined;
  readonly transports?: readonly StreamTransportDescriptor[] | undefined;
  readonly envelope?: StreamEnvelopeInfo | undefined;
}

/**
 * A message delivered to `stream`. Call `done()` once it is handled **or deliberately
 * dropped**: that sends the `downstream.delivered` receipt for sequenced packets and lets the
 * SDK forget its dedupe entry. Extra calls are ignored.
 */
export interface InboundMessage extends StreamMessage {
  done(): void;
  /**
   * The OpenTelemetry context restored from the W3C `traceparent`/`tracestate`/`baggage` keys in
   * `metadata` (extracted for you): set only when propagation is on and the metadata carried a
   * valid trace context or baggage. Start the handling span under it
   * (`tracer.startActiveSpan(name, {}, msg.traceContext, …)`) and messages sent inside that span
   * continue the upstream trace.
   */
  readonly traceContext?: Context;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The fields of {@link newStreamMessage} besides `kind`: a message's own fields, with JSON values
 * for `payload` (`json`) and `inputs`.
 */
export interface NewStreamMessageInit extends Omit<StreamMessage, "kind" | "payload" | "inputs"> {
  /** A JSON value (an object on the structured wire paths), encoded into `payload`. */
  readonly json?: unknown;
  /** JSON inputs, encoded into `inputs`. */
  readonly inputs?: unknown;
}

/**
 * Builds a message of `kind`; `json` and `inputs` are JSON-encoded into `payload` and `inputs`.
 *
 * @remarks The Go SDK's `NewStreamMessage` with `WithJSONPayload`, `WithInputs`, ….
 *
 * @example
 * ```ts
 * await outbound.send(newStreamMessage("data", { json: { text: "hi" } }));
 * ```
 */
export function newStreamMessage(kind: string, init: NewStreamMessageInit = {}): StreamMessage {
  const { json, inputs, ...rest } = init;
  const msg: { -readonly [K in keyof StreamMessage]: StreamMessage[K] } = { kind };
  // Fields given as `undefined` are left out, as if not given.
  for (const [key, value] of Object.entries(rest))
    if (value !== undefined) (msg as Record<string, unknown>)[key] = value;
  if (json !== undefined) msg.payload = encoder.encode(JSON.stringify(json));
  if (inputs !== undefined) msg.inputs = encoder.encode(JSON.stringify(inputs));
  return msg;
}

/** `payload` parsed as JSON; `undefined` when there is no payload. Throws on non-JSON bytes. */
export function streamMessageJson(msg: StreamMessage): unknown {
  if (msg.payload === undefined || msg.payload.length === 0) return undefined;
  return JSON.parse(decoder.decode(msg.payload));
}

/** `inputs` parsed as JSON; `undefined` when absent. */
export function streamMessageInputs(msg: StreamMessage): unknown {
  if (msg.inputs === undefined || msg.inputs.length === 0) return undefined;
  return JSON.parse(decoder.decode(msg.inputs));
}
