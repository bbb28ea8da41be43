/**
 * One connector session: dial, open `Data` and `Control`, the startup handshake, then the data
 * and control loops until the session fails or the pipeline has drained (contract streaming.md
 * §6, §7, §10, §12, §13).
 * @module
 */
import { create, type DescMethodBiDiStreaming } from "@bufbuild/protobuf";
import { DataResponseWireSchema } from "../gen/bubu/sdk/v1/wire_pb.ts";
import { type Context, context as otelContext } from "@opentelemetry/api";
import {
  type ControlRequest,
  type ControlResponse,
  type DataRequest,
  DataRequestSchema,
  type DataResponse,
  TransportConnectorService,
} from "../gen/transport/v1/transport_pb.ts";
import type { ControlDirective } from "../engram/streaming-engram.ts";
import type { InboundMessage, StreamMessage } from "../engram/streaming-message.ts";
import { recordBackpressureTimeout, recordClientBufferFlushed, recordStreamMessage } from "../observability/instruments.ts";
import type { Logger } from "../observability/logger.ts";
import { extractTraceContext } from "../observability/propagation.ts";
import type { GrpcTransport, RequestEncoder, Runtime } from "../runtime/types.ts";
import { aborted, deferred, within } from "./async-util.ts";
import { openBidi } from "./bidi.ts";
import { encodeDataRequest, wireSize } from "./wire/data-request-wire.ts";
import { ChunkError, type ChunkLimits, ChunkReassembler, type ChunkResult } from "./wire/chunks.ts";
import { BINDING_HEADER, CLOSE_WAIT_MS, PROTOCOL_HEADER, PROTOCOL_VERSION, STARTUP_CAPABILITIES_KEY } from "./constants.ts";
import { META_HEARTBEAT } from "./wire/constants.ts";
import {
  defaultReply,
  directiveToRequest,
  directiveType,
  errorRequest,
  heartbeatRequest,
  type Receipt,
  receiptRequest,
  toDirective,
} from "./wire/control.ts";
import { dedupeKey } from "./dedupe.ts";
import type { ConnectorEndpoint } from "./endpoint.ts";
import { describeError, isRetriable, StreamingError } from "./errors.ts";
import { fromDataResponse, isDroppable } from "./wire/from-data-response.ts";
import { responseFromWire, wireOf } from "./wire/response-from-wire.ts";
import type { OutboundPacket, StreamPipeline } from "./pipeline.ts";
import { BoundedQueue } from "./queue.ts";
import type { StreamingSettings } from "./settings.ts";

/** A custom directive handler (the engram's `control`). */
export type DirectiveHandler = (
  directive: ControlDirective,
  signal: AbortSignal,
) => ControlDirective | undefined | void | Promise<ControlDirective | undefined | void>;

/** Everything one session needs. */
export interface SessionDeps {
  readonly runtime: Pick<Runtime, "createGrpcTransport">;
  readonly endpoint: ConnectorEndpoint;
  /** `bubu.transport.binding` value; omitted when empty. */
  readonly bindingRef: string;
  readonly settings: StreamingSettings;
  readonly pipeline: StreamPipeline;
  readonly logger: Logger;
  readonly handler?: DirectiveHandler;
  readonly chunkLimits?: ChunkLimits;
  /** Trusted CA for TLS endpoints (tests). */
  readonly tlsCa?: string;
  /** Called once the handshake gate opens. */
  readonly onEstablished?: () => void;
}

/** Go's startup validation of `connector.ready` metadata. Returns whether capabilities are required. */
export function parseStartupCapabilities(metadata: Readonly<Record<string, string>>): boolean {
  if (!Object.hasOwn(metadata, STARTUP_CAPABILITIES_KEY)) {
    throw new StreamingError("invalid connector.ready startup metadata: missing startup.capabilities metadata", { retriable: true });
  }
  const v = metadata[STARTUP_CAPABILITIES_KEY].trim().toLowerCase();
  if (v === "required") return true;
  if (v === "none") return false;
  throw new StreamingError(
    `invalid startup.capabilities metadata ${JSON.stringify(metadata[STARTUP_CAPABILITIES_KEY])} (expected required or none)`,
    { retriable: true },
  );
}

function sizeOf(p: DataResponse): number {
  // As received when it came off the wire (its Structs are not decoded just to be measured),
  // and counted, not encoded again.
  return wireSize(wireOf(p) ?? p);
}

/** The Data method with responses read as `DataResponseWire` (response-from-wire.ts). */
const DATA_METHOD: DescMethodBiDiStreaming<typeof DataRequestSchema, typeof DataResponseWireSchema> = {
  ...TransportConnectorService.method.data,
  output: DataResponseWireSchema,
};

function receiptFor(p: DataResponse): Receipt | undefined {
  const e = p.envelope;
  if (e === undefined || e.sequence <= 0n || e.streamId === "") return undefined;
  return { streamId: e.streamId, sequence: e.sequence, partition: e.partition, sizeBytes: sizeOf(p) };
}

/** Outbound Data requests are sized and written straight into the gRPC frame (data-request-wire.ts). */
const REQUEST_ENCODERS: Readonly<Record<string, RequestEncoder>> = {
  [DataRequestSchema.typeName]: (m) => encodeDataRequest(m as DataRequest),
};

const HEARTBEAT: DataRequest = create(DataRequestSchema, { metadata: { [META_HEARTBEAT]: "true" } });

/**
 * Runs one session. Resolves when the pipeline has drained and both streams are closed; throws
 * a (possibly retriable) error otherwise.
 */
export async function runSession(d: SessionDeps): Promise<void> {
  const { pipeline: p, settings: s, logger } = d;
  const abort = new AbortController();
  let failure: unknown;
  const fail = (err: unknown): void => {
    if (failure !== undefined) return;
    failure = err;
    abort.abort(err);
  };
  let lastActivity = Date.now();
  const touch = (): void => {
    lastActivity = Date.now();
  };
  const timers: ReturnType<typeof setInterval>[] = [];

  const gt: GrpcTransport = await d.runtime.createGrpcTransport({
    target: d.endpoint.target,
    tls: d.endpoint.tls,
    ca: d.tlsCa,
    connectTimeoutMs: s.dialTimeoutMs,
    readMaxBytes: s.maxRecvBytes,
    writeMaxBytes: s.maxSendBytes,
    label: d.endpoint.label,
    encoders: REQUEST_ENCODERS,
  });
  try {
    try {
      await gt.ready();
    } catch (err) {
      throw new StreamingError(`transport connector dial failed: ${describeError(err)}`, { retriable: true, cause: err });
    }

    // ---- Data stream (opened first; nothing sent or read until the gate opens) ----
    const gate = deferred<void>();
    const dataDone = deferred<void>(); // our Data send side finished (drain)
    const controlDone = deferred<void>(); // our Control send side finished (drain)
    let inFlight: OutboundPacket | undefined;
    let suspendedSince = 0;
    let dataSendDone = false;
    async function* dataRequests(): AsyncGenerator<DataRequest> {
      try {
        await Promise.race([gate.promise, aborted(abort.signal)]);
      } catch {
        return;
      }
      let lastSend = Date.now();
      // The idle wait ends on a new packet, the heartbeat deadline or the session's end. One
      // abort listener and at most one timer per heartbeat interval, not one of each per wait
      // (the queue is often empty between two messages).
      let wake: (() => void) | undefined;
      const onAbort = (): void => wake?.();
      abort.signal.addEventListener("abort", onAbort, { once: true });
      let heartbeatTimer: ReturnType<typeof setTimeout> | undefined;
      try {
        while (!abort.signal.aborted) {
          let next: DataRequest = HEARTBEAT;
          let packet: OutboundPacket | undefined;
          const got = p.outbound.tryShift();
          if (got === undefined) {
            if (p.outbound.closed) {
              dataSendDone = true;
              dataDone.resolve();
              return; // drained
            }
            const wait = s.heartbeatIntervalMs - (Date.now() - lastSend);
            if (wait > 0) {
              // A timer armed for an older deadline fires early; the loop then arms a new one.
              heartbeatTimer ??= setTimeout(() => {
                heartbeatTimer = undefined;
                wake?.();
              }, wait);
              let cancel!: () => void;
              await new Promise<void>((resolve) => {
                wake = resolve;
                cancel = p.outbound.notifyReadable(resolve);
              });
              wake = undefined;
              cancel();
              continue; // look again: a packet, the end, or the heartbeat is due
            }
          }
          if (got !== undefined) {
            packet = got.value;
            next = packet.request;
          }
          inFlight = packet;
          suspendedSince = Date.now();
          yield next;
          suspendedSince = 0;
          inFlight = undefined;
          if (packet !== undefined) {
            recordStreamMessage("sent");
            if (packet.buffered) {
              packet.buffered = false;
              recordClientBufferFlushed(1);
            }
          }
          lastSend = lastActivity = Date.now();
        }
      } finally {
        clearTimeout(heartbeatTimer);
        abort.signal.removeEventListener("abort", onAbort);
      }
    }
    const dataResponses = openBidi(gt.transport, DATA_METHOD, dataRequests(), {
      headers: { [PROTOCOL_HEADER]: PROTOCOL_VERSION },
      signal: abort.signal,
    });

    // ---- Control stream ----
    const control = new BoundedQueue<ControlRequest>(Number.POSITIVE_INFINITY);
    let sentReceipts = 0;
    let controlSendDone = false;
    async function* controlRequests(): AsyncGenerator<ControlRequest> {
      // Wake-ups registered once per session (a race over these promises in every wait would
      // add a reaction to each of them per receipt, kept until the session ends).
      let wake: (() => void) | undefined;
      const onEvent = (): void => wake?.();
      abort.signal.addEventListener("abort", onEvent, { once: true });
      gate.promise.then(onEvent, onEvent);
      dataDone.promise.then(onEvent, onEvent);
      try {
        while (!abort.signal.aborted) {
          const own = control.tryShift();
          if (own !== undefined) {
            yield own.value;
            touch();
            continue;
          }
          if (gate.settled) {
            const r = p.receipts.tryShift();
            if (r !== undefined) {
              try {
                yield receiptRequest(r.value);
              } catch (err) {
                p.receipts.unshift(r.value);
                throw err;
              }
              sentReceipts++;
              touch();
              continue;
            }
            if (p.receipts.closed && dataSendDone) {
              controlSendDone = true;
              controlDone.resolve();
              return;
            }
          }
          // A closed, empty receipt queue is always "readable": then the data side's end wakes us.
          const watchReceipts = gate.settled && !p.receipts.closed;
          let cancelControl!: () => void;
          let cancelReceipts: (() => void) | undefined;
          await new Promise<void>((resolve) => {
            wake = resolve;
            cancelControl = control.notifyReadable(resolve);
            if (watchReceipts) cancelReceipts = p.receipts.notifyReadable(resolve);
          });
          wake = undefined;
          cancelControl();
          cancelReceipts?.();
        }
      } finally {
        abort.signal.removeEventListener("abort", onEvent);
      }
    }
    const controlHeaders: Record<string, string> = { [PROTOCOL_HEADER]: PROTOCOL_VERSION };
    if (d.bindingRef !== "") controlHeaders[BINDING_HEADER] = d.bindingRef;
    const controlResponses = openBidi(gt.transport, TransportConnectorService.method.control, controlRequests(), { headers: controlHeaders, signal: abort.signal });

    // ---- Control loop: handshake state and directives ----
    let ready = false;
    let capsRequired = false;
    let capsSeen = false;
    const controlClosed = deferred<void>();
    const handle = async (resp: ControlResponse): Promise<void> => {
      const type = directiveType(resp);
      if (type === "connector.ready") {
        capsRequired = parseStartupCapabilities(resp.metadata);
        ready = true;
      } else if (type === "connector.capabilities") {
        capsSeen = true;
      }
      if (ready && (!capsRequired || capsSeen) && !gate.settled) gate.resolve();
      let reply: ControlDirective | undefined | void;
      if (d.handler !== undefined) {
        try {
          reply = await d.handler(toDirective(resp), abort.signal);
        } catch (err) {
          control.tryPush(errorRequest(err instanceof Error ? err.message : String(err)));
          return;
        }
      } else {
        reply = defaultReply(type);
      }
      if (reply) control.tryPush(directiveToRequest(reply));
    };
    const controlLoop = (async () => {
      try {
        for (;;) {
          const r = await controlResponses.next();
          if (r.done) break;
          touch();
          await handle(r.value);
        }
        controlClosed.resolve();
        if (!controlSendDone) fail(new StreamingError("control stream recv failed: EOF", { retriable: true }));
      } catch (err) {
        controlClosed.resolve();
        if (!controlSendDone || failure === undefined) fail(wrapRpcError("control stream recv failed", err));
      }
    })();

    // ---- Gate: ready (+ capabilities when required) within the message timeout ----
    const gateTimer = setTimeout(() => {
      fail(new StreamingError(`control startup handshake timed out: timeout=${formatMs(s.messageTimeoutMs)}`, { retriable: false }));
    }, s.messageTimeoutMs);
    try {
      await Promise.race([gate.promise, aborted(abort.signal)]);
    } catch {
      clearTimeout(gateTimer);
      // The Data call was never read: consume its rejection so it is not unhandled.
      dataResponses.next().catch(() => {});
      await controlLoop;
      throw failure;
    }
    clearTimeout(gateTimer);
    d.onEstablished?.();
    logger.debug("transport connector session established", { endpoint: d.endpoint.label });

    // ---- Timers: control heartbeat, hang watcher, send timeout ----
    timers.push(setInterval(() => control.tryPush(heartbeatRequest(Date.now())), s.controlHeartbeatIntervalMs));
    const watchEvery = Math.max(5, Math.min(1_000, s.messageTimeoutMs / 4, s.hangTimeoutMs > 0 ? s.hangTimeoutMs / 4 : 1_000));
    timers.push(setInterval(() => {
      const now = Date.now();
      if (s.hangTimeoutMs > 0 && now - lastActivity >= s.hangTimeoutMs) {
        fail(new StreamingError(`transport session hang detected: no activity for ${formatMs(s.hangTimeoutMs)}`, { retriable: true }));
      }
      if (suspendedSince > 0 && now - suspendedSince >= s.messageTimeoutMs) {
        // The connector stopped reading what we write.
        recordBackpressureTimeout("server_reader");
        fail(new StreamingError(`data stream send timed out after ${formatMs(s.messageTimeoutMs)}`, { retriable: true }));
      }
    }, watchEvery));

    // ---- Data recv loop ----
    const reassembler = new ChunkReassembler(d.chunkLimits);
    const sweep = setInterval(() => reassembler.sweep(), Math.max(10, (d.chunkLimits?.ttlMs ?? 120_000) / 2));
    timers.push(sweep);
    const dataClosed = deferred<void>();
    // Synchronous unless the engram's inbound buffer is full: no promise per message.
    const deliver = (packet: DataResponse): Promise<void> | undefined => {
      if (packet.frame.case === undefined) {
        const r = receiptFor(packet);
        if (r) p.receipts.tryPush(r);
        return;
      }
      const result = reassemble(reassembler, packet);
      if (result.kind === "partial" || result.kind === "duplicate") return;
      const whole = result.packet;
      const key = dedupeKey(whole);
      const receipt = receiptFor(whole);
      if (key !== undefined) {
        const state = p.deduper.begin(key);
        if (state === "completed") {
          if (receipt) p.receipts.tryPush(receipt);
          return;
        }
        if (state === "pending") return;
      }
      let msg: StreamMessage | undefined;
      try {
        msg = fromDataResponse(whole);
      } catch (err) {
        if (key !== undefined) p.deduper.release(key);
        throw new StreamingError(`invalid inbound packet: ${(err as Error).message}`, { retriable: true, cause: err });
      }
      if (msg === undefined || isDroppable(msg)) {
        if (key !== undefined) p.deduper.complete(key);
        if (receipt) p.receipts.tryPush(receipt);
        return;
      }
      recordStreamMessage("received");
      let doneCalled = false;
      const inbound: InboundMessage = {
        ...msg,
        ...traceContextOf(msg),
        done: () => {
          if (doneCalled) return;
          doneCalled = true;
          if (key !== undefined) p.deduper.complete(key);
          if (receipt) p.receipts.tryPush(receipt);
        },
      };
      if (p.stoppedReading) {
        // Drain started while this packet was in flight: it is not delivered; sequenced ones
        // are replayed by the hub, since no receipt goes out.
        if (key !== undefined) p.deduper.release(key);
        return;
      }
      if (p.inbound.tryPush(inbound)) return;
      return waitToDeliver(inbound, key);
    };
    // The inbound buffer is full (or closed): wait, bounded by BUBU_GRPC_CHANNEL_SEND_TIMEOUT when set.
    const waitToDeliver = async (inbound: InboundMessage, key: string | undefined): Promise<void> => {
      if (s.channelSendTimeoutMs > 0) {
        const t = AbortSignal.timeout(s.channelSendTimeoutMs);
        try {
          await p.inbound.push(inbound, AbortSignal.any([t, abort.signal]));
        } catch {
          if (key !== undefined) p.deduper.release(key);
          if (t.aborted) {
            recordBackpressureTimeout("client_receiver");
            logger.warn("inbound message dropped: the engram did not read it in time", { timeout: formatMs(s.channelSendTimeoutMs) });
          }
        }
        return;
      }
      try {
        await p.inbound.push(inbound, abort.signal);
      } catch {
        if (key !== undefined) p.deduper.release(key);
      }
    };
    const dataLoop = (async () => {
      const it = dataResponses;
      try {
        for (;;) {
          const r = await it.next();
          if (r.done) break;
          touch();
          if (p.stoppedReading) continue; // draining: read to the end, deliver nothing
          const waiting = deliver(responseFromWire(r.value));
          if (waiting !== undefined) await waiting;
        }
        dataClosed.resolve();
        if (!dataSendDone) fail(new StreamingError("data stream recv failed: EOF", { retriable: true }));
      } catch (err) {
        dataClosed.resolve();
        if (!abort.signal.aborted || failure === undefined) fail(err instanceof StreamingError ? err : wrapRpcError("data stream recv failed", err));
      }
    })();

    // ---- Drain: dataRequests() returns once outbound is closed, empty and its last write done ----
    await Promise.race([dataDone.promise, aborted(abort.signal)]).catch(() => {});
    if (failure === undefined) {
      await within(dataClosed.promise, CLOSE_WAIT_MS, undefined);
      // Control returns after the last receipt; then give the connector a moment to end it.
      await within(controlDone.promise, s.messageTimeoutMs, undefined);
      await within(controlClosed.promise, CLOSE_WAIT_MS, undefined);
      logger.debug("transport connector session drained", { receipts: sentReceipts });
      if (failure === undefined) {
        abort.abort(new StreamingError("session closed", { retriable: false }));
        await Promise.allSettled([dataLoop, controlLoop]);
        return;
      }
    }
    await Promise.allSettled([dataLoop, controlLoop]);
    if (inFlight !== undefined) p.outbound.unshift(inFlight); // its write never completed
    throw failure;
  } finally {
    for (const t of timers) clearInterval(t);
    abort.abort(failure ?? new StreamingError("session closed", { retriable: false }));
    gt.close();
  }
}

/** Feeds the reassembler; a rule-breaking chunk ends the session (retriable). */
function reassemble(r: ChunkReassembler, packet: DataResponse): ChunkResult {
  try {
    return r.add(packet);
  } catch (err) {
    if (err instanceof ChunkError) throw new StreamingError(err.message, { retriable: true, cause: err });
    throw err;
  }
}

/** `{ traceContext }` when the metadata carries trace context or baggage, else `{}`. */
function traceContextOf(msg: StreamMessage): { traceContext?: Context } {
  if (msg.metadata === undefined) return {};
  const base = otelContext.active();
  const ctx = extractTraceContext(msg.metadata, base);
  return ctx === base ? {} : { traceContext: ctx };
}

function wrapRpcError(prefix: string, err: unknown): StreamingError {
  if (err instanceof StreamingError) return err;
  // The gRPC code decides retriability (FAILED_PRECONDITION etc. are fatal).
  return new StreamingError(`${prefix}: ${describeError(err)}`, { retriable: isRetriable(err), cause: err });
}

/** Milliseconds in Go's duration style for messages (`30s`, `1.5s`, `250ms`). */
export function formatMs(ms: number): string {
  if (ms >= 1000 && ms % 1000 === 0) return `${ms / 1000}s`;
  if (ms >= 1000) return `${ms / 1000}s`;
  return `${ms}ms`;
}

