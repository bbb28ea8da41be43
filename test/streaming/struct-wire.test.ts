import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { create, fromBinary, fromJson, type JsonObject, type JsonValue, toBinary, toJson } from "@bufbuild/protobuf";
import { StructSchema } from "@bufbuild/protobuf/wkt";
import { DataRequestSchema, type DataResponse, DataResponseSchema } from "../../src/gen/transport/v1/transport_pb.ts";
import { encodeStruct } from "../../src/streaming/struct-wire.ts";
import { checkStruct, decodeStruct } from "../../src/streaming/struct-read.ts";
import { toDataRequest } from "../../src/streaming/to-data-request.ts";
import { toWireRequest } from "../../src/streaming/wire-view.ts";
import { DataRequestWireSchema, DataResponseWireSchema } from "../../src/gen/bubu/sdk/wire/v1/data_wire_pb.ts";
import { checkPacketStructs, fromDataResponse } from "../../src/streaming/from-data-response.ts";
import { InvalidStreamMessageError } from "../../src/engram/streaming-validate.ts";

/** Small deterministic PRNG (mulberry32) so a failure can be replayed from its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = ["a", "Z", "0", " ", "\"", "\\", "\n", "\u0000", "é", "ß", "€", "中", "😀", "\u{10FFFF}", "\uFFFD", "key", "__proto__", "-"];
const NUMBERS = [0, -0, 1, -1, 0.5, -2.25, 1e308, -1e308, 5e-324, -5e-324, 2 ** 53, -(2 ** 53) - 2, 123456789.125, 1e-7, 3.4e38];

function randString(r: () => number, long = false): string {
  const n = long && r() < 0.1 ? 200 + Math.floor(r() * 400) : Math.floor(r() * 8);
  let s = "";
  for (let i = 0; i < n; i++) s += PIECES[Math.floor(r() * PIECES.length)];
  return s;
}

function randValue(r: () => number, depth: number): JsonValue {
  const k = Math.floor(r() * (depth > 6 ? 4 : 6));
  switch (k) {
    case 0:
      return null;
    case 1:
      return r() < 0.5 ? NUMBERS[Math.floor(r() * NUMBERS.length)] : (r() - 0.5) * 10 ** Math.floor(r() * 40 - 20);
    case 2:
      return randString(r, true);
    case 3:
      return r() < 0.5;
    case 4: {
      const n = Math.floor(r() * 5);
      return Array.from({ length: n }, () => randValue(r, depth + 1));
    }
    default:
      return randObject(r, depth + 1);
  }
}

function randObject(r: () => number, depth: number): JsonObject {
  const o: JsonObject = {};
  const n = Math.floor(r() * 6);
  for (let i = 0; i < n; i++) o[randString(r)] = randValue(r, depth);
  return o;
}

/** Through JSON text, as the SDK gets it (JSON.parse order, own `__proto__` keys). */
function viaText(o: JsonObject): JsonObject {
  return JSON.parse(JSON.stringify(o)) as JsonObject;
}

function reference(o: JsonObject): Uint8Array {
  return toBinary(StructSchema, fromJson(StructSchema, o));
}

describe("struct-wire encodeStruct", () => {
  test("matches protobuf-es byte for byte over random JSON", () => {
    for (let seed = 1; seed <= 1500; seed++) {
      const o = viaText(randObject(rng(seed), 0));
      const ours = encodeStruct(o);
      assert.deepEqual(ours, reference(o), `seed ${seed}`);
      const back = toJson(StructSchema, fromBinary(StructSchema, ours));
      assert.deepEqual(back, toJson(StructSchema, fromJson(StructSchema, o)), `seed ${seed}`);
    }
  });

  test("edge values: -0, empty containers, deep nesting, long and astral strings, lone surrogates", () => {
    let deep: JsonValue = { leaf: [[], {}, -0] };
    for (let i = 0; i < 40; i++) deep = i % 2 === 0 ? { [`k${i}`]: deep } : [deep, i];
    const cases: JsonObject[] = [
      {},
      { z: -0 },
      { e: {}, l: [], s: "", n: null, f: false, t: true },
      { deep },
      { long: "x".repeat(70_000), uni: "😀中é".repeat(5000) },
      { lone: "\ud800", pairBroken: "a\udc00b\ud83d" },
      { "": 1, "\u0000": 2, "10": 3, "2": 4, b: 5, a: 6 },
      JSON.parse('{"__proto__": {"x": 1}, "big": 1e400, "neg": -1e-400}') as JsonObject,
    ];
    for (const o of cases) {
      assert.deepEqual(encodeStruct(o), reference(o));
    }
    // -0 keeps its sign through the wire.
    const z = toJson(StructSchema, fromBinary(StructSchema, encodeStruct({ z: -0 }))) as JsonObject;
    assert.ok(Object.is(z.z, -0));
  });
});

describe("toWireRequest", () => {
  const enc = new TextEncoder();
  test("writes the bytes protobuf-es writes for the DataRequest, on every path", () => {
    for (let seed = 1; seed <= 300; seed++) {
      const payload = viaText(randObject(rng(seed), 0));
      const inputs = viaText(randObject(rng(seed + 7919), 0));
      const json = enc.encode(JSON.stringify(payload));
      const msgs = [
        { kind: "data", payload: json, inputs: enc.encode(JSON.stringify(inputs)), metadata: { a: "b" }, transports: [{ name: "t", kind: "k" }] },
        { kind: "data", payload: enc.encode("{}") },
        { payload: json, audio: { pcm: new Uint8Array(4), sampleRateHz: 16000, channels: 1 } },
        { binary: { payload: new Uint8Array([1, 2]), mimeType: "image/png" } },
      ];
      for (const m of msgs) {
        const req = toDataRequest(m);
        assert.deepEqual(toBinary(DataRequestWireSchema, toWireRequest(req)), toBinary(DataRequestSchema, req), `seed ${seed}`);
      }
    }
  });

  test("keeps an empty Struct apart from none, and leaves the request as it was", () => {
    const req = create(DataRequestSchema, { payload: {}, metadata: { k: "v" } });
    const w = toWireRequest(req);
    assert.deepEqual(w.payload, new Uint8Array(0));
    assert.equal(w.inputs, undefined);
    assert.deepEqual(toBinary(DataRequestWireSchema, w), toBinary(DataRequestSchema, req));
    assert.deepEqual(fromBinary(DataResponseSchema, toBinary(DataRequestWireSchema, w)).payload, {});
    assert.equal(req.$typeName, "transport.v1.DataRequest");
    assert.deepEqual(req.payload, {});
  });
});

/** What the packet decoder gives for a payload Struct of these bytes (the decoding before). */
function protobufEs(bytes: Uint8Array): JsonObject {
  const field = new Uint8Array([0x2a, ...varint(bytes.length), ...bytes]); // DataResponse.payload (5)
  return fromBinary(DataResponseSchema, field).payload!;
}

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}

function outcome(f: () => unknown): { ok: unknown } | { error: string } {
  try {
    return { ok: f() };
  } catch (err) {
    return { error: (err as Error).name };
  }
}

describe("struct-read decodeStruct", () => {
  test("agrees with protobuf-es over random JSON", () => {
    for (let seed = 1; seed <= 1500; seed++) {
      const bytes = reference(viaText(randObject(rng(seed), 0)));
      const ours = decodeStruct(bytes);
      assert.deepEqual(ours, protobufEs(bytes), `seed ${seed}`);
      assert.equal(JSON.stringify(ours), JSON.stringify(protobufEs(bytes)), `seed ${seed}`); // key order too
      checkStruct(bytes);
    }
  });

  test("edge encodings: unset kind, NaN, merged and repeated fields, unknown fields, keys out of order", () => {
    const cases: number[][] = [
      [],
      [0x0a, 0x05, 0x0a, 0x01, 0x61, 0x12, 0x00], // {a: <Value with no kind>}
      [0x0a, 0x03, 0x0a, 0x01, 0x61], // entry without a value
      [0x0a, 0x04, 0x12, 0x02, 0x08, 0x00], // entry without a key
      [0x0a, 0x0e, 0x0a, 0x01, 0x6e, 0x12, 0x09, 0x11, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f], // NaN
      [0x0a, 0x0b, 0x12, 0x02, 0x20, 0x01, 0x0a, 0x01, 0x62, 0x12, 0x02, 0x08, 0x00], // value before key, two values
      [0x0a, 0x07, 0x0a, 0x01, 0x63, 0x12, 0x02, 0x20, 0x05, 0x18, 0x07], // bool 5, then unknown field 3 in the Struct
      [0x0a, 0x08, 0x0a, 0x01, 0x64, 0x12, 0x03, 0x1a, 0x01, 0x78, 0x0a, 0x08, 0x0a, 0x01, 0x64, 0x12, 0x03, 0x1a, 0x01, 0x79], // repeated key
      [0x0a, 0x0c, 0x0a, 0x01, 0x65, 0x12, 0x07, 0x32, 0x02, 0x0a, 0x00, 0x32, 0x01, 0x0a], // two list_values: concatenated... truncated second
      [0x0a, 0x0d, 0x0a, 0x01, 0x65, 0x12, 0x08, 0x32, 0x02, 0x0a, 0x00, 0x32, 0x02, 0x0a, 0x00], // two list_values
      [0x0a, 0x07, 0x0a, 0x01, 0x66, 0x12, 0x02, 0x08, 0x05, 0x23, 0x24], // group as unknown field
      [0x0a, 0x04, 0x0a, 0x02, 0xc3, 0x28], // invalid UTF-8 key
      [0x0a, 0x06, 0x0a, 0x01, 0x67, 0x12, 0x03, 0x1a, 0x01, 0xff], // invalid UTF-8 string
      [0x0a, 0x0a, 0x0a, 0x01], // truncated
      [0x0a, 0x03, 0x0a, 0x03, 0x61], // entry longer than the field
      [0x0a, 0x05, 0x0a, 0x01, 0x68, 0x12, 0x00, 0x80], // truncated varint tag
      [0x0a, 0x07, 0x0a, 0x03, 0xef, 0xbb, 0xbf, 0x12, 0x00], // BOM key is kept
    ];
    for (const c of cases) {
      const bytes = new Uint8Array(c);
      const want = outcome(() => protobufEs(bytes));
      const got = outcome(() => decodeStruct(bytes));
      assert.equal("error" in got, "error" in want, `${c}: ours ${JSON.stringify(got)}, protobuf-es ${JSON.stringify(want)}`);
      if ("ok" in want && "ok" in got) assert.deepEqual(got.ok, want.ok, String(c));
      assert.equal("error" in outcome(() => checkStruct(bytes)), "error" in want, String(c));
    }
  });

  test("nesting: the same depth limit as protobuf-es", () => {
    for (const depth of [1, 10, 30, 47, 48, 49, 50, 60]) {
      let v: JsonValue = 1;
      for (let i = 0; i < depth; i++) v = { k: v };
      const bytes = encodeStruct(v as JsonObject);
      const want = outcome(() => protobufEs(bytes));
      const got = outcome(() => decodeStruct(bytes));
      assert.equal("error" in got, "error" in want, `depth ${depth}`);
      if ("ok" in want) assert.deepEqual(got, want);
      assert.equal("error" in outcome(() => checkStruct(bytes)), "error" in want);
    }
  });

  test("__proto__ keys stay own properties", () => {
    const o = decodeStruct(encodeStruct(JSON.parse('{"__proto__": {"polluted": true}}') as JsonObject));
    assert.equal(Object.getPrototypeOf(o), Object.prototype);
    assert.deepEqual(Object.keys(o), ["__proto__"]);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});

describe("fromDataResponse with the wire view (Structs as bytes)", () => {
  const enc = new TextEncoder();
  /** The packet as the session's client decodes it. */
  const asWire = (p: DataResponse) => fromBinary(DataResponseWireSchema, toBinary(DataResponseSchema, p));

  test("gives the same message as the DataResponse, on every path", () => {
    for (let seed = 1; seed <= 200; seed++) {
      const payload = viaText(randObject(rng(seed), 0));
      const inputs = viaText(randObject(rng(seed + 31), 0));
      const packets = [
        create(DataResponseSchema, { frame: { case: "audio", value: { pcm: new Uint8Array(2), sampleRateHz: 8000, channels: 1 } }, payload, inputs }),
        create(DataResponseSchema, {
          frame: { case: "binary", value: { payload: enc.encode(JSON.stringify({ kind: "data", payload })), mimeType: "application/vnd.bubu.packet+json" } },
          payload,
          inputs,
        }),
        create(DataResponseSchema, { frame: { case: "binary", value: { payload: new Uint8Array(0), mimeType: "image/png" } }, payload: {}, metadata: { a: "b" } }),
      ];
      for (const p of packets) {
        const want = outcome(() => fromDataResponse(p));
        const got = outcome(() => fromDataResponse(asWire(p)));
        assert.deepEqual(got, want, `seed ${seed}`);
      }
    }
  });

  test("malformed Struct bytes are refused even when the envelope has the payload", () => {
    const good = create(DataResponseSchema, {
      frame: { case: "binary", value: { payload: enc.encode('{"kind":"data","payload":{"a":1}}'), mimeType: "application/vnd.bubu.packet+json" } },
    });
    for (const field of ["payload", "inputs"] as const) {
      const p = fromBinary(DataResponseWireSchema, toBinary(DataResponseSchema, good));
      p[field] = new Uint8Array([0x0a, 0x05, 0x0a, 0x01]); // truncated entry
      assert.throws(() => fromDataResponse(p), (err: Error) => err instanceof InvalidStreamMessageError && err.message.includes(`${field} Struct decode failed: premature EOF`));
      p[field] = new Uint8Array([0x0a, 0x06, 0x0a, 0x01, 0x67, 0x12, 0x01, 0x08]); // truncated value
      assert.throws(() => fromDataResponse(p), InvalidStreamMessageError);
      p[field] = encodeStruct({ ok: true });
      assert.equal(fromDataResponse(p)!.kind, "data");
    }
    const keepalive = fromBinary(DataResponseWireSchema, toBinary(DataResponseSchema, create(DataResponseSchema, {})));
    keepalive.payload = new Uint8Array([0x0a, 0x04, 0x0a, 0x02, 0xc3, 0x28]); // invalid UTF-8 key
    assert.throws(() => checkPacketStructs(keepalive), /payload Struct decode failed/);
    keepalive.payload = encodeStruct({});
    checkPacketStructs(keepalive);
  });
});
