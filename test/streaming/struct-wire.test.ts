// encodeStruct must write the very bytes protobuf-es writes for a Struct holding the same JSON
// object, for every kind of value, and decode back to the object.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { create, fromBinary, type JsonObject, type JsonValue, toBinary } from "@bufbuild/protobuf";
import { type Struct, StructSchema } from "@bufbuild/protobuf/wkt";
import { DataRequestSchema } from "../../src/gen/transport/v1/transport_pb.ts";
import { encodeStruct, varintSize, writeVarint } from "../../src/streaming/wire/struct-wire.ts";
import { prng as rng } from "../support/prng.ts";

/** What protobuf-es writes for `obj` in a Struct. */
function reference(obj: JsonObject): Uint8Array {
  // A Struct is kept as JsonObject in message fields; toBinary of the Struct itself needs the message.
  return toBinary(StructSchema, structOf(obj));
}

function structOf(obj: JsonObject): Struct {
  const fields: Struct["fields"] = {};
  for (const k of Object.keys(obj))
    Object.defineProperty(fields, k, { value: valueOf(obj[k]), enumerable: true, writable: true, configurable: true });
  return { $typeName: "google.protobuf.Struct", fields };
}

function valueOf(v: JsonValue): Struct["fields"][string] {
  const kind: Struct["fields"][string]["kind"] =
    v === null
      ? { case: "nullValue", value: 0 }
      : typeof v === "number"
        ? { case: "numberValue", value: v }
        : typeof v === "string"
          ? { case: "stringValue", value: v }
          : typeof v === "boolean"
            ? { case: "boolValue", value: v }
            : Array.isArray(v)
              ? { case: "listValue", value: { $typeName: "google.protobuf.ListValue", values: v.map(valueOf) } }
              : { case: "structValue", value: structOf(v) };
  return { $typeName: "google.protobuf.Value", kind };
}

const alphabet = ["a", "Z", "0", " ", '"', "\\", "\n", "é", "✓", "😀", "\u0000", "\ud800", "中"];

function randomString(r: () => number, max: number): string {
  let s = "";
  const n = Math.floor(r() * max);
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(r() * alphabet.length)];
  return s;
}

function randomValue(r: () => number, depth: number): JsonValue {
  const pick = Math.floor(r() * (depth > 4 ? 4 : 6));
  switch (pick) {
    case 0:
      return null;
    case 1:
      return [0, -0, 1, -1.5, 1e308, -(2 ** 53), 3.14159, 5e-324][Math.floor(r() * 8)];
    case 2:
      return randomString(r, r() < 0.1 ? 400 : 12);
    case 3:
      return r() < 0.5;
    case 4:
      return Array.from({ length: Math.floor(r() * 5) }, () => randomValue(r, depth + 1));
    default:
      return randomObject(r, depth + 1);
  }
}

function randomObject(r: () => number, depth: number): JsonObject {
  const out: JsonObject = {};
  const n = Math.floor(r() * 6);
  for (let i = 0; i < n; i++)
    out[r() < 0.2 ? String(Math.floor(r() * 100)) : randomString(r, 8)] = randomValue(r, depth);
  return out;
}

describe("encodeStruct", () => {
  test("writes what protobuf-es writes, for 500 random objects", () => {
    const r = rng(7);
    for (let i = 0; i < 500; i++) {
      const obj = randomObject(r, 0);
      assert.deepEqual(encodeStruct(obj), reference(obj), JSON.stringify(obj));
    }
  });

  test("every value kind, empty containers, key order of JSON.parse and a __proto__ key", () => {
    const obj = JSON.parse(
      '{"b":1,"a":"x","10":true,"2":null,"list":[[],{},[1,[2,{"k":"v"}]]],"empty":{},"__proto__":{"p":1},"s":""}',
    ) as JsonObject;
    const bytes = encodeStruct(obj);
    assert.deepEqual(bytes, reference(obj));
    const back = fromBinary(StructSchema, bytes);
    assert.deepEqual(Object.keys(back.fields), Object.keys(obj));
    assert.equal(back.fields.__proto__.kind.case, "structValue");
  });

  test("an empty object is zero bytes", () => {
    assert.equal(encodeStruct({}).length, 0);
  });

  test("large strings (64 KiB, multi-byte) and lengths that need 3- and 4-byte varints", () => {
    for (const s of ["x".repeat(65536), "é".repeat(70_000), "😀".repeat(300_000)]) {
      const obj = { blob: s, n: 1 };
      assert.deepEqual(encodeStruct(obj), reference(obj));
    }
  });

  test("the scratch kept between calls does not leak bytes into the next encoding", () => {
    const big = { a: "y".repeat(200_000) };
    assert.deepEqual(encodeStruct(big), reference(big));
    const small = { b: "z" };
    assert.deepEqual(encodeStruct(small), reference(small));
  });

  test("values JSON.parse never gives (undefined, an array hole, bigint) are empty Values, as protobuf-es writes them", () => {
    // deno-lint-ignore no-sparse-arrays
    for (const obj of [{ u: undefined }, { n: 1n }, { l: [, 1] }, { f: () => 1 }] as unknown as JsonObject[]) {
      const viaProtobufEs = toBinary(DataRequestSchema, create(DataRequestSchema, { payload: obj }));
      // Field 5 tag and a one-byte length, then the Struct.
      assert.deepEqual(encodeStruct(obj), viaProtobufEs.subarray(2));
    }
  });

  test("varints: sizes and bytes at every width boundary", () => {
    for (const n of [0, 127, 128, 16383, 16384, 2097151, 2097152, 268435455, 268435456, 2 ** 32 - 1]) {
      const out = new Uint8Array(8);
      const end = writeVarint(out, 0, n);
      assert.equal(end, varintSize(n), String(n));
      let v = 0;
      for (let i = end - 1; i >= 0; i--) v = v * 128 + (out[i] & 0x7f);
      assert.equal(v, n);
    }
  });
});
