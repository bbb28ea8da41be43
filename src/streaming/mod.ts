/**
 * Streaming engrams: a gRPC client of the transport connector sidecar
 * (`transport.v1.TransportConnectorService` Data and Control), or NDJSON on stdin/stdout locally.
 *
 * @example
 * ```ts
 * import { defineStreaming, startStreaming } from "@bubustack/sdk/streaming";
 *
 * await startStreaming(defineStreaming({
 *   async stream(_signal, inbound, outbound) {
 *     for await (const msg of inbound) {
 *       await outbound.send({ kind: msg.kind, payload: msg.payload, metadata: msg.metadata });
 *       msg.done();
 *     }
 *   },
 * }));
 * ```
 * @module
 */
export { startStreaming, type StartStreamingOptions, type StreamingOutcome } from "./start-streaming.ts";
export {
  type ControlDirective,
  defineStreaming,
  type StreamingDefinition,
  type StreamingEngram,
  type StreamOutbound,
} from "../engram/streaming-engram.ts";
export {
  type AudioFrame,
  type BinaryFrame,
  type InboundMessage,
  newStreamMessage,
  type NewStreamMessageInit,
  STREAM_KIND_DATA,
  STREAM_KIND_ERROR,
  STREAM_KIND_HEARTBEAT,
  STREAM_KIND_NOOP,
  type StreamEnvelopeInfo,
  type StreamMessage,
  streamMessageInputs,
  streamMessageJson,
  type StreamTransportDescriptor,
  type VideoFrame,
} from "../engram/streaming-message.ts";
export { ENVELOPE_MIME_TYPE, INVALID_STREAM_MESSAGE, InvalidStreamMessageError, validateStreamMessage } from "../engram/streaming-validate.ts";
export { newStreamErrorMessage, parseStreamErrorMessage } from "../engram/streaming-error.ts";
export type { GrpcTarget, GrpcTransport, GrpcTransportOptions, EncodedMessage, RequestEncoder } from "../runtime/types.ts";
