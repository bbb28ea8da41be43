// Inbound responses read as DataResponseWire (Structs kept as bytes until read) must give the
// engram exactly what a full DataResponse decode gives, and receipts the same size_bytes.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { create, fromBinary, type JsonObject, toBinary } from "@bufbuild/protobuf";
import { DataResponseWireSchema } from "../../src/gen/bubu/sdk/v1/wire_pb.ts";
import {
  type DataResponse,
  DataResponseSchema,
  StreamEnvelopeSchema,
} from "../../src/gen/transport/v1/transport_pb.ts";
import { wireSize } from "../../src/streaming/wire/data-request-encode.ts";
import { fromDataResponse } from "../../src/streaming/wire/from-data-response.ts";
import { responseFromWire, wireOf } from "../../src/streaming/wire/response-from-wire.ts";
import { envelopePacket, hubHeartbeat, rawBinary } from "../peers/connector/packets.ts";

const nested: JsonObject = {
  s: "text ✓",
  n: 1.5,
  i: -7,
  b: true,
  z: null,
  list: [1, "two", null, { deep: [false] }],
  obj: { a: { b: { c: "d" } } },
  empty: {},
  ["__proto__"]: { own: true },
};

const packets: [string, DataResponse][] = [
  [
    "envelope with payload and inputs",
    envelopePacket({ kind: "data", messageId: "m1", payload: nested, inputs: { x: 1 }, metadata: { k: "v" } }),
  ],
  ["sequenced envelope", envelopePacket({ payload: { a: 1 }, streamId: "s", sequence: 9, partition: "p" })],
  ["hub heartbeat (empty Struct present)", hubHeartbeat()],
  ["raw binary without Structs", rawBinary(new Uint8Array([1, 2, 3]), "application/octet-stream", { k: "v" })],
  [
    "audio with the payload only as a Struct",
    create(DataResponseSchema, {
      frame: { case: "audio", value: { pcm: new Uint8Array(320), sampleRateHz: 16000, channels: 1, codec: "pcm16" } },
      payload: nested,
      inputs: {},
      envelope: create(StreamEnvelopeSchema, { streamId: "a", sequence: 3n }),
    }),
  ],
];

function viaWire(p: DataResponse): DataResponse {
  return responseFromWire(fromBinary(DataResponseWireSchema, toBinary(DataResponseSchema, p)));
}

describe("responses read as DataResponseWire", () => {
  for (const [name, packet] of packets) {
    test(`${name}: the same message for the engram, the same Structs and size`, () => {
      const full = fromBinary(DataResponseSchema, toBinary(DataResponseSchema, packet));
      const lazy = viaWire(packet);
      assert.deepEqual(fromDataResponse(lazy), fromDataResponse(full));
      assert.deepEqual(lazy.payload, full.payload);
      assert.deepEqual(lazy.inputs, full.inputs);
      assert.equal(lazy.payload === undefined, full.payload === undefined, "presence kept");
      const w = wireOf(lazy);
      assert.ok(w);
      assert.equal(toBinary(DataResponseWireSchema, w).length, toBinary(DataResponseSchema, full).length);
      // Receipts count the size without encoding (data-request-wire.ts).
      assert.equal(wireSize(w), toBinary(DataResponseSchema, full).length);
      assert.equal(wireSize(full), toBinary(DataResponseSchema, full).length);
    });
  }

  test("a payload key named __proto__ is an own property, as in protobuf-es", () => {
    const lazy = viaWire(envelopePacket({ payload: { ["__proto__"]: { own: true } } }));
    assert.ok(Object.hasOwn(lazy.payload!, "__proto__"));
    assert.deepEqual(Object.getPrototypeOf(lazy.payload), Object.prototype);
  });

  test("an envelope packet never decodes its Struct copy", () => {
    // The Struct bytes are replaced by bytes that are not a Struct: a full decode fails, the
    // engram still gets the envelope's payload (the value the contract says wins).
    const packet = envelopePacket({ kind: "data", payload: { a: 1 } });
    const w = fromBinary(DataResponseWireSchema, toBinary(DataResponseSchema, packet));
    w.payload = new Uint8Array([0x0a, 0xff]);
    assert.throws(() => fromBinary(DataResponseSchema, toBinary(DataResponseWireSchema, w)));
    const msg = fromDataResponse(responseFromWire(w));
    assert.equal(new TextDecoder().decode(msg!.payload), '{"a":1}');
  });

  test("Structs are decoded once and kept", () => {
    const lazy = viaWire(envelopePacket({ payload: { a: 1 } }));
    assert.equal(lazy.payload, lazy.payload);
  });
});
