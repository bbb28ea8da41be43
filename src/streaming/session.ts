/**
 * One connector session: dial, open `Data` and `Control`, wait for the startup handshake, then
 * run the senders, the receivers and the watchdog until the session fails or the pipeline has
 * drained.
 * @module
 */
import type { DescMethodBiDiStreaming } from "@bufbuild/protobuf";
import { DataResponseWireSchema } from "../gen/bubu/sdk/v1/wire_pb.ts";
import { type DataRequest, DataRequestSchema, TransportConnectorService } from "../gen/transport/v1/transport_pb.ts";
import type { Logger } from "../observability/logger.ts";
import { connectTransport } from "../runtime/connect-transport.ts";
import type { GrpcTransport, RequestEncoder, ResponseDecoder, Runtime } from "../runtime/types.ts";
import { aborted, within } from "./async-util.ts";
import { openBidi } from "./bidi.ts";
import { Confirmer } from "./confirmer.ts";
import { BINDING_HEADER, CLOSE_WAIT_MS, PROTOCOL_HEADER, PROTOCOL_VERSION } from "./constants.ts";
import { ControlReceiver, type DirectiveHandler } from "./control-receiver.ts";
import { ControlSender } from "./control-sender.ts";
import { DataSender } from "./data-sender.ts";
import { Delivery } from "./delivery.ts";
import type { ConnectorEndpoint } from "./endpoint.ts";
import { describeError, formatMs, StreamingError } from "./errors.ts";
import { HandshakeGate } from "./handshake-gate.ts";
import type { StreamPipeline } from "./pipeline.ts";
import { SessionContext } from "./session-context.ts";
import type { StreamingSettings } from "./settings.ts";
import { startWatchdog } from "./watchdog.ts";
import type { ChunkLimits } from "./wire/chunks.ts";
import { encodeDataRequest } from "./wire/data-request-encode.ts";
import { decodeDataResponseWire } from "./wire/data-response-decode.ts";

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
  /** PEM CA trusted for a TLS endpoint instead of the system roots. */
  readonly tlsCa?: string;
  /** Called once the handshake gate opens. */
  readonly onEstablished?: () => void;
}

/** The Data method with responses read as `DataResponseWire` (wire/response-from-wire.ts). */
const DATA_METHOD: DescMethodBiDiStreaming<typeof DataRequestSchema, typeof DataResponseWireSchema> = {
  ...TransportConnectorService.method.data,
  output: DataResponseWireSchema,
};

/** Outbound Data requests are sized and written straight into the gRPC frame (wire/data-request-wire.ts). */
const REQUEST_ENCODERS: Readonly<Record<string, RequestEncoder>> = {
  [DataRequestSchema.typeName]: (m) => encodeDataRequest(m as DataRequest),
};

/** Inbound Data responses are read without protobuf-es's reflection when they have the usual shape (wire/data-response-decode.ts). */
const RESPONSE_DECODERS: Readonly<Record<string, ResponseDecoder>> = {
  [DataResponseWireSchema.typeName]: decodeDataResponseWire,
};

/**
 * Runs one session. Resolves when the pipeline has drained and both streams are closed; throws
 * a (possibly retriable) error otherwise.
 */
export async function runSession(d: SessionDeps): Promise<void> {
  const { pipeline: p, settings: s, logger } = d;
  const ctx = new SessionContext();
  const stops: (() => void)[] = [];
  let data: DataSender | undefined;
  const evicted = p.handover.evicted;

  const gt: GrpcTransport = await d.runtime.createGrpcTransport({
    target: d.endpoint.target,
    tls: d.endpoint.tls,
    ca: d.tlsCa,
    connectTimeoutMs: s.dialTimeoutMs,
    readMaxBytes: s.maxRecvBytes,
    writeMaxBytes: s.maxSendBytes,
    label: d.endpoint.label,
    encoders: REQUEST_ENCODERS,
    decoders: RESPONSE_DECODERS,
    onWritten: { [DataRequestSchema.typeName]: (err) => data?.written(err) },
  });
  try {
    try {
      await gt.ready();
    } catch (err) {
      throw new StreamingError(`transport connector dial failed: ${describeError(err)}`, {
        retriable: true,
        cause: err,
      });
    }

    // Data is opened first; nothing is sent or read on it until the gate opens.
    const gate = new HandshakeGate();
    const confirmer = new Confirmer(p.handover, ctx, gt.confirmRead?.bind(gt), s.messageTimeoutMs);
    stops.push(() => confirmer.stop());
    data = new DataSender(p, s, ctx, gate.opened.promise, confirmer);
    const dataResponses = openBidi(connectTransport(gt), DATA_METHOD, data.requests(), {
      headers: { [PROTOCOL_HEADER]: PROTOCOL_VERSION },
      signal: ctx.signal,
    });

    const control = new ControlSender(p, ctx, gate.opened, data.done, () => confirmer.hurry());
    stops.push(() => control.stop());
    const controlHeaders: Record<string, string> = { [PROTOCOL_HEADER]: PROTOCOL_VERSION };
    if (d.bindingRef !== "") controlHeaders[BINDING_HEADER] = d.bindingRef;
    const controlResponses = openBidi(
      connectTransport(gt),
      TransportConnectorService.method.control,
      control.requests(),
      { headers: controlHeaders, signal: ctx.signal },
    );
    const directives = new ControlReceiver(ctx, gate, control, d.handler);
    const controlLoop = directives.run(controlResponses);

    // The gate: ready (+ capabilities when required) within the message timeout.
    const gateTimer = setTimeout(() => {
      ctx.fail(
        new StreamingError(`control startup handshake timed out: timeout=${formatMs(s.messageTimeoutMs)}`, {
          retriable: false,
        }),
      );
    }, s.messageTimeoutMs);
    try {
      await Promise.race([gate.opened.promise, aborted(ctx.signal)]);
    } catch {
      clearTimeout(gateTimer);
      // The Data call was never read: consume its rejection so it is not unhandled.
      dataResponses.next().catch(() => {});
      await controlLoop;
      throw ctx.failure;
    }
    clearTimeout(gateTimer);
    d.onEstablished?.();
    logger.debug("transport connector session established", { endpoint: d.endpoint.label });

    control.startHeartbeat(s.controlHeartbeatIntervalMs);
    stops.push(startWatchdog(ctx, data, s));
    const delivery = new Delivery(p, s, ctx, logger, data, d.chunkLimits);
    stops.push(() => delivery.stop());
    const dataLoop = delivery.run(dataResponses);

    // Drain: the data requests end once outbound is closed, empty and its last write done;
    // then the connector confirms the last packets.
    await Promise.race([data.done.promise, aborted(ctx.signal)]).catch(() => {});
    if (ctx.failure === undefined) {
      await within(allConfirmed(p, ctx.signal), s.messageTimeoutMs, undefined);
      await within(delivery.closed.promise, CLOSE_WAIT_MS, undefined);
      // Control returns after the last receipt; then give the connector a moment to end it.
      await within(control.done.promise, s.messageTimeoutMs, undefined);
      await within(directives.closed.promise, CLOSE_WAIT_MS, undefined);
      logger.debug("transport connector session drained", { receipts: control.sentReceipts });
      if (ctx.failure === undefined) {
        ctx.end(new StreamingError("session closed", { retriable: false }));
        await Promise.allSettled([dataLoop, controlLoop]);
        return;
      }
    }
    await Promise.allSettled([dataLoop, controlLoop]);
    // What the connector did not confirm may not have reached it: sent again, first, next time.
    const again = p.handover.requeue(p.outbound);
    if (again > 0) logger.debug("unconfirmed messages will be sent again", { messages: again });
    throw ctx.failure;
  } finally {
    for (const stop of stops) stop();
    if (p.handover.evicted > evicted) {
      logger.warn(
        "outbound messages left the resend buffer unconfirmed (it was full); a connector restart could lose them",
        {
          messages: p.handover.evicted - evicted,
        },
      );
    }
    ctx.end(ctx.failure ?? new StreamingError("session closed", { retriable: false }));
    gt.close();
  }
}

/** Resolves once no sent packet waits for a confirmation (or the session ended). */
function allConfirmed(p: StreamPipeline, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (p.handover.unconfirmed > 0 && !signal.aborted) return;
      off();
      signal.removeEventListener("abort", check);
      resolve();
    };
    const off = p.handover.subscribe(check);
    signal.addEventListener("abort", check, { once: true });
    check();
  });
}
