// Binding, endpoint, settings resolver, backoff, dedupe, chunk reassembly (no network).

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { ControlAction, DataResponseSchema } from "../../src/gen/transport/v1/transport_pb.ts";
import { reconnectDelay } from "../../src/streaming/backoff.ts";
import { bindingReference, parseTransportBinding } from "../../src/streaming/binding.ts";
import { dedupeKey, PacketDeduper } from "../../src/streaming/dedupe.ts";
import { isLoopback, parseConnectorEndpoint } from "../../src/streaming/endpoint.ts";
import { describeError, grpcCode, isRetriable, StreamingError } from "../../src/streaming/errors.ts";
import { resolveStreamingSettings } from "../../src/streaming/settings.ts";
import { ChunkReassembler } from "../../src/streaming/wire/chunks.ts";
import { defaultReply, directiveToRequest, directiveType } from "../../src/streaming/wire/control.ts";
import { chunkPackets, envelopePacket } from "../peers/connector/packets.ts";
import { bindingJson } from "./helpers.ts";

const noEnv = (_: string): string | undefined => undefined;

describe("BUBU_TRANSPORT_BINDING", () => {
  test("decodes the envelope, protojson (camel or snake case), namespace fallback and env overrides", () => {
    const b = parseTransportBinding(
      bindingJson(" 127.0.0.1:50051 ", { env: { BUBU_GRPC_CHANNEL_BUFFER_SIZE: "4" } }),
      (n) => (n === "BUBU_STEPRUN_NAMESPACE" ? "fallback-ns" : undefined),
    );
    assert.equal(b.name, "echo-binding");
    assert.equal(b.namespace, "fallback-ns");
    assert.equal(b.endpoint, "127.0.0.1:50051");
    assert.deepEqual(b.envOverrides, { BUBU_GRPC_CHANNEL_BUFFER_SIZE: "4" });
    assert.equal(bindingReference(b), "fallback-ns/echo-binding");
    assert.equal(bindingReference({ name: "n", namespace: "" }), "n");
    const snake = parseTransportBinding(
      '{"name":"n","namespace":"x","binding":{"endpoint":"unix:///s","protocol_version":"1.0.0"}}',
      noEnv,
    );
    assert.equal(snake.endpoint, "unix:///s");
    assert.equal(snake.namespace, "x");
  });

  test("rejects bad bindings with clear, non-retriable errors", () => {
    const cases: [string | undefined, RegExp][] = [
      [undefined, /BUBU_TRANSPORT_BINDING not set/],
      ["  ", /BUBU_TRANSPORT_BINDING not set/],
      ["[1]", /expected a JSON object/],
      ["{", /invalid BUBU_TRANSPORT_BINDING: malformed JSON/],
      [
        '{"name":"n","binding":{"env":{"TOKEN":"sk-live-123"}},}',
        /^invalid BUBU_TRANSPORT_BINDING: malformed JSON( at position \d+)?$/,
      ],
      ['{"binding":{"endpoint":"a:1","protocolVersion":"1.0.0"}}', /binding envelope name is required/],
      ['{"endpoint":"a:1","protocolVersion":"1.0.0"}', /binding envelope name is required/],
      ['{"name":"n"}', /missing inline payload/],
      ['{"name":"n","binding":{}}', /missing inline payload/],
      [
        '{"name":"n","binding":{"endpoint":"a:1","protocolVersion":"1.0.0","bogus":1}}',
        /invalid BUBU_TRANSPORT_BINDING: binding/,
      ],
      [
        '{"name":"n","binding":{"endpoint":"a:1","protocolVersion":"2.0.0"}}',
        /invalid transport protocol version in binding: "2.0.0"/,
      ],
      ['{"name":"n","binding":{"endpoint":"a:1"}}', /invalid transport protocol version in binding: ""/],
      ['{"name":"n","binding":{"endpoint":"  ","protocolVersion":"1.0.0"}}', /transport binding missing endpoint/],
      ["{" + " ".repeat(1024 * 1024) + "}", /larger than 1048576 bytes/],
    ];
    for (const [raw, re] of cases) {
      assert.throws(
        () => parseTransportBinding(raw, noEnv),
        (err: unknown) => err instanceof StreamingError && !err.retriable && re.test(err.message),
        String(raw).slice(0, 80),
      );
    }
  });
});

describe("endpoint rules", () => {
  test("unix sockets and loopback are plaintext; anything else is TLS", () => {
    assert.deepEqual(parseConnectorEndpoint("unix:///run/x.sock"), {
      target: { kind: "unix", path: "/run/x.sock" },
      tls: false,
      label: "unix:///run/x.sock",
    });
    assert.equal(parseConnectorEndpoint("127.0.0.1:50051").tls, false);
    assert.equal(parseConnectorEndpoint("LOCALHOST:1").tls, false);
    assert.equal(parseConnectorEndpoint("[::1]:9").tls, false);
    assert.deepEqual(parseConnectorEndpoint("[::1]:9").target, { kind: "tcp", host: "::1", port: 9 });
    assert.equal(parseConnectorEndpoint("10.0.0.5:50051").tls, true);
    assert.equal(parseConnectorEndpoint("hub.ns.svc:9000").tls, true);
    assert.equal(isLoopback("127.8.9.10"), true);
    for (const bad of ["", "unix://", "noport", "host:99999", "a b:1"])
      assert.throws(() => parseConnectorEndpoint(bad), StreamingError, bad);
  });
});

describe("settings resolver", () => {
  test("a non-blank binding override wins; blanks fall back to the env; the heartbeat is clamped", () => {
    const env: Record<string, string> = {
      BUBU_GRPC_CHANNEL_BUFFER_SIZE: "8",
      BUBU_GRPC_MESSAGE_TIMEOUT: "2s",
      BUBU_GRPC_HEARTBEAT_INTERVAL: "5s",
    };
    const s = resolveStreamingSettings((n) => env[n], {
      BUBU_GRPC_CHANNEL_BUFFER_SIZE: "3",
      BUBU_GRPC_HANG_TIMEOUT: " ",
      BUBU_GRPC_RECONNECT_MAX_RETRIES: "-5",
    });
    assert.equal(s.bufferSize, 3);
    assert.equal(s.hangTimeoutMs, 0);
    assert.equal(s.reconnectMaxRetries, -1);
    assert.equal(s.messageTimeoutMs, 2000);
    assert.equal(s.heartbeatIntervalMs, 1999);
    const d = resolveStreamingSettings(noEnv);
    assert.deepEqual(
      [
        d.bufferSize,
        d.messageTimeoutMs,
        d.heartbeatIntervalMs,
        d.controlHeartbeatIntervalMs,
        d.reconnectBaseMs,
        d.reconnectMaxMs,
        d.reconnectMaxRetries,
        d.dialTimeoutMs,
        d.maxRecvBytes,
      ],
      [16, 30000, 10000, 30000, 500, 30000, 10, 10000, 10485760],
    );
    assert.throws(
      () => resolveStreamingSettings(noEnv, { BUBU_TRANSPORT_SECURITY_MODE: "mtls" }),
      /BUBU_TRANSPORT_SECURITY_MODE/,
    );
    assert.throws(
      () => resolveStreamingSettings((n) => (n === "BUBU_GRPC_MESSAGE_TIMEOUT" ? "soon" : undefined)),
      /BUBU_GRPC_MESSAGE_TIMEOUT/,
    );
  });

  test("backoff doubles with jitter in [0.8, 1.2) and is capped", () => {
    assert.equal(
      reconnectDelay(0, 500, 30000, () => 0),
      400,
    );
    assert.equal(reconnectDelay(0, 500, 30000, () => 0.999999) < 600, true);
    assert.equal(
      reconnectDelay(3, 500, 30000, () => 0.5),
      4000,
    );
    assert.equal(
      reconnectDelay(10, 500, 30000, () => 0.99),
      30000,
    );
  });

  test("retriability follows the gRPC code and the fatal texts", () => {
    assert.equal(isRetriable(new ConnectError("x", Code.FailedPrecondition)), false);
    assert.equal(isRetriable(new ConnectError("x", Code.Unavailable)), true);
    assert.equal(isRetriable(new Error("data stream recv failed: EOF")), true);
    assert.equal(isRetriable(new Error("protocol mismatch")), false);
  });

  test("Connect errors are known by their shape: every code's name and retriability, as Connect's Code says", () => {
    const fatal = new Set([
      Code.InvalidArgument,
      Code.PermissionDenied,
      Code.Unauthenticated,
      Code.Unimplemented,
      Code.FailedPrecondition,
    ]);
    for (let code: Code = Code.Canceled; code <= Code.Unauthenticated; code++) {
      const err: ConnectError = new ConnectError("went wrong", code);
      assert.equal(describeError(err), `${Code[code]}: went wrong`);
      assert.equal(grpcCode(err), code);
      assert.equal(isRetriable(err), !fatal.has(code), Code[code]);
    }
    const lookalike = Object.assign(new Error("plain"), { code: 14 });
    assert.equal(describeError(lookalike), "plain");
    assert.equal(grpcCode(lookalike), undefined);
  });
});

describe("control directives", () => {
  test("type names, default replies and reply mapping", () => {
    assert.equal(directiveType({ action: ControlAction.HANDOFF_DRAINING, customAction: "" }), "handoff.draining");
    assert.equal(directiveType({ action: ControlAction.UNSPECIFIED, customAction: " My.Action " }), "my.action");
    assert.deepEqual(defaultReply("heartbeat"), {
      type: "ack",
      metadata: { handled: "false", reason: "no_control_handler", type: "heartbeat" },
    });
    assert.deepEqual(defaultReply(""), { type: "ack", metadata: { handled: "false", reason: "noop", type: "" } });
    assert.equal(defaultReply("ack"), undefined);
    const r = directiveToRequest({ type: "codec-select", metadata: { c: "opus" } });
    assert.equal(r.action, ControlAction.CODEC_SELECT);
    const custom = directiveToRequest({ type: "my.thing", metadata: {} });
    assert.equal(custom.action, ControlAction.UNSPECIFIED);
    assert.equal(custom.customAction, "my.thing");
  });
});

describe("dedupe", () => {
  test("keys: sequence first, then the metadata message id (not the envelope JSON one)", () => {
    assert.equal(dedupeKey(envelopePacket({ payload: {}, streamId: "s", sequence: 3n, partition: "p" })), "env|s|p|3");
    assert.equal(dedupeKey(envelopePacket({ payload: {}, messageId: "m" })), "msg|m");
    assert.equal(dedupeKey(envelopePacket({ payload: {} })), undefined);
    assert.equal(dedupeKey(envelopePacket({ payload: {}, streamId: "s" })), undefined);
  });

  test("pending, completed FIFO and the pending capacity", () => {
    const d = new PacketDeduper(2);
    assert.equal(d.begin("a"), "new");
    assert.equal(d.begin("a"), "pending");
    d.complete("a");
    assert.equal(d.begin("a"), "completed");
    d.begin("b");
    d.begin("c");
    assert.throws(() => d.begin("d"), /pending capacity exceeded: limit=2/);
    d.release("b");
    assert.equal(d.begin("b"), "new");
    d.complete("b");
    d.complete("c");
    assert.equal(d.begin("a"), "new", "evicted from the completed FIFO");
  });
});

describe("chunk reassembly", () => {
  const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => i % 251);

  test("in order, out of order, duplicates; chunk fields cleared, sequence kept", () => {
    const r = new ChunkReassembler();
    const parts = chunkPackets(bytes(1000), 300, { streamId: "s", chunkId: "c1", sequence: 9n });
    assert.equal(parts.length, 4);
    const order = [2, 0, 0, 3, 1];
    const kinds = order.map((i) => r.add(parts[i]).kind);
    assert.deepEqual(kinds, ["partial", "partial", "duplicate", "partial", "complete"]);
    const done = r.add(chunkPackets(bytes(10), 10, { streamId: "s", chunkId: "c2" })[0]);
    assert.equal(done.kind, "complete");
    const again = new ChunkReassembler();
    let last;
    for (const p of parts) last = again.add(p);
    assert.equal(last!.kind, "complete");
    if (last!.kind !== "complete") return;
    const frame = last!.packet.frame;
    assert.deepEqual(frame.case === "binary" ? [...frame.value.payload] : [], [...bytes(1000)]);
    assert.equal(last!.packet.envelope?.chunkCount, 0);
    assert.equal(last!.packet.envelope?.totalBytes, 0);
    assert.equal(last!.packet.envelope?.sequence, 9n);
    assert.equal(again.bufferedBytes, 0);
    assert.equal(r.add(envelopePacket({ payload: {} })).kind, "whole");
  });

  test("bad chunks are errors", () => {
    const r = new ChunkReassembler();
    const [p] = chunkPackets(bytes(10), 10, { streamId: "s", chunkId: "c" });
    const mutate = (f: (e: NonNullable<typeof p.envelope>) => void) => {
      const c = create(DataResponseSchema, { ...p, envelope: { ...p.envelope! } });
      f(c.envelope!);
      return c;
    };
    assert.throws(() => r.add(mutate((e) => (e.chunkBytes = 9))), /chunk_bytes 9 does not match/);
    assert.throws(() => r.add(mutate((e) => (e.streamId = ""))), /chunk_id and stream_id are required/);
    assert.throws(() => r.add(mutate((e) => (e.chunkIndex = 1))), /out of range/);
    assert.throws(() => r.add(mutate((e) => (e.chunkCount = 300))), /exceeds 256/);
    assert.throws(() => r.add(mutate((e) => (e.totalBytes = 64 * 1024 * 1024 + 1))), /total_bytes 67108865 exceeds/);
    assert.throws(() => r.add(mutate((e) => (e.totalBytes = 11))), /assembled 10 bytes, total_bytes says 11/);
    const audio = create(DataResponseSchema, {
      frame: { case: "audio", value: { pcm: new Uint8Array(1), sampleRateHz: 8000, channels: 1 } },
      envelope: p.envelope,
    });
    assert.throws(() => r.add(audio), /must be binary frames/);
  });

  test("memory bounds: buffered bytes and assemblies in flight", () => {
    const r = new ChunkReassembler({ maxBufferedBytes: 1000, maxAssemblies: 2 });
    const a = chunkPackets(bytes(1200), 600, { streamId: "s", chunkId: "a" });
    r.add(a[0]);
    assert.throws(() => r.add(a[1]), /would exceed 1000/);
    const r2 = new ChunkReassembler({ maxAssemblies: 2 });
    r2.add(chunkPackets(bytes(20), 10, { streamId: "s", chunkId: "1" })[0]);
    r2.add(chunkPackets(bytes(20), 10, { streamId: "s", chunkId: "2" })[0]);
    assert.throws(() => r2.add(chunkPackets(bytes(20), 10, { streamId: "s", chunkId: "3" })[0]), /too many assemblies/);
  });

  test("a missing chunk expires after the TTL (since the last chunk) and frees its bytes", () => {
    let now = 0;
    const r = new ChunkReassembler({ ttlMs: 1000, now: () => now });
    const parts = chunkPackets(bytes(30), 10, { streamId: "s", chunkId: "c" });
    r.add(parts[0]);
    now = 900;
    r.add(parts[1]);
    now = 1800;
    assert.equal(r.sweep(), 0, "touched at 900");
    assert.equal(r.bufferedBytes, 20);
    now = 1900;
    assert.equal(r.sweep(), 1);
    assert.equal(r.pending, 0);
    assert.equal(r.bufferedBytes, 0);
    assert.equal(r.add(parts[2]).kind, "partial", "a late chunk starts over");
  });

  test("reassembled payloads may exceed 10 MiB up to total_bytes (DESIGN decision)", () => {
    const r = new ChunkReassembler();
    const big = new Uint8Array(12 * 1024 * 1024);
    const parts = chunkPackets(big, 4 * 1024 * 1024, { streamId: "s", chunkId: "big" });
    let last;
    for (const p of parts) last = r.add(p);
    assert.equal(last!.kind, "complete");
  });
});
