/**
 * Stream messages for streaming engrams: building and reading messages, media frames, in-band
 * error messages and validation. Define and run a streaming engram with `defineStreaming` and
 * `start` from `@bubustack/sdk`.
 *
 * @example
 * ```ts
 * import { newStreamMessage, streamMessageJson } from "@bubustack/sdk/streaming";
 *
 * for await (const msg of inbound) {
 *   const { text } = streamMessageJson(msg) as { text: string };
 *   await outbound.send(newStreamMessage("data", { json: { text: text.toUpperCase() } }));
 *   msg.done();
 * }
 * ```
 * @module
 */

export type { ControlDirective } from "../engram/streaming-engram.ts";
export { newStreamErrorMessage, parseStreamErrorMessage } from "../engram/streaming-error.ts";
export {
  type AudioFrame,
  type BinaryFrame,
  type NewStreamMessageInit,
  newStreamMessage,
  STREAM_KIND_DATA,
  STREAM_KIND_ERROR,
  STREAM_KIND_HEARTBEAT,
  STREAM_KIND_NOOP,
  type StreamEnvelopeInfo,
  type StreamTransportDescriptor,
  streamMessageInputs,
  streamMessageJson,
  type VideoFrame,
} from "../engram/streaming-message.ts";
export { ENVELOPE_MIME_TYPE, InvalidStreamMessageError, validateStreamMessage } from "../engram/streaming-validate.ts";
