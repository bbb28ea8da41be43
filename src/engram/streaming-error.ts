/**
 * In-band stream errors: a `kind: "error"` message whose payload is a StructuredError.
 * @module
 */
import { toStructuredJson } from "../errors/build-status-error.ts";
import type { StructuredErrorJson } from "../errors/structured-error.ts";
import {
  type NewStreamMessageInit,
  newStreamMessage,
  STREAM_KIND_ERROR,
  type StreamMessage,
} from "./streaming-message.ts";

/**
 * An error message for downstream steps. `error` may be a StructuredError JSON object or any
 * thrown value (classified like a failed batch run).
 *
 * @remarks The Go SDK's `NewStreamErrorMessage` (and {@link parseStreamErrorMessage} its
 * `ParseStreamErrorMessage`).
 */
export function newStreamErrorMessage(
  error: StructuredErrorJson | unknown,
  init: Omit<NewStreamMessageInit, "json"> = {},
): StreamMessage {
  const json = isStructuredJson(error) ? error : toStructuredJson(error);
  return newStreamMessage(STREAM_KIND_ERROR, { ...init, json });
}

/** `{ isError: false }` for other kinds; the parsed StructuredError otherwise (throws on bad JSON). */
export function parseStreamErrorMessage(
  msg: StreamMessage,
): { isError: false } | { isError: true; error: StructuredErrorJson } {
  if ((msg.kind ?? "").trim().toLowerCase() !== STREAM_KIND_ERROR) return { isError: false };
  if (msg.payload === undefined || msg.payload.length === 0) throw new Error("stream error message has no payload");
  const value = JSON.parse(new TextDecoder().decode(msg.payload)) as unknown;
  if (!isStructuredJson(value)) throw new Error("stream error payload is not a StructuredError object");
  return { isError: true, error: value };
}

function isStructuredJson(v: unknown): v is StructuredErrorJson {
  return (
    typeof v === "object" &&
    v !== null &&
    !Array.isArray(v) &&
    !(v instanceof Error) &&
    typeof (v as { message?: unknown }).message === "string" &&
    typeof (v as { type?: unknown }).type === "string"
  );
}
