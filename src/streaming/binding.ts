/**
 * `BUBU_TRANSPORT_BINDING`: the binding envelope `{"name", "namespace", "binding"}`, its protojson
 * `BindingInfo`, the protocol version check and the provider payload's `env` overrides.
 * @module
 */
import { fromJson, type JsonValue } from "@bufbuild/protobuf";
import { type BindingInfo, BindingInfoSchema } from "../gen/transport/v1/transport_pb.ts";
import { PROTOCOL_VERSION } from "./constants.ts";
import { StreamingError } from "./errors.ts";

/** The decoded binding. */
export interface TransportBinding {
  readonly name: string;
  /** The envelope's namespace, else the first of the namespace env fallbacks, else `""`. */
  readonly namespace: string;
  readonly info: BindingInfo;
  /** Trimmed `BindingInfo.endpoint`. */
  readonly endpoint: string;
  /** The provider payload's top-level `env` map (only string values). */
  readonly envOverrides: Readonly<Record<string, string>>;
}

const MAX_BINDING_BYTES = 1024 * 1024;
/** Namespace fallbacks for the binding header, in order (the Go SDK's order). */
const NAMESPACE_VARS = [
  "BUBU_TARGET_STORY_NAMESPACE",
  "BUBU_IMPULSE_NAMESPACE",
  "BUBU_STEPRUN_NAMESPACE",
  "BUBU_POD_NAMESPACE",
] as const;

function fatal(message: string, cause?: unknown): StreamingError {
  return new StreamingError(message, { retriable: false, cause });
}

/**
 * Parses the binding env value. `env` supplies the namespace fallbacks.
 * @throws {StreamingError} (never retriable) naming what is wrong.
 */
export function parseTransportBinding(
  raw: string | undefined,
  env: (name: string) => string | undefined,
): TransportBinding {
  const text = (raw ?? "").trim();
  if (text === "") throw fatal("BUBU_TRANSPORT_BINDING not set");
  if (new TextEncoder().encode(text).length > MAX_BINDING_BYTES) {
    throw fatal(`invalid BUBU_TRANSPORT_BINDING: larger than ${MAX_BINDING_BYTES} bytes`);
  }
  if (!text.startsWith("{")) throw fatal("invalid BUBU_TRANSPORT_BINDING: expected a JSON object");
  let envelope: unknown;
  try {
    envelope = JSON.parse(text);
  } catch (err) {
    // The parser's message quotes the text around the error, and the binding can carry provider
    // credentials in its env overrides: keep only the position.
    const position = /position (\d+)/.exec((err as Error).message)?.[1];
    throw fatal(
      `invalid BUBU_TRANSPORT_BINDING: malformed JSON${position === undefined ? "" : ` at position ${position}`}`,
    );
  }
  const obj = envelope as Record<string, unknown>;
  const name = typeof obj.name === "string" ? obj.name.trim() : "";
  if (name === "") throw fatal("invalid BUBU_TRANSPORT_BINDING: binding envelope name is required");
  const inline = obj.binding;
  if (inline === undefined || inline === null || (typeof inline === "object" && Object.keys(inline).length === 0)) {
    throw fatal("transport binding missing inline payload");
  }
  if (typeof inline !== "object" || Array.isArray(inline)) {
    throw fatal("invalid BUBU_TRANSPORT_BINDING: binding must be a JSON object");
  }
  let info: BindingInfo;
  try {
    info = fromJson(BindingInfoSchema, inline as JsonValue);
  } catch (err) {
    throw fatal(`invalid BUBU_TRANSPORT_BINDING: binding: ${(err as Error).message}`, err);
  }
  if (info.protocolVersion !== PROTOCOL_VERSION) {
    throw fatal(
      `invalid transport protocol version in binding: ${JSON.stringify(info.protocolVersion)} (protocol mismatch: want ${PROTOCOL_VERSION})`,
    );
  }
  const endpoint = info.endpoint.trim();
  if (endpoint === "") throw fatal("transport binding missing endpoint");
  let namespace = typeof obj.namespace === "string" ? obj.namespace.trim() : "";
  for (const v of NAMESPACE_VARS) {
    if (namespace !== "") break;
    namespace = (env(v) ?? "").trim();
  }
  return { name, namespace, info, endpoint, envOverrides: payloadEnv(info.payload) };
}

/** The `bubu.transport.binding` header value: `<ns>/<name>`, or `<name>`. */
export function bindingReference(binding: Pick<TransportBinding, "name" | "namespace">): string {
  return binding.namespace === "" ? binding.name : `${binding.namespace}/${binding.name}`;
}

function payloadEnv(payload: Uint8Array): Record<string, string> {
  if (payload.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(payload));
  } catch {
    return {}; // provider payloads may be YAML or opaque; only a JSON `env` map is honoured
  }
  const env = (parsed as { env?: unknown } | null)?.env;
  if (typeof env !== "object" || env === null || Array.isArray(env)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (typeof v === "string") out[k] = v;
  return out;
}
