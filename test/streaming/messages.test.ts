// Message mapping both ways, validation, envelopes, the raw-binary bypass, NDJSON (no network).

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { create, toBinary } from "@bufbuild/protobuf";
import { newStreamErrorMessage, parseStreamErrorMessage } from "../../src/engram/streaming-error.ts";
import { newStreamMessage, streamMessageJson } from "../../src/engram/streaming-message.ts";
import { InvalidStreamMessageError, validateStreamMessage } from "../../src/engram/streaming-validate.ts";
import { DataRequestSchema, DataResponseSchema } from "../../src/gen/transport/v1/transport_pb.ts";
import { StreamPipeline } from "../../src/streaming/pipeline.ts";
import { decodeEnvelope } from "../../src/streaming/wire/envelope.ts";
import { fromDataResponse, isDroppable } from "../../src/streaming/wire/from-data-response.ts";
import { formatMessageLine, parseMessageLine } from "../../src/streaming/wire/json-lines.ts";
import { toDataRequest } from "../../src/streaming/wire/to-data-request.ts";
import { envelopePacket, hubHeartbeat, rawBinary } from "../peers/connector/packets.ts";
import { dec, enc, json } from "./helpers.ts";

function body(r: ReturnType<typeof toDataRequest>): Uint8Array {
  assert.equal(r.frame.case, "binary");
  return r.frame.case === "binary" ? r.frame.value.payload : new Uint8Array();
}

function asResponse(r: ReturnType<typeof toDataRequest>) {
  return create(DataResponseSchema, {
    frame: r.frame,
    metadata: r.metadata,
    payload: r.payload,
    inputs: r.inputs,
    transports: r.transports,
    envelope: r.envelope,
  });
}

describe("outbound StreamMessage → DataRequest", () => {
  test("structured message: envelope frame, Structs, reserved metadata", () => {
    const ts = new Date(1714557600000);
    const r = toDataRequest(
      newStreamMessage("data", {
        messageId: "m1",
        timestamp: ts,
        metadata: { a: "1", "bubu.envelope.kind": "stale" },
        json: { x: 1 },
        inputs: { y: 2 },
        transports: [{ name: "t", kind: "livekit", typedConfig: { transportRef: "ref" } }],
      }),
    );
    assert.equal(r.frame.case, "binary");
    const frame = r.frame.case === "binary" ? r.frame.value : undefined!;
    assert.equal(frame.mimeType, "application/vnd.bubu.packet+json");
    assert.equal(frame.timestampMs, 1714557600000n);
    const env = JSON.parse(dec.decode(frame.payload));
    assert.deepEqual(Object.keys(env), [
      "version",
      "kind",
      "messageId",
      "timestampMs",
      "metadata",
      "payload",
      "inputs",
      "transports",
    ]);
    assert.equal(env.version, "v1");
    assert.deepEqual(env.metadata, { a: "1" }, "bubu.envelope.* keys stay out of the envelope metadata");
    assert.deepEqual(env.transports, [{ name: "t", kind: "livekit", typedConfig: { transportRef: "ref" } }]);
    assert.deepEqual(r.payload, { x: 1 });
    assert.deepEqual(r.inputs, { y: 2 });
    assert.equal(r.metadata["bubu.envelope.kind"], "data");
    assert.equal(r.metadata["bubu.envelope.message_id"], "m1");
    assert.equal(r.metadata["bubu.envelope.timestamp_ms"], "1714557600000");
    assert.equal(r.transports[0].typedConfig?.transportRef, "ref");
  });

  test("kind defaults to data in the envelope; a kind-only message is an envelope frame", () => {
    const noKind = toDataRequest({ payload: enc.encode('{"a":1}') });
    const env = JSON.parse(dec.decode(body(noKind)));
    assert.equal(env.kind, "data");
    assert.equal(noKind.metadata["bubu.envelope.kind"], undefined);
    const kindOnly = toDataRequest({ kind: "telemetry", metadata: { k: "v" } });
    assert.equal(kindOnly.frame.case, "binary");
    assert.deepEqual(JSON.parse(dec.decode(body(kindOnly))), {
      version: "v1",
      kind: "telemetry",
      metadata: { k: "v" },
    });
  });

  test("raw binary bypass: opaque bytes keep their MIME, no Structs, kind/id only in metadata", () => {
    const bytes = new Uint8Array([0, 1, 2, 255]);
    const r = toDataRequest({
      kind: "blob",
      messageId: "b1",
      binary: { payload: bytes, mimeType: "image/png", timestampMs: 7 },
    });
    assert.equal(r.frame.case, "binary");
    assert.deepEqual(r.frame.value, {
      $typeName: "transport.v1.BinaryFrame",
      payload: bytes,
      mimeType: "image/png",
      timestampMs: 7n,
    });
    assert.equal(r.payload, undefined);
    assert.equal(r.metadata["bubu.envelope.kind"], "blob");
    assert.equal(r.metadata["bubu.envelope.message_id"], "b1");
    const def = toDataRequest({ binary: { payload: bytes } });
    assert.equal(def.frame.case === "binary" && def.frame.value.mimeType, "application/octet-stream");
  });

  test("canonical JSON rule: payload mirrored in an application/json binary goes as an envelope", () => {
    const body = enc.encode('{"z":true}');
    const r = toDataRequest({ kind: "data", payload: body, binary: { payload: body, mimeType: "application/json" } });
    assert.equal(r.frame.case === "binary" && r.frame.value.mimeType, "application/vnd.bubu.packet+json");
    assert.deepEqual(r.payload, { z: true });
  });

  test("audio carries Structs; invalid messages are rejected with clear errors", () => {
    const audio = toDataRequest({
      audio: { pcm: new Uint8Array(4), sampleRateHz: 16000, channels: 1 },
      payload: enc.encode('{"t":1}'),
    });
    assert.equal(audio.frame.case, "audio");
    assert.deepEqual(audio.payload, { t: 1 });
    const bad: [Parameters<typeof toDataRequest>[0], RegExp][] = [
      [{ metadata: { a: "b" } }, /missing audio, video, or binary payload/],
      [{ kind: "data", payload: enc.encode("[1,2]") }, /payload decode failed/],
      [{ kind: "data", payload: enc.encode("{nope") }, /payload decode failed/],
      [{ kind: "heartbeat", metadata: { a: "b" } }, /heartbeat messages must not carry/],
      [{ kind: "error" }, /error messages require a payload/],
      [{ kind: " data" }, /surrounding whitespace/],
      [{ kind: "da ta" }, /outside \[A-Za-z0-9._-\]/],
      [{ kind: "x", metadata: { "": "v" } }, /must not be empty/],
      [{ audio: { pcm: new Uint8Array(2), sampleRateHz: 0, channels: 1 } }, /sampleRateHz must be positive/],
      [{ audio: { pcm: new Uint8Array(2), sampleRateHz: 4000, channels: 1 } }, /sample_rate_hz 4000 outside/],
      [{ video: { payload: new Uint8Array(2) } }, /codec is required unless raw/],
      [{ video: { payload: new Uint8Array(2), raw: true } }, /raw video requires width and height/],
      [{ binary: { payload: new Uint8Array(1), mimeType: "not a mime" } }, /not a valid media type/],
      [{ binary: { payload: new Uint8Array(1) }, payload: enc.encode("{}") }, /differ/],
      [{ binary: { payload: new Uint8Array(1), mimeType: "application/vnd.bubu.packet+json" }, kind: "x" }, /reserved/],
      [
        {
          kind: "x",
          audio: { pcm: new Uint8Array(1), sampleRateHz: 8000, channels: 1 },
          binary: { payload: new Uint8Array(1) },
        },
        /at most one/,
      ],
      [
        { kind: "x", metadata: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, "v"])) },
        /102 entries \(max 100\)/,
      ],
      [{ kind: "x", metadata: { k: "v".repeat(1025) } }, /exceeds 1024 characters/],
      [{ kind: "x", envelope: { chunkIndex: 1 } }, /chunk fields must be unset/],
    ];
    for (const [msg, re] of bad) {
      assert.throws(
        () => toDataRequest(msg),
        (err: unknown) => err instanceof InvalidStreamMessageError && re.test(err.message),
        `${JSON.stringify(msg, (_k, v) => (v instanceof Uint8Array ? [...v] : v))}`,
      );
    }
  });

  test("oversized messages are rejected at send time by the pipeline", () => {
    const p = new StreamPipeline({ bufferSize: 1, maxSendBytes: 1024 });
    assert.throws(
      () => p.convert(newStreamMessage("data", { json: { s: "x".repeat(2000) } })),
      /exceeds the send limit of 1024 bytes/,
    );
    assert.ok(p.convert(newStreamMessage("data", { json: { s: "x" } })));
    // The proto's 10 MiB frame bound holds even with a larger send limit.
    const big = new StreamPipeline({ bufferSize: 1, maxSendBytes: 64 * 1024 * 1024 });
    assert.throws(
      () => big.convert({ binary: { payload: new Uint8Array(10 * 1024 * 1024 + 1) } }),
      /binary payload exceeds 10485760 bytes/,
    );
  });
});

describe("inbound DataResponse → StreamMessage", () => {
  test("envelope packets: fields from the envelope JSON, request metadata replaces envelope metadata", () => {
    const p = envelopePacket({
      kind: "hook",
      messageId: "ns/run:storyrun.ready",
      payload: { a: 1 },
      inputs: { i: 2 },
      metadata: { type: "storyrun.ready" },
      timestampMs: 5,
    });
    const m = fromDataResponse(p)!;
    assert.equal(m.kind, "hook");
    assert.equal(m.messageId, "ns/run:storyrun.ready");
    assert.deepEqual(json(m.payload), { a: 1 });
    assert.deepEqual(json(m.inputs), { i: 2 });
    assert.equal(m.binary?.mimeType, "application/json", "the inbound half of the canonical JSON rule");
    assert.deepEqual(
      m.metadata,
      { type: "storyrun.ready", kind: "hook" },
      "request metadata minus bubu.envelope.* keys",
    );
    assert.equal(m.timestamp?.getTime(), 5);
  });

  test("raw binary keeps bytes in payload; reserved metadata keys override and leave the map", () => {
    const m = fromDataResponse(
      rawBinary(new Uint8Array([9, 8]), "", {
        "bubu.envelope.kind": "blob",
        "bubu.envelope.timestamp_ms": "42",
        x: "y",
      }),
    )!;
    assert.deepEqual([...m.payload!], [9, 8]);
    assert.equal(m.binary?.mimeType, "application/octet-stream");
    assert.equal(m.kind, "blob");
    assert.equal(m.timestamp?.getTime(), 42);
    assert.deepEqual(m.metadata, { x: "y" });
  });

  test("frame-less packets are not messages; heartbeats and noops are dropped", () => {
    assert.equal(fromDataResponse(create(DataResponseSchema, { metadata: { a: "b" } })), undefined);
    assert.equal(isDroppable(fromDataResponse(hubHeartbeat())!), true);
    const noop = create(DataResponseSchema, {
      frame: {
        case: "binary",
        value: { payload: enc.encode('{"version":"v1","kind":"noop"}'), mimeType: "application/vnd.bubu.packet+json" },
      },
    });
    assert.equal(isDroppable(fromDataResponse(noop)!), true);
    // A noop that carries metadata breaks the message rules (as in Go): a session error, not a drop.
    assert.throws(() => fromDataResponse(envelopePacket({ kind: "noop" })), /noop messages must not carry/);
    assert.equal(isDroppable(fromDataResponse(envelopePacket({ payload: { a: 1 } }))!), false);
  });

  test("invalid inbound frames and envelopes throw", () => {
    const badAudio = create(DataResponseSchema, {
      frame: { case: "audio", value: { pcm: new Uint8Array(2), sampleRateHz: 0, channels: 1 } },
    });
    assert.throws(() => fromDataResponse(badAudio), /sampleRateHz must be positive/);
    const badEnv = create(DataResponseSchema, {
      frame: { case: "binary", value: { payload: enc.encode("{"), mimeType: "application/vnd.bubu.packet+json" } },
    });
    assert.throws(() => fromDataResponse(badEnv), /envelope decode failed/);
  });

  test("error messages round-trip (Go rejects its own inbound error messages; we do not)", () => {
    const out = toDataRequest(newStreamErrorMessage(new Error("boom")));
    const back = fromDataResponse(asResponse(out))!;
    const parsed = parseStreamErrorMessage(back);
    assert.equal(parsed.isError, true);
    assert.equal(parsed.isError && parsed.error.message, "boom");
    assert.equal(parsed.isError && parsed.error.type, "execution_error");
    assert.deepEqual(parseStreamErrorMessage(newStreamMessage("data", { json: {} })), { isError: false });
  });

  test("round trip keeps payload, inputs, metadata, kind and id; size of receipt encoding is the DataResponse size", () => {
    const out = toDataRequest(
      newStreamMessage("data", { messageId: "x", json: { a: [1, 2] }, inputs: { b: "c" }, metadata: { m: "n" } }),
    );
    const back = fromDataResponse(asResponse(out))!;
    assert.equal(back.kind, "data");
    assert.equal(back.messageId, "x");
    assert.deepEqual(streamMessageJson(back), { a: [1, 2] });
    assert.deepEqual(json(back.inputs), { b: "c" });
    assert.deepEqual(back.metadata, { m: "n" });
    assert.equal(toBinary(DataRequestSchema, out).length, toBinary(DataResponseSchema, asResponse(out)).length);
    assert.equal(decodeEnvelope(body(out)).messageId, "x");
  });
});

describe("NDJSON (local mode)", () => {
  test("parses and formats messages", () => {
    const m = parseMessageLine('{"kind":"data","messageId":"1","metadata":{"a":"b"},"payload":{"x":1},"binary":null}');
    validateStreamMessage(m);
    assert.deepEqual(json(m.payload), { x: 1 });
    const b = parseMessageLine('{"binary":{"mimeType":"text/plain","data":"aGk="}}');
    assert.equal(dec.decode(b.binary!.payload), "hi");
    assert.equal(formatMessageLine(b), '{"binary":{"mimeType":"text/plain","data":"aGk="}}\n');
    assert.equal(
      formatMessageLine({
        kind: "data",
        payload: enc.encode('{"x":1}'),
        binary: { payload: enc.encode('{"x":1}'), mimeType: "application/json" },
      }),
      '{"kind":"data","payload":{"x":1}}\n',
    );
    assert.throws(() => parseMessageLine("[1]"), /JSON object/);
    assert.throws(() => parseMessageLine('{"kinds":"x"}'), /unknown field "kinds"/);
    assert.throws(() => parseMessageLine('{"binary":{"data":"%%%"}}'), /binary.data is not valid base64/);
    assert.throws(() => parseMessageLine('{"timestamp":"yesterday"}'), /timestamp/);
  });
});
