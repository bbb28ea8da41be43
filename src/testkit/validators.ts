/**
 * Validators of structured errors and stream messages, returning an Error or `undefined`
 * (the Go SDK testkit's `ValidateStructuredError`, `ValidateStreamMessage`,
 * `ValidateStreamErrorMessage`, with the same rules and texts).
 * @module
 */
import { STREAM_KIND_ERROR, type StreamMessage } from "../engram/streaming-message.ts";
import { validateStreamMessage as checkStreamMessage } from "../engram/streaming-validate.ts";
import { ErrorType, ExitClass } from "../errors/structured-error.ts";

const TYPES: ReadonlySet<string> = new Set(Object.values(ErrorType));
const CLASSES: ReadonlySet<string> = new Set(Object.values(ExitClass));

/** Checks version `v1`, a known `type`, a non-blank `message` and, if set, a known `exitClass`. */
export function validateStructuredError(value: unknown): Error | undefined {
  if (typeof value !== "object" || value === null) return new Error("structured error must be an object");
  const e = value as Record<string, unknown>;
  const version = typeof e.version === "string" ? e.version.trim() : "";
  if (version === "") return new Error("structured error version is required");
  if (version !== "v1") return new Error(`unsupported structured error version "${version}"`);
  if (typeof e.type !== "string" || e.type === "") return new Error("structured error type is required");
  if (!TYPES.has(e.type)) return new Error(`unsupported structured error type "${e.type}"`);
  if (typeof e.message !== "string" || e.message.trim() === "")
    return new Error("structured error message is required");
  if (e.exitClass !== undefined && e.exitClass !== "" && !CLASSES.has(String(e.exitClass))) {
    return new Error(`unsupported structured error exitClass "${String(e.exitClass)}"`);
  }
  return undefined;
}

/** Throws when {@link validateStructuredError} finds a problem. */
export function requireStructuredError(value: unknown): void {
  const err = validateStructuredError(value);
  if (err) throw new Error(`invalid structured error: ${err.message}`);
}

/**
 * Checks an output message: an `error` kind must carry a valid StructuredError, the message must
 * pass the stream message rules (`validateStreamMessage` of `@bubustack/sdk/streaming`), and it
 * must carry a payload, inputs, transports or a media frame — so heartbeat and noop messages fail.
 *
 * @remarks The Go SDK testkit's `ValidateStreamMessage`.
 */
export function validateStreamMessage(msg: StreamMessage): Error | undefined {
  if ((msg.kind ?? "").trim() === STREAM_KIND_ERROR) {
    const err = validateStreamErrorMessage(msg);
    if (err) return err;
  }
  try {
    checkStreamMessage(msg);
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
  const empty =
    msg.audio === undefined &&
    msg.video === undefined &&
    msg.binary === undefined &&
    (msg.payload?.length ?? 0) === 0 &&
    (msg.inputs?.length ?? 0) === 0 &&
    (msg.transports?.length ?? 0) === 0;
  if (empty) return new Error("stream message missing payload, inputs, transports, or media");
  return undefined;
}

/** Checks an `error` message: kind `error`, a payload that is a valid StructuredError. */
export function validateStreamErrorMessage(msg: StreamMessage): Error | undefined {
  if ((msg.kind ?? "").trim() !== STREAM_KIND_ERROR) {
    return new Error(`stream message kind ${JSON.stringify(msg.kind ?? "")} is not error`);
  }
  if (msg.payload === undefined || msg.payload.length === 0) return new Error("stream error message missing payload");
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(msg.payload));
  } catch (err) {
    return new Error(`stream error payload invalid: ${(err as Error).message}`, { cause: err });
  }
  // As in the Go testkit: `null` is an empty error (the zero value), any other non-object fails.
  if (value !== null && (typeof value !== "object" || Array.isArray(value))) {
    return new Error("stream error payload invalid: not a JSON object");
  }
  const invalid = validateStructuredError(value ?? {});
  if (invalid) return new Error(`stream error payload invalid: ${invalid.message}`, { cause: invalid });
  return undefined;
}

/** Throws `invalid stream message: …` when {@link validateStreamMessage} finds a problem. */
export function requireStreamMessage(msg: StreamMessage): void {
  const err = validateStreamMessage(msg);
  if (err) throw new Error(`invalid stream message: ${err.message}`, { cause: err });
}

/** Throws `invalid stream error message: …` when {@link validateStreamErrorMessage} finds a problem. */
export function requireStreamErrorMessage(msg: StreamMessage): void {
  const err = validateStreamErrorMessage(msg);
  if (err) throw new Error(`invalid stream error message: ${err.message}`, { cause: err });
}
