/**
 * The hybrid bridge (batch → stream): after a successful batch run whose status was written,
 * forward the output once to the transport connector named by `BUBU_TRANSPORT_BINDING`.
 *
 * Unlike Go, the `Data` stream carries `bubu-transport-protocol`, and the bridge reads
 * the connector's answer instead of closing blindly: a gRPC error (for example
 * `FAILED_PRECONDITION`) or the deadline is a failure; the stream ending with OK, or no rejection within a short grace
 * after the send while the connector keeps the stream open, count as delivered (`awaitAnswer`).
 * Failures are logged, never thrown: the step's outcome does not depend on the bridge.
 * @module
 */
import { createClient } from "@connectrpc/connect";
import type { StreamMessage, StreamTransportDescriptor } from "../engram/streaming-message.ts";
import { formatGoDuration } from "../env/duration.ts";
import type { StoryInfo } from "../env/story-info.ts";
import { type DataRequest, TransportConnectorService } from "../gen/transport/v1/transport_pb.ts";
import { goJsonStringify } from "../json/go-json.ts";
import type { Logger } from "../observability/logger.ts";
import { connectTransport } from "../runtime/connect-transport.ts";
import type { GrpcTransport, Runtime } from "../runtime/types.ts";
import { parseTransportBinding } from "../streaming/binding.ts";
import { PROTOCOL_HEADER, PROTOCOL_VERSION } from "../streaming/constants.ts";
import { parseConnectorEndpoint } from "../streaming/endpoint.ts";
import { describeError } from "../streaming/errors.ts";
import { resolveStreamingSettings } from "../streaming/settings.ts";
import { toDataRequest } from "../streaming/wire/to-data-request.ts";

/** The log text for a failed forward (Go's exact wording). */
export const HYBRID_BRIDGE_FAILED_MESSAGE =
  "Hybrid bridge (batch→stream) send failed; continuing without downstream delivery";
/** Logged after the connector accepted the output (Go's wording). */
export const HYBRID_BRIDGE_DELIVERED_MESSAGE = "Hybrid bridge (batch→stream) delivered output to Hub";

/** What the bridge forwards: the run's identity, its raw inputs and its (dehydrated) output. */
export interface HybridBridgeInput {
  /** The output as written to `status.output`; `undefined` (or JSON `null`) skips the bridge. */
  readonly output: unknown;
  /** The step's inputs as received (before hydration and templating), as Go's `execCtxData.Inputs`. */
  readonly inputs: Readonly<Record<string, unknown>>;
  /** The step identity, sent as packet metadata. */
  readonly storyInfo: StoryInfo;
  /** `BUBU_TRANSPORTS`. */
  readonly transports: readonly StreamTransportDescriptor[];
}

/** Where and how long the bridge may talk to the connector. */
export interface HybridBridgeDeps {
  /** Supplies the gRPC transport. */
  readonly runtime: Pick<Runtime, "createGrpcTransport">;
  /** The process environment (binding, namespace fallbacks, dial and size tunables). */
  readonly env: (name: string) => string | undefined;
  /** Where skips, the delivery and failures are logged. */
  readonly logger: Logger;
  /** `BUBU_HYBRID_BRIDGE_TIMEOUT` in nanoseconds: one deadline for dial, send and answer. */
  readonly timeoutNs: bigint;
  /** Aborts the bridge early (SIGTERM). */
  readonly signal?: AbortSignal;
  /** PEM CA trusted for a TLS connector endpoint instead of the system roots (tests). */
  readonly tlsCa?: string;
  /** The packet timestamp source (tests). */
  readonly now?: () => Date;
  /** How long to wait for a rejection after the send when the connector keeps the stream open. */
  readonly answerGraceMs?: number;
}

/**
 * How the connector answered an accepted send: `delivered` (it ended the stream with OK) or
 * `unrejected` (it kept the stream open with no error for the grace after the send; rejections
 * come at once, so the packet was taken).
 */
export type HybridBridgeAnswer = "delivered" | "unrejected";

/** Default of {@link HybridBridgeDeps.answerGraceMs}. */
export const ANSWER_GRACE_MS = 2000;

/** How the bridge ended. `failed` has already been logged. */
export type HybridBridgeResult =
  | { readonly kind: "skipped"; readonly reason: "no-output" | "no-binding" }
  | { readonly kind: "delivered"; readonly endpoint: string; readonly answer: HybridBridgeAnswer }
  | { readonly kind: "failed"; readonly error: Error };

/** A bridge failure; `message` is the cause that is logged under {@link HYBRID_BRIDGE_FAILED_MESSAGE}. */
export class HybridBridgeError extends Error {
  /** Always `HybridBridgeError`. */
  override readonly name: string = "HybridBridgeError";
}

/** The output cannot be sent (not a JSON object): the engram's bug, logged as an error. */
export class HybridOutputError extends HybridBridgeError {
  /** Always `HybridOutputError`. */
  override readonly name: string = "HybridOutputError";
}

/**
 * The message the bridge sends (Go's `buildHybridStreamMessage`): kind `data`, timestamp now,
 * the output as JSON payload, the step identity as metadata (trimmed, empty values left out),
 * the inputs as JSON (left out when empty) and the story transports.
 * @throws {HybridOutputError} when the output is not a JSON object (the wire carries it as a
 * `google.protobuf.Struct`).
 */
export function hybridStreamMessage(input: HybridBridgeInput, now: Date = new Date()): StreamMessage {
  const { output } = input;
  if (typeof output !== "object" || output === null || Array.isArray(output)) {
    throw new HybridOutputError(`hybrid bridge output must be a JSON object, got ${describeJson(output)}`);
  }
  const encoder = new TextEncoder();
  const metadata: Record<string, string> = {};
  const info = input.storyInfo;
  for (const key of ["storyName", "storyRunID", "stepName", "stepRunID", "stepRunNamespace"] as const) {
    const v = info[key].trim();
    if (v !== "") metadata[key] = v;
  }
  const hasInputs = Object.keys(input.inputs).length > 0;
  return {
    kind: "data",
    timestamp: now,
    // Go-compatible bytes (sorted keys), as Go's json.Marshal of the same maps.
    payload: encoder.encode(goJsonStringify(output)),
    ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
    ...(hasInputs ? { inputs: encoder.encode(goJsonStringify(input.inputs)) } : {}),
    ...(input.transports.length > 0 ? { transports: input.transports.map((t) => ({ ...t })) } : {}),
  };
}

/**
 * Forwards `input.output` to the connector and waits for its answer. Never throws: a skip is
 * logged at debug level, a failure as a warning (an error for an output that cannot be sent).
 */
export async function runHybridBridge(input: HybridBridgeInput, deps: HybridBridgeDeps): Promise<HybridBridgeResult> {
  const { logger } = deps;
  if (input.output === undefined || input.output === null) {
    logger.debug("No output; skipping hybrid bridge delivery");
    return { kind: "skipped", reason: "no-output" };
  }
  if ((deps.env("BUBU_TRANSPORT_BINDING") ?? "").trim() === "") {
    logger.debug("No transport binding provided; skipping hybrid bridge delivery");
    return { kind: "skipped", reason: "no-binding" };
  }
  try {
    const { endpoint, answer } = await forward(input, deps);
    logger.info(HYBRID_BRIDGE_DELIVERED_MESSAGE, { endpoint, answer });
    return { kind: "delivered", endpoint, answer };
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    // An output the wire cannot carry is the engram's bug, not a transient delivery problem.
    const level = err instanceof HybridOutputError ? "error" : "warn";
    logger[level](HYBRID_BRIDGE_FAILED_MESSAGE, { error: error.message });
    return { kind: "failed", error };
  }
}

async function forward(
  input: HybridBridgeInput,
  deps: HybridBridgeDeps,
): Promise<{ endpoint: string; answer: HybridBridgeAnswer }> {
  // Everything that can be checked locally is checked before dialling.
  let request: DataRequest;
  try {
    request = toDataRequest(hybridStreamMessage(input, (deps.now ?? (() => new Date()))()));
  } catch (err) {
    if (err instanceof HybridBridgeError) throw err;
    throw new HybridBridgeError(`hybrid bridge payload rejected: ${describeError(err)}`, { cause: err });
  }
  const binding = parseTransportBinding(deps.env("BUBU_TRANSPORT_BINDING"), deps.env);
  const settings = resolveStreamingSettings(deps.env, binding.envOverrides);
  const endpoint = parseConnectorEndpoint(binding.endpoint);

  // Timers take at most 2^31-1 ms; a longer bridge deadline is effectively "none" anyway.
  const timeoutMs = Math.min(2 ** 31 - 1, Math.max(1, Number(deps.timeoutNs / 1_000_000n)));
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = deps.signal === undefined ? deadline : AbortSignal.any([deadline, deps.signal]);
  let stage = "dialling the connector";
  const why = (err: unknown): HybridBridgeError => {
    if (deadline.aborted) {
      return new HybridBridgeError(
        `hybrid bridge timed out after ${formatGoDuration(deps.timeoutNs)} (BUBU_HYBRID_BRIDGE_TIMEOUT) while ${stage} at ${endpoint.label}`,
        { cause: err },
      );
    }
    if (signal.aborted)
      return new HybridBridgeError(`hybrid bridge aborted while ${stage}: ${describeError(signal.reason)}`, {
        cause: err,
      });
    return new HybridBridgeError(`${stageFailure(stage, endpoint.label)}: ${describeError(err)}`, { cause: err });
  };

  if (deps.logger.enabled("DEBUG")) {
    deps.logger.debug("Delivering hybrid payload via connector", {
      endpoint: endpoint.label,
      driver: binding.info.driver,
      payloadBytes: request.frame.case === "binary" ? request.frame.value.payload.length : 0,
    });
  }
  let gt: GrpcTransport;
  try {
    gt = await deps.runtime.createGrpcTransport({
      target: endpoint.target,
      tls: endpoint.tls,
      ca: deps.tlsCa,
      connectTimeoutMs: Math.min(settings.dialTimeoutMs, timeoutMs),
      readMaxBytes: settings.maxRecvBytes,
      writeMaxBytes: settings.maxSendBytes,
      label: endpoint.label,
    });
  } catch (err) {
    throw why(err);
  }
  try {
    try {
      await gt.ready(signal);
      signal.throwIfAborted();
    } catch (err) {
      throw why(err);
    }
    stage = "waiting for the connector's answer";
    return {
      endpoint: endpoint.label,
      answer: await awaitAnswer(gt, request, signal, deps.answerGraceMs ?? ANSWER_GRACE_MS, deps.logger, why),
    };
  } finally {
    gt.close();
  }
}

/**
 * Sends `request` on a new `Data` stream, closes our side and waits for the connector's answer:
 * the stream ending (OK = delivered, an error status = rejected), or `graceMs` after the send with
 * no rejection. A connector refuses at once (for example `FAILED_PRECONDITION` for a missing
 * protocol header, or an error right after it read our side), so the grace catches rejections
 * without holding the pod for the whole deadline when the connector keeps `Data` open.
 */
async function awaitAnswer(
  gt: GrpcTransport,
  request: DataRequest,
  signal: AbortSignal,
  graceMs: number,
  logger: Logger,
  why: (err: unknown) => HybridBridgeError,
): Promise<HybridBridgeAnswer> {
  const client = createClient(TransportConnectorService, connectTransport(gt));
  const stop = new AbortController(); // ends our read once the answer is known
  // The grace starts once the request is handed over (our side then closes: gRPC CloseSend).
  let grace: ReturnType<typeof setTimeout> | undefined;
  let graceEnded!: () => void;
  const unrejected = new Promise<HybridBridgeAnswer>((resolve) => (graceEnded = () => resolve("unrejected")));
  async function* sendOnce(): AsyncGenerator<DataRequest> {
    yield request;
    grace = setTimeout(graceEnded, graceMs);
  }
  const read = (async (): Promise<HybridBridgeAnswer> => {
    let packets = 0;
    try {
      const responses = client.data(sendOnce(), {
        headers: { [PROTOCOL_HEADER]: PROTOCOL_VERSION },
        signal: AbortSignal.any([signal, stop.signal]),
      });
      for await (const _packet of responses) packets++; // packets for this binding are not ours to consume
      return "delivered";
    } finally {
      if (packets > 0) logger.debug("hybrid bridge ignored packets sent by the connector", { count: packets });
    }
  })();
  try {
    return await Promise.race([read, unrejected]);
  } catch (err) {
    throw why(err);
  } finally {
    clearTimeout(grace);
    stop.abort();
    read.catch(() => {}); // ended by `stop` once the answer is known
  }
}

function stageFailure(stage: string, label: string): string {
  return stage === "dialling the connector"
    ? `failed to dial transport connector ${label}`
    : `sending the hybrid payload to transport connector ${label} failed`;
}

function describeJson(v: unknown): string {
  if (Array.isArray(v)) return "an array";
  if (v === null) return "null";
  return `a ${typeof v}`;
}
