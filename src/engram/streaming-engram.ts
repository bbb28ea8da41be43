/**
 * The author-facing streaming engram contract and `defineStreaming` (Go's
 * `StreamingEngram[C]` and `ControlDirectiveHandler`; contract streaming.md §6, §8).
 * @module
 */
import type { GenericSchema } from "valibot";
import type { InferSchema } from "./batch-engram.ts";
import type { Secrets } from "./secrets.ts";
import type { InboundMessage, StreamMessage } from "./streaming-message.ts";

/**
 * A control directive from the connector, or the reply to one. `type` is the lower-cased action
 * name (`connector.ready`, `handoff.draining`, `heartbeat`, `error`, `codec-select`, ...) or the
 * custom action.
 */
export interface ControlDirective {
  readonly type: string;
  readonly metadata: Readonly<Record<string, string>>;
}

/** Where `stream` writes its output. */
export interface StreamOutbound {
  /**
   * Queues `msg` for the connector. Resolves once it is buffered; while the bounded buffer
   * (`BUBU_GRPC_CHANNEL_BUFFER_SIZE`) is full it waits, which is the backpressure. Throws an
   * `InvalidStreamMessageError` for a message the contract rejects (the session is unaffected),
   * and rejects when `signal` aborts or the SDK is shutting down for good.
   */
  send(msg: StreamMessage, signal?: AbortSignal): Promise<void>;
}

/**
 * A streaming engram: `init` once, then `stream` once for the life of the process. The inbound
 * iterable spans reconnects to the connector; it ends when the SDK drains (SIGTERM), after which
 * `stream` should return. `signal` aborts only when the drain grace period runs out.
 */
export interface StreamingEngram<C = Record<string, unknown>> {
  /** Optional display name, used in logs. */
  readonly name?: string;
  readonly schemas?: { readonly config?: GenericSchema };
  init?(config: C, secrets: Secrets, signal: AbortSignal): void | Promise<void>;
  /** Reads `inbound`, calls `done()` on every message, writes to `outbound`. */
  stream(signal: AbortSignal, inbound: AsyncIterable<InboundMessage>, outbound: StreamOutbound): void | Promise<void>;
  /**
   * Optional: receives every control directive (startup ones included) instead of the SDK's
   * default acknowledgements. Return the reply to send (`undefined` sends nothing); a throw sends
   * `ERROR{message}`.
   */
  control?(
    directive: ControlDirective,
    signal: AbortSignal,
  ): ControlDirective | undefined | void | Promise<ControlDirective | undefined | void>;
}

/** The argument of {@link defineStreaming}. */
export interface StreamingDefinition<CS extends GenericSchema | undefined> {
  readonly name?: string;
  readonly config?: CS;
  init?(config: InferSchema<CS>, secrets: Secrets, signal: AbortSignal): void | Promise<void>;
  stream(signal: AbortSignal, inbound: AsyncIterable<InboundMessage>, outbound: StreamOutbound): void | Promise<void>;
  control?(
    directive: ControlDirective,
    signal: AbortSignal,
  ): ControlDirective | undefined | void | Promise<ControlDirective | undefined | void>;
}

/**
 * Declares a streaming engram whose config type comes from a valibot schema.
 *
 * @example
 * ```ts
 * const echo = defineStreaming({
 *   async stream(_signal, inbound, outbound) {
 *     for await (const msg of inbound) {
 *       await outbound.send({ kind: msg.kind, payload: msg.payload, metadata: msg.metadata });
 *       msg.done();
 *     }
 *   },
 * });
 * await startStreaming(echo);
 * ```
 */
export function defineStreaming<CS extends GenericSchema | undefined = undefined>(
  definition: StreamingDefinition<CS>,
): StreamingEngram<InferSchema<CS>> {
  return {
    name: definition.name,
    schemas: { config: definition.config },
    init: definition.init?.bind(definition),
    stream: definition.stream.bind(definition),
    control: definition.control?.bind(definition),
  };
}
