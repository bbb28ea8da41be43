// The SDK-private views bubu.sdk.wire.v1.DataRequestWire/DataResponseWire must read and write
// exactly the wire of transport.v1.DataRequest/DataResponse: same numbers, kinds and types,
// except payload/inputs as bytes.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { create, type DescField, type DescMessage, fromBinary, toBinary } from "@bufbuild/protobuf";
import { DataRequestWireSchema, DataResponseWireSchema } from "../../src/gen/bubu/sdk/wire/v1/data_wire_pb.ts";
import { DataRequestSchema, DataResponseSchema, TransportConnectorService } from "../../src/gen/transport/v1/transport_pb.ts";
import { WIRE_CONNECTOR_SERVICE } from "../../src/streaming/wire-view.ts";
import { encodeStruct } from "../../src/streaming/struct-wire.ts";

function shape(f: DescField): string {
  const type = f.fieldKind === "message" ? f.message.typeName : f.fieldKind === "scalar" ? `scalar ${f.scalar}` : f.fieldKind;
  return `${f.number} ${f.name} ${f.fieldKind} ${type} oneof=${f.oneof?.name ?? "-"}`;
}

describe("DataResponseWire", () => {
  for (const [real, wire] of [[DataRequestSchema, DataRequestWireSchema], [DataResponseSchema, DataResponseWireSchema]] as [DescMessage, DescMessage][]) {
    test(`${wire.name} mirrors ${real.name} but for the Struct fields`, () => {
      const want = real.fields.map(shape);
      const view = wire.fields.map(shape);
      assert.equal(view.length, want.length);
      for (let i = 0; i < want.length; i++) {
        const f = real.fields[i];
        if (f.name === "payload" || f.name === "inputs") {
          const w = wire.fields[i];
          assert.equal(f.fieldKind === "message" && f.message.typeName, "google.protobuf.Struct");
          assert.equal(w.name, f.name);
          assert.equal(w.number, f.number);
          assert.equal(shape(w), `${f.number} ${f.name} scalar scalar 12 oneof=-`); // bytes (proto3 optional: no real oneof)
          assert.equal(w.presence, 1); // EXPLICIT: an empty Struct is kept apart from none
        } else {
          assert.equal(view[i], want[i]);
        }
      }
    });
  }

  test("reads a DataResponse encoding, Structs as their bytes, and re-encodes to the same length", () => {
    const payload = { a: [1, "x", { b: null }], c: true };
    const p = create(DataResponseSchema, {
      frame: { case: "binary", value: { payload: new Uint8Array([1, 2, 3]), mimeType: "application/octet-stream" } },
      metadata: { k: "v" },
      payload,
      inputs: {},
      transports: [{ name: "t", kind: "k" }],
      envelope: { streamId: "s", sequence: 7n },
    });
    const bytes = toBinary(DataResponseSchema, p);
    const w = fromBinary(DataResponseWireSchema, bytes);
    assert.deepEqual(w.payload, encodeStruct(payload));
    assert.deepEqual(w.inputs, new Uint8Array(0));
    assert.equal(toBinary(DataResponseWireSchema, w).length, bytes.length);
    assert.equal(fromBinary(DataResponseWireSchema, toBinary(DataResponseSchema, create(DataResponseSchema, {}))).payload, undefined);
  });

  test("the client's service only swaps the Data response type", () => {
    const s = WIRE_CONNECTOR_SERVICE;
    assert.equal(s.typeName, TransportConnectorService.typeName);
    assert.deepEqual(s.methods.map((m) => m.name), TransportConnectorService.methods.map((m) => m.name));
    assert.equal(s.method.data.output, DataResponseWireSchema);
    assert.equal(s.method.data.input, DataRequestWireSchema);
    assert.equal(s.method.data.parent.typeName, "transport.v1.TransportConnectorService");
    assert.equal(s.method.data.name, "Data");
    assert.equal(s.methods[0], s.method.data);
    assert.equal(s.method.control, TransportConnectorService.method.control);
  });
});
