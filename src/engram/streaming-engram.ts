/**
 * Streaming engrams: `init` once, then `stream` for the life of the process, reading messages
 * from the connector sidecar and writing messages back.
 * @module
 */
import type { GenericSchema } from "valibot";
import type { InferSchema } from "./batch-engram.ts";
import type { Context } from "./context.ts";
import type { SecretDeclarations } from "./secret-declarations.ts";
import type { InboundMessage, StreamMessage } from "./streaming-message.ts";

/**
 * A control directive from the connector, or the reply to one. `type` is the lower-cased action
 * name (`connector.ready`, `handoff.draining`, `heartbeat`, `error`, `codec-select`, ...) or a
 * custom action.
 */
export interface ControlDirective {
  readonly type: string;
  readonly metadata: Readonly<Record<string, string>>;
}

/** Where `stream` writes its output. */
export interface StreamOutbound {
  /**
   * Queues `msg` for the connector (or stdout, locally). Resolves once it is buffered; while the
   * bounded buffer (`BUBU_GRPC_CHANNEL_BUFFER_SIZE`) is full it waits (backpressure). Throws an
   * `InvalidStreamMessageError` for a message the protocol rejects, and rejects when `signal`
   * aborts or the SDK is shutting down for good.
   */
  send(msg: StreamMessage, signal?: AbortSignal): Promise<void>;
}

/** The handler of control directives; return the reply (or nothing), throw to send `ERROR`. */
export type ControlHandler = (
  directive: ControlDirective,
  signal: AbortSignal,
) => ControlDirective | undefined | void | Promise<ControlDirective | undefined | void>;

/**
 * A streaming engram, as {@link defineStreaming} makes it. The inbound iterable spans reconnects
 * to the connector; it ends when the SDK drains (SIGTERM), after which `stream` should return.
 * `ctx.signal` aborts only when the drain's grace window runs out.
 */
export interface StreamingEngram<C = Record<string, unknown>> {
  readonly kind: "streaming";
  readonly name?: string | undefined;
  readonly schemas: { readonly config?: GenericSchema | undefined };
  readonly secrets?: SecretDeclarations | undefined;
  init?(ctx: Context<C>): void | Promise<void>;
  /** Reads `inbound`, calls `done()` on every message, writes to `outbound`. */
  stream(ctx: Context<C>, inbound: AsyncIterable<InboundMessage>, outbound: StreamOutbound): void | Promise<void>;
  /**
   * Optional: receives every control directive (startup ones included) instead of the SDK's
   * default acknowledgements.
   */
  control?: ControlHandler | undefined;
}

/** The argument of {@link defineStreaming}. */
export interface StreamingDefinition<CS extends GenericSchema | undefined> {
  readonly name?: string;
  readonly config?: CS;
  readonly secrets?: SecretDeclarations;
  init?(ctx: Context<InferSchema<CS>>): void | Promise<void>;
  stream(
    ctx: Context<InferSchema<CS>>,
    inbound: AsyncIterable<InboundMessage>,
    outbound: StreamOutbound,
  ): void | Promise<void>;
  control?(
    directive: ControlDirective,
    signal: AbortSignal,
  ): ControlDirective | undefined | void | Promise<ControlDirective | undefined | void>;
}

/**
 * Declares a streaming engram; the config type comes from the valibot schema.
 *
 * @example
 * ```ts
 * const echo = defineStreaming({
 *   async stream(ctx, inbound, outbound) {
 *     for await (const msg of inbound) {
 *       await outbound.send({ kind: msg.kind, payload: msg.payload, metadata: msg.metadata });
 *       msg.done();
 *     }
 *   },
 * });
 * if (import.meta.main) await start(echo);
 * ```
 */
export function defineStreaming<CS extends GenericSchema | undefined = undefined>(
  definition: StreamingDefinition<CS>,
): StreamingEngram<InferSchema<CS>> {
  return {
    kind: "streaming",
    name: definition.name,
    schemas: { config: definition.config },
    secrets: definition.secrets,
    init: definition.init?.bind(definition),
    stream: definition.stream.bind(definition),
    control: definition.control?.bind(definition),
  };
}
