// The inbound fast decoder must give exactly the DataResponseWire that fromBinary gives, and
// leave every shape it does not read (and every broken message) to fromBinary.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { DataResponseWireSchema } from "../../src/gen/bubu/sdk/v1/wire_pb.ts";
import { DataResponseSchema, StreamEnvelopeSchema } from "../../src/gen/transport/v1/transport_pb.ts";
import { decodeDataResponseWire } from "../../src/streaming/wire/data-response-decode.ts";
import { envelopePacket, hubHeartbeat, rawBinary } from "../peers/connector/packets.ts";
import { prng } from "../support/prng.ts";

const utf8 = new TextEncoder();

function same(bytes: Uint8Array, what: string): void {
  const fast = decodeDataResponseWire(bytes);
  assert.notEqual(fast, undefined, `${what}: left to fromBinary`);
  assert.deepStrictEqual(fast, fromBinary(DataResponseWireSchema, bytes), what);
}

function left(bytes: Uint8Array, what: string): void {
  assert.equal(decodeDataResponseWire(bytes), undefined, what);
}

/** A length-delimited field: tag, length, bytes. */
function field(no: number, body: Uint8Array): Uint8Array {
  assert.ok(body.length < 128);
  return new Uint8Array([(no << 3) | 2, body.length, ...body]);
}

const cat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

describe("decodeDataResponseWire", () => {
  test("the connector's packets decode as fromBinary decodes them", () => {
    const packets = [
      envelopePacket({
        kind: "data",
        messageId: "m1",
        payload: { a: [1, "x"] },
        inputs: { b: true },
        metadata: { k: "v" },
      }),
      envelopePacket({ payload: { blob: "x".repeat(1024) }, streamId: "s", sequence: 9, partition: "p" }),
      envelopePacket({ payload: { a: 1 }, timestampMs: 1_700_000_000_123 }),
      hubHeartbeat(),
      rawBinary(new Uint8Array([1, 2, 3]), "application/octet-stream", { k: "v", "ü ✓": "" }),
      create(DataResponseSchema, {}),
      create(DataResponseSchema, { frame: { case: "binary", value: {} } }),
      create(DataResponseSchema, {
        envelope: create(StreamEnvelopeSchema, {
          streamId: "s",
          sequence: 2n ** 48n,
          chunkId: "c",
          chunkIndex: 0xffffffff,
          chunkCount: 7,
          chunkBytes: 1,
          totalBytes: 64 * 1024 * 1024,
        }),
      }),
    ];
    for (const [i, p] of packets.entries()) same(toBinary(DataResponseSchema, p), `packet ${i}`);
  });

  test("random packets (seeded) decode as fromBinary decodes them", () => {
    const rnd = prng(20);
    const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
    const str = (): string => pick(["", "a", "ключ", "✓✓", "\uFEFFbom", "x".repeat(200), "data"]);
    for (let i = 0; i < 300; i++) {
      const metadata: Record<string, string> = {};
      for (let k = Math.floor(rnd() * 4); k > 0; k--) metadata[str() + k] = str();
      const p = create(DataResponseSchema, {
        frame:
          rnd() < 0.8
            ? {
                case: "binary",
                value: {
                  payload: utf8.encode(str()),
                  mimeType: pick(["", "application/vnd.bubu.packet+json", "text/plain"]),
                  timestampMs: BigInt(Math.floor(rnd() * 2 ** 45)),
                },
              }
            : { case: undefined },
        metadata,
        payload: rnd() < 0.5 ? { s: str(), n: rnd() } : undefined,
        inputs: rnd() < 0.3 ? {} : undefined,
        envelope:
          rnd() < 0.5
            ? create(StreamEnvelopeSchema, {
                streamId: str(),
                sequence: BigInt(Math.floor(rnd() * 1e6)),
                partition: str(),
                chunkIndex: Math.floor(rnd() * 10),
                chunkCount: Math.floor(rnd() * 10),
              })
            : undefined,
      });
      same(toBinary(DataResponseSchema, p), `random packet ${i}`);
    }
  });

  test("strings are read as protobuf-es reads them: a leading BOM kept, invalid UTF-8 left to fromBinary", () => {
    const entry = (k: number[], v: number[]): Uint8Array =>
      field(4, cat(field(1, new Uint8Array(k)), field(2, new Uint8Array(v))));
    same(entry([0x61], [0xef, 0xbb, 0xbf, 0x62]), "BOM value");
    for (const bad of [
      entry([0xff, 0x61], [0x62]),
      entry([0x61], [0xc3]),
      field(8, field(1, new Uint8Array([0xed, 0xa0, 0x80]))),
    ]) {
      left(bad, "invalid UTF-8");
      assert.throws(() => fromBinary(DataResponseWireSchema, bad));
    }
    left(field(3, field(2, new Uint8Array([0xfe]))), "invalid UTF-8 MIME type");
    // Map entries without a key or a value get the empty string; the order of the two does not matter.
    same(field(4, field(2, utf8.encode("v"))), "entry without key");
    same(field(4, field(1, utf8.encode("k"))), "entry without value");
    same(field(4, cat(field(2, utf8.encode("v")), field(1, utf8.encode("k")))), "value before key");
    // A 5-byte uint32 keeps its low 32 bits.
    same(field(8, new Uint8Array([5 << 3, 0xff, 0xff, 0xff, 0xff, 0x1f])), "5-byte uint32");
  });

  test("other shapes and broken messages are left to fromBinary", () => {
    const audio = toBinary(
      DataResponseSchema,
      create(DataResponseSchema, { frame: { case: "audio", value: { pcm: new Uint8Array([1]) } } }),
    );
    left(audio, "audio frame");
    const video = toBinary(DataResponseSchema, create(DataResponseSchema, { frame: { case: "video", value: {} } }));
    left(video, "video frame");
    const transports = toBinary(DataResponseSchema, create(DataResponseSchema, { transports: [{ name: "t" }] }));
    left(transports, "transports");
    const binary = field(3, field(2, utf8.encode("a/b")));
    left(cat(binary, binary), "frame given twice (fromBinary merges)");
    left(cat(field(5, new Uint8Array()), field(5, new Uint8Array([1]))), "payload given twice");
    const kv = field(4, cat(field(1, utf8.encode("k")), field(2, utf8.encode("v"))));
    left(cat(kv, kv), "a repeated map key");
    left(field(4, cat(field(1, utf8.encode("__proto__")), field(2, utf8.encode("v")))), "__proto__ key");
    left(field(9, new Uint8Array([1])), "unknown field");
    left(new Uint8Array([(5 << 3) | 0, 1]), "wrong wire type");
    left(field(8, new Uint8Array([2 << 3, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01])), "8-byte varint");
    // Cut short: fromBinary names the problem.
    const whole = toBinary(DataResponseSchema, envelopePacket({ payload: { a: 1 } }));
    for (const n of [1, 2, whole.length - 1]) {
      left(whole.subarray(0, n), `cut after ${n} bytes`);
      assert.throws(() => fromBinary(DataResponseWireSchema, whole.subarray(0, n)));
    }
  });

  test("bytes fields are views into the message, not copies", () => {
    const bytes = toBinary(DataResponseSchema, envelopePacket({ payload: { a: 1 } }));
    const m = decodeDataResponseWire(bytes)!;
    assert.equal(m.frame.case, "binary");
    assert.equal(m.frame.value.payload.buffer, bytes.buffer);
    assert.equal(m.payload?.buffer, bytes.buffer);
  });
});
