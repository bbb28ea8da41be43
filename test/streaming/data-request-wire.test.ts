// encodeDataRequest must write exactly toBinary's bytes, and size them exactly, for every frame
// kind and field mix, including what it leaves to toBinary (unknown fields, odd values); and
// frameDataRequest (what an outbound packet keeps) the same bytes behind the gRPC length prefix,
// refusing what only toBinary could write.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { create, fromBinary, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import { InvalidStreamMessageError } from "../../src/engram/streaming-validate.ts";
import {
  AudioFrameSchema,
  BinaryFrameSchema,
  type DataRequest,
  DataRequestSchema,
  VideoFrameSchema,
} from "../../src/gen/transport/v1/transport_pb.ts";
import { encodeDataRequest, wireSize } from "../../src/streaming/wire/data-request-encode.ts";
import { frameDataRequest, framedRequest } from "../../src/streaming/wire/data-request-wire.ts";
import { toDataRequest } from "../../src/streaming/wire/to-data-request.ts";

/** The encoding written at an offset into a bigger buffer (as the transport does), cut out. */
function joined(r: DataRequest): Uint8Array {
  const e = encodeDataRequest(r);
  const out = new Uint8Array(e.size + 9).fill(0xee);
  e.writeTo(out, 5);
  assert.deepEqual(out.subarray(0, 5), new Uint8Array(5).fill(0xee));
  assert.deepEqual(out.subarray(5 + e.size), new Uint8Array(4).fill(0xee));
  return out.subarray(5, 5 + e.size);
}

const bytes = (n: number, seed = 1): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

function req(init: MessageInitShape<typeof DataRequestSchema>): DataRequest {
  return create(DataRequestSchema, init);
}

const cases: [string, DataRequest][] = [
  ["no frame", req({ metadata: { a: "b" } })],
  [
    "small binary frame (toBinary as is)",
    req({ frame: { case: "binary", value: { payload: bytes(100), mimeType: "x/y" } }, payload: { k: 1 } }),
  ],
  [
    "big binary frame, every field",
    req({
      frame: {
        case: "binary",
        value: {
          payload: bytes(70_000),
          mimeType: "application/vnd.bubu.packet+json",
          timestampMs: 1_700_000_000_123n,
        },
      },
      metadata: { "bubu.envelope.kind": "data", traceparent: "00-abc-def-01", ü: "✓" },
      payload: { blob: "x".repeat(65536), n: 1.5, list: [null, true, { d: "e" }] },
      inputs: { q: "r" },
      transports: [
        { name: "t", kind: "livekit", mode: "hot", typedConfig: { transportRef: "ref", modeReason: "why" } },
      ],
      envelope: {
        streamId: "s",
        sequence: 42n,
        partition: "p",
        chunkId: "c",
        chunkIndex: 1,
        chunkCount: 3,
        chunkBytes: 9,
        totalBytes: 27,
      },
    }),
  ],
  [
    "big binary frame at the threshold, nothing else",
    req({ frame: { case: "binary", value: { payload: bytes(4096) } } }),
  ],
  [
    "big audio frame",
    req({
      frame: {
        case: "audio",
        value: { pcm: bytes(32_000), sampleRateHz: 16000, channels: 1, codec: "pcm16", timestampMs: 5n },
      },
      metadata: { m: "1" },
    }),
  ],
  [
    "big video frame with a Struct payload",
    req({
      frame: {
        case: "video",
        value: { payload: bytes(200_000, 3), codec: "h264", width: 640, height: 480, timestampMs: 9n, raw: true },
      },
      payload: { caption: "frame 1" },
    }),
  ],
  ["empty Structs", req({ frame: { case: "binary", value: { payload: bytes(5000) } }, payload: {}, inputs: {} })],
  [
    "a frame of 2 MiB (4-byte lengths)",
    req({ frame: { case: "binary", value: { payload: bytes(2 * 1024 * 1024) } }, payload: { s: "é".repeat(100_000) } }),
  ],
];

describe("encodeDataRequest", () => {
  for (const [name, r] of cases) {
    test(`${name}: the same bytes as toBinary`, () => {
      assert.deepEqual(joined(r), toBinary(DataRequestSchema, r));
      assert.equal(wireSize(r), toBinary(DataRequestSchema, r).length);
    });
  }

  test("the bytes field is number 1 in every frame (written first, as toBinary does)", () => {
    assert.equal(AudioFrameSchema.field.pcm.number, 1);
    assert.equal(VideoFrameSchema.field.payload.number, 1);
    assert.equal(BinaryFrameSchema.field.payload.number, 1);
  });

  test("negative int32s (10-byte varints), uint64 beyond 32 bits, empty map values and keys", () => {
    const r = req({
      frame: {
        case: "audio",
        value: { pcm: bytes(3), sampleRateHz: -1, channels: -2147483648, timestampMs: 0xffffffffffffffffn },
      },
      metadata: { "": "v", k: "" },
      envelope: { sequence: 2n ** 40n + 3n, totalBytes: 0xffffffff },
    });
    assert.deepEqual(joined(r), toBinary(DataRequestSchema, r));
  });

  test("out-of-range values are left to toBinary, which refuses them as before", () => {
    const r = req({ envelope: { chunkIndex: 1 } });
    r.envelope!.chunkIndex = -1;
    assert.throws(() => toBinary(DataRequestSchema, r));
    assert.throws(() => encodeDataRequest(r));
    const big = req({ frame: { case: "binary", value: { payload: bytes(10) } } });
    (big.frame.value as { timestampMs: unknown }).timestampMs = -5n;
    assert.throws(() => encodeDataRequest(big));
  });

  test("what only untyped code can pass: the bytes (or the error) of toBinary", () => {
    // A non-boolean `raw` is written as protobuf-es writes it.
    const raw = req({ frame: { case: "video", value: { payload: bytes(5000), codec: "h264" } } });
    (raw.frame.value as { raw: unknown }).raw = 0;
    assert.deepEqual(joined(raw), toBinary(DataRequestSchema, raw));
    // Struct fields that are null or an array.
    for (const payload of [null, [1, 2]]) {
      const r = req({ metadata: { a: "b" } });
      (r as { payload: unknown }).payload = payload;
      assert.deepEqual(joined(r), toBinary(DataRequestSchema, r));
    }
    // A frame without its type name, and bytes that are not a Uint8Array: toBinary's errors.
    const foreign = req({ frame: { case: "binary", value: { payload: bytes(10) } } });
    delete (foreign.frame.value as { $typeName?: string }).$typeName;
    assert.throws(() => toBinary(DataRequestSchema, foreign));
    assert.throws(() => encodeDataRequest(foreign));
    const notBytes = req({ frame: { case: "binary", value: { payload: bytes(10) } } });
    (notBytes.frame.value as { payload: unknown }).payload = [1, 2, 3];
    assert.throws(() => toBinary(DataRequestSchema, notBytes));
    assert.throws(() => encodeDataRequest(notBytes));
  });

  test("an encoding is written once: a second writeTo throws instead of writing from a scratch it gave back", () => {
    const e = encodeDataRequest(req({ envelope: { sequence: 5n }, metadata: { k: "v" } }));
    e.writeTo(new Uint8Array(e.size), 0);
    assert.throws(() => e.writeTo(new Uint8Array(e.size), 0), /only once/);
  });

  test("two encodings sized before either is written do not share scratch space", () => {
    const a = req({ metadata: { a: "x".repeat(5000) }, payload: { s: "α".repeat(3000) } });
    const b = req({ metadata: { b: "y".repeat(7000) }, payload: { t: "β".repeat(2000) } });
    const ea = encodeDataRequest(a);
    const eb = encodeDataRequest(b);
    const ob = new Uint8Array(eb.size);
    eb.writeTo(ob, 0);
    const oa = new Uint8Array(ea.size);
    ea.writeTo(oa, 0);
    assert.deepEqual(oa, toBinary(DataRequestSchema, a));
    assert.deepEqual(ob, toBinary(DataRequestSchema, b));
  });

  test("an outbound envelope message from toDataRequest (the echo path)", () => {
    const payload = new TextEncoder().encode(JSON.stringify({ blob: "z".repeat(65536), nested: { a: [1, 2, 3] } }));
    const r = toDataRequest({ kind: "data", messageId: "m-1", payload, metadata: { k: "v" } });
    assert.deepEqual(joined(r), toBinary(DataRequestSchema, r));
  });

  test("unknown fields fall back to toBinary", () => {
    const r = req({ frame: { case: "binary", value: { payload: bytes(10_000) } } });
    r.$unknown = [{ no: 99, wireType: 0, data: new Uint8Array([1]) }];
    assert.deepEqual(joined(r), toBinary(DataRequestSchema, r));
  });
});

describe("frameDataRequest (what an outbound packet keeps)", () => {
  /** The gRPC message: flag 0, big-endian length, then toBinary's bytes. */
  function grpcMessage(r: DataRequest): Uint8Array {
    const b = toBinary(DataRequestSchema, r);
    const out = new Uint8Array(5 + b.length);
    new DataView(out.buffer).setUint32(1, b.length);
    out.set(b, 5);
    return out;
  }
  const unknown = req({ frame: { case: "binary", value: { payload: bytes(300) } } });
  unknown.$unknown = [{ no: 99, wireType: 0, data: new Uint8Array([1]) }];

  for (const [name, r] of cases) {
    test(`${name}: the length prefix and toBinary's bytes, decoded back to the same request`, () => {
      const frame = frameDataRequest(r, Number.POSITIVE_INFINITY);
      assert.deepEqual(frame, grpcMessage(r));
      const back = fromBinary(DataRequestSchema, frame.subarray(5));
      assert.deepEqual(toBinary(DataRequestSchema, back), toBinary(DataRequestSchema, r));
    });
  }

  test("a request only toBinary would encode (unknown fields) is refused as invalid, not sent differently", () => {
    assert.throws(
      () => frameDataRequest(unknown, Number.POSITIVE_INFINITY),
      (err: unknown) => err instanceof InvalidStreamMessageError && /cannot be encoded/.test(err.message),
    );
  });

  test("the transport's encoder hands out the frame itself, as often as it is sent", () => {
    const frame = frameDataRequest(cases[1][1], 1 << 20);
    for (let i = 0; i < 2; i++) {
      const e = encodeDataRequest(framedRequest(frame));
      assert.equal(e.frame, frame);
      assert.equal(e.size, frame.length - 5);
      const out = new Uint8Array(e.size);
      e.writeTo(out, 0);
      assert.deepEqual(out, frame.subarray(5));
    }
  });

  test("larger than the send limit: rejected with the size, and the next encoding is intact", () => {
    const r = cases[1][1];
    const size = toBinary(DataRequestSchema, r).length;
    assert.throws(
      () => frameDataRequest(r, size - 1),
      (err: unknown) =>
        err instanceof InvalidStreamMessageError &&
        err.message.endsWith(`message of ${size} bytes exceeds the send limit of ${size - 1} bytes`),
    );
    assert.equal(frameDataRequest(r, size).length, size + 5);
    assert.deepEqual(frameDataRequest(cases[2][1], Number.POSITIVE_INFINITY), grpcMessage(cases[2][1]));
  });
});
