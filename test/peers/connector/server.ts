// The fake transport connector: a TransportConnectorService server that implements the
// connector side of contract/streaming.md §20 (header checks, control on open, steady-state
// control, data both ways, stalls, upstream pause, receipts). Runs on Node or Bun (node:http2 +
// connectNodeAdapter); under Deno the tests start it as a child `node` process (main.ts),
// because a Deno node:http2 server is not reliable (RUNTIMES.md).

import { rmSync } from "node:fs";
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type ConnectRouter, type HandlerContext } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import {
  ControlAction,
  type ControlRequest,
  type ControlResponse,
  ControlResponseSchema,
  type DataRequest,
  type DataResponse,
  DataResponseSchema,
  TransportConnectorService,
} from "../../../src/gen/transport/v1/transport_pb.ts";

export interface FakeConnectorOptions {
  /** Value of `startup.capabilities` in connector.ready; `null` omits the key; `"omit-ready"` sends no ready. */
  startup?: string | null;
  /** Capabilities sent when startup is `required`. */
  capabilities?: Record<string, string>;
  /** Delay before the capabilities message. */
  capabilitiesDelayMs?: number;
  /** Send HANDOFF_CUTOVER on open (default true). */
  cutover?: boolean;
  /** Echo every (non-heartbeat) DataRequest back as a DataResponse with the same fields. */
  echo?: boolean;
  /** Answer HEARTBEAT with ACK (default true). */
  answerHeartbeats?: boolean;
  /** When the client half-closes Data, end it with this gRPC code instead of OK. */
  dataEndCode?: number;
  /** When the client half-closes Data, keep our side open (a connector that never answers). */
  holdDataAfterClientEnd?: boolean;
}

export type FakeEvent =
  | { type: "data-open"; headers: Record<string, string> }
  | { type: "control-open"; headers: Record<string, string> }
  | { type: "data-request"; request: DataRequest }
  | { type: "control-request"; request: ControlRequest }
  | { type: "data-end" }
  | { type: "control-end" }
  | { type: "rejected"; stream: "data" | "control"; reason: string };

/** An async FIFO that a server handler drains into its response. */
class Outbox<T> {
  #items: (T | Error | null)[] = [];
  #wake: (() => void) | undefined;
  push(item: T | Error | null): void {
    this.#items.push(item);
    this.#wake?.();
  }
  async *drain(): AsyncGenerator<T> {
    for (;;) {
      while (this.#items.length === 0) await new Promise<void>((r) => (this.#wake = r));
      this.#wake = undefined;
      const item = this.#items.shift()!;
      if (item === null) return;
      if (item instanceof Error) throw item;
      yield item;
    }
  }
}

function headersOf(ctx: HandlerContext): Record<string, string> {
  const out: Record<string, string> = {};
  ctx.requestHeader.forEach((v, k) => (out[k] = v));
  return out;
}

const HEARTBEAT_KEY = "bubu-heartbeat";
const ACTION_NAMES = new Map<number, string>(Object.entries(ControlAction).map(([k, v]) => [v as number, k]));

export class FakeConnectorServer {
  options: FakeConnectorOptions;
  readonly #listeners: ((e: FakeEvent) => void)[] = [];
  #server: http2.Http2Server | http2.Http2SecureServer | undefined;
  readonly #sessions = new Set<http2.ServerHttp2Session>();
  #dataOut: Outbox<DataResponse> | undefined;
  #controlOut: Outbox<ControlResponse> | undefined;
  #reading: Promise<void> = Promise.resolve();
  #resumeReading: (() => void) | undefined;
  upstreamPaused = false;
  endpoint = "";
  #listen: { port?: number; unix?: string } = {};
  readonly #tls: { cert: string; key: string } | undefined;

  constructor(options: FakeConnectorOptions = {}, tls?: { cert: string; key: string }) {
    this.options = options;
    this.#tls = tls;
  }

  onEvent(listener: (e: FakeEvent) => void): void {
    this.#listeners.push(listener);
  }

  #emit(e: FakeEvent): void {
    for (const l of this.#listeners) l(e);
  }

  async listen(where: { port?: number; unix?: string } = {}): Promise<string> {
    this.#listen = where;
    const handler = connectNodeAdapter({
      routes: (router: ConnectRouter) => {
        router.service(TransportConnectorService, {
          data: (reqs, ctx) => this.#data(reqs, ctx),
          control: (reqs, ctx) => this.#control(reqs, ctx),
        });
      },
      acceptCompression: [],
      readMaxBytes: 10 * 1024 * 1024,
      writeMaxBytes: 10 * 1024 * 1024,
    });
    const server = this.#tls
      ? http2.createSecureServer({ cert: this.#tls.cert, key: this.#tls.key, minVersion: "TLSv1.3" }, handler)
      : http2.createServer(handler);
    server.on("session", (s: http2.ServerHttp2Session) => {
      this.#sessions.add(s);
      s.on("close", () => this.#sessions.delete(s));
    });
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      if (where.unix) {
        rmSync(where.unix, { force: true });
        server.listen(where.unix, () => resolve());
      } else {
        server.listen(where.port ?? 0, "127.0.0.1", () => resolve());
      }
    });
    if (where.unix) this.endpoint = `unix://${where.unix}`;
    else {
      const port = (server.address() as AddressInfo).port;
      this.#listen = { port };
      this.endpoint = `${this.#tls ? "localhost" : "127.0.0.1"}:${port}`;
    }
    return this.endpoint;
  }

  async *#data(reqs: AsyncIterable<DataRequest>, ctx: HandlerContext): AsyncGenerator<DataResponse> {
    const headers = headersOf(ctx);
    if (headers["bubu-transport-protocol"] !== "1.0.0") {
      this.#emit({ type: "rejected", stream: "data", reason: "protocol header" });
      throw new ConnectError("missing or unsupported bubu-transport-protocol header", Code.FailedPrecondition);
    }
    const out = new Outbox<DataResponse>();
    this.#dataOut = out;
    this.#emit({ type: "data-open", headers });
    void (async () => {
      try {
        for await (const r of reqs) {
          await this.#reading;
          if (this.upstreamPaused) continue; // the connector drops upstream data silently while paused
          this.#emit({ type: "data-request", request: r });
          if (this.options.echo && r.metadata[HEARTBEAT_KEY] !== "true") {
            out.push(
              create(DataResponseSchema, {
                frame: r.frame,
                metadata: r.metadata,
                payload: r.payload,
                inputs: r.inputs,
                transports: r.transports,
                envelope: r.envelope,
              }),
            );
          }
        }
      } catch {
        // the client went away
      }
      this.#emit({ type: "data-end" });
      if (this.options.holdDataAfterClientEnd) {
        // Never answer; end only when the client gives up (cancel or reset).
        if (ctx.signal.aborted) out.push(null);
        else ctx.signal.addEventListener("abort", () => out.push(null), { once: true });
        return;
      }
      const code = this.options.dataEndCode;
      out.push(code === undefined ? null : new ConnectError("fake connector refused the data stream", code));
    })();
    yield* out.drain();
  }

  async *#control(reqs: AsyncIterable<ControlRequest>, ctx: HandlerContext): AsyncGenerator<ControlResponse> {
    const headers = headersOf(ctx);
    if (headers["bubu-transport-protocol"] !== "1.0.0") {
      this.#emit({ type: "rejected", stream: "control", reason: "protocol header" });
      throw new ConnectError("missing or unsupported bubu-transport-protocol header", Code.FailedPrecondition);
    }
    const out = new Outbox<ControlResponse>();
    this.#controlOut = out;
    this.#emit({ type: "control-open", headers });
    const o = this.options;
    if (o.startup !== "omit-ready") {
      const metadata: Record<string, string> = {};
      if (o.startup !== null) metadata["startup.capabilities"] = o.startup ?? "none";
      out.push(create(ControlResponseSchema, { action: ControlAction.CONNECTOR_READY, metadata }));
    }
    if (o.cutover !== false) {
      out.push(
        create(ControlResponseSchema, {
          action: ControlAction.HANDOFF_CUTOVER,
          metadata: { phase: "cutover", reason: "hub_connected", ts: String(Date.now()) },
        }),
      );
    }
    if ((o.startup ?? "none").trim().toLowerCase() === "required") {
      const caps = create(ControlResponseSchema, {
        action: ControlAction.CONNECTOR_CAPABILITIES,
        metadata: o.capabilities ?? {
          "audio.codec": "pcm16",
          "audio.sample_rate_hz": "16000",
          "audio.channels": "1",
          "binary.mime": "application/json",
        },
      });
      if (o.capabilitiesDelayMs) setTimeout(() => out.push(caps), o.capabilitiesDelayMs);
      else out.push(caps);
    }
    void (async () => {
      try {
        for await (const r of reqs) {
          this.#emit({ type: "control-request", request: r });
          const reply = this.#controlReply(r);
          if (reply) out.push(reply);
        }
      } catch {
        // the client went away
      }
      this.#emit({ type: "control-end" });
      out.push(null);
    })();
    yield* out.drain();
  }

  /** The connector's answers to SDK-originated directives (§6 table). */
  #controlReply(r: ControlRequest): ControlResponse | undefined {
    const ack = (metadata: Record<string, string>) =>
      create(ControlResponseSchema, { action: ControlAction.ACK, metadata });
    switch (r.action) {
      case ControlAction.ACK:
        return undefined; // ACKs are terminal
      case ControlAction.HEARTBEAT:
        return this.options.answerHeartbeats === false
          ? undefined
          : ack({ received: "heartbeat", handled: "true", status: "alive" });
      case ControlAction.START:
      case ControlAction.STOP:
      case ControlAction.START_UPSTREAM:
      case ControlAction.STOP_UPSTREAM:
      case ControlAction.START_DOWNSTREAM:
      case ControlAction.STOP_DOWNSTREAM: {
        const name = (ACTION_NAMES.get(r.action) ?? "").toLowerCase().replace("_", "-");
        if (r.action === ControlAction.STOP || r.action === ControlAction.STOP_UPSTREAM) this.upstreamPaused = true;
        if (r.action === ControlAction.START || r.action === ControlAction.START_UPSTREAM) this.upstreamPaused = false;
        return ack({ received: name, handled: "true" });
      }
      case ControlAction.CODEC_SELECT:
        return ack({ received: "codec-select", handled: "false", reason: "codec selection not implemented" });
      case ControlAction.NOOP:
        return ack({ received: "noop", handled: "false", reason: "empty" });
      case ControlAction.UNSPECIFIED:
        if (r.customAction === "downstream.delivered") return undefined; // receipts get no reply
        return ack({ received: r.customAction, handled: "false", reason: "unknown" });
      default:
        return ack({ received: ACTION_NAMES.get(r.action) ?? String(r.action), handled: "false", reason: "unknown" });
    }
  }

  /** Writes a DataResponse to the current Data stream. */
  sendData(resp: DataResponse): void {
    if (!this.#dataOut) throw new Error("no Data stream open");
    this.#dataOut.push(resp);
  }

  /** Writes a ControlResponse to the current Control stream. */
  sendControl(resp: ControlResponse): void {
    if (!this.#controlOut) throw new Error("no Control stream open");
    this.#controlOut.push(resp);
  }

  /** Ends the Data stream cleanly (EOF), or with a gRPC error code. */
  endData(code?: Code): void {
    this.#dataOut?.push(code === undefined ? null : new ConnectError("fake connector ended the stream", code));
  }

  endControl(code?: Code): void {
    this.#controlOut?.push(code === undefined ? null : new ConnectError("fake connector ended the stream", code));
  }

  /** Stops (false) or resumes (true) reading DataRequests: HTTP/2 backpressure on the engram. */
  setReading(on: boolean): void {
    if (!on && this.#resumeReading === undefined) {
      this.#reading = new Promise<void>((r) => (this.#resumeReading = r));
    } else if (on && this.#resumeReading) {
      this.#resumeReading();
      this.#resumeReading = undefined;
      this.#reading = Promise.resolve();
    }
  }

  /** Destroys every HTTP/2 connection (a crash, as seen by the client). */
  dropConnections(): void {
    for (const s of this.#sessions) s.destroy();
    this.#sessions.clear();
  }

  /** Stops listening and drops every connection. */
  async close(): Promise<void> {
    this.setReading(true);
    this.dropConnections();
    const server = this.#server;
    this.#server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Kill and restart on the same port or socket. */
  async restart(downMs = 0): Promise<void> {
    await this.close();
    if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
    await this.listen(this.#listen);
  }
}
