// Frame builders (checked when built) and offloaded media messages (offload, wire form, resolve).

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { newStreamMessage, type StreamMessage } from "../../src/engram/streaming-message.ts";
import { InvalidStreamMessageError } from "../../src/engram/streaming-validate.ts";
import { DataResponseSchema } from "../../src/gen/transport/v1/transport_pb.ts";
import { audioMessage, binaryMessage, videoMessage } from "../../src/media/frames.ts";
import {
  MEDIA_REF_KEY,
  mediaReferenceOf,
  offloadMediaMessage,
  resolveMediaMessage,
} from "../../src/media/media-message.ts";
import { StorageError } from "../../src/storage/errors.ts";
import { StorageManager } from "../../src/storage/manager.ts";
import { fromDataResponse } from "../../src/streaming/wire/from-data-response.ts";
import { toDataRequest } from "../../src/streaming/wire/to-data-request.ts";
import { pattern, recordingFileManager, tempDir } from "./support.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const ids = { namespace: "ns", storyRun: "run", step: "step" };

function invalid(re: RegExp) {
  return (err: unknown): boolean =>
    err instanceof InvalidStreamMessageError &&
    re.test(err.message) &&
    err.message.startsWith("invalid stream message: ");
}

describe("frame builders", () => {
  test("valid frames: the message fields as given, kind data by default, sendable", () => {
    const pcm = pattern(320);
    const ts = new Date(1714557600000);
    const a = audioMessage(pcm, {
      sampleRateHz: 16000,
      channels: 1,
      codec: "opus",
      timestampMs: 20,
      messageId: "a1",
      timestamp: ts,
      metadata: { lang: "en" },
      json: { text: "hi" },
    });
    assert.deepEqual(a, {
      kind: "data",
      messageId: "a1",
      timestamp: ts,
      metadata: { lang: "en" },
      payload: enc.encode('{"text":"hi"}'),
      audio: { pcm, sampleRateHz: 16000, channels: 1, codec: "opus", timestampMs: 20 },
    });
    assert.equal(toDataRequest(a).frame.case, "audio");

    const v = videoMessage(pattern(64), { raw: true, width: 4, height: 4, kind: "frame" });
    assert.deepEqual(v, { kind: "frame", video: { payload: pattern(64), raw: true, width: 4, height: 4 } });
    const h264 = videoMessage(pattern(10), { codec: "h264", timestampMs: 33 });
    assert.equal(h264.video?.codec, "h264");

    const b = binaryMessage(pattern(5), "image/png", { timestampMs: 7 });
    assert.deepEqual(b, { kind: "data", binary: { payload: pattern(5), mimeType: "image/png", timestampMs: 7 } });
    const raw = toDataRequest(b);
    assert.equal(
      raw.frame.case === "binary" && raw.frame.value.mimeType,
      "image/png",
      "opaque bytes bypass the envelope",
    );
    assert.deepEqual(binaryMessage(pattern(1), "").binary, { payload: pattern(1) }, "an empty MIME type is left unset");
    assert.equal(binaryMessage(pattern(1), "text/plain; charset=utf-8").binary?.mimeType, "text/plain; charset=utf-8");
  });

  test("invalid frames fail at construction with the contract's reasons", () => {
    const bytes = pattern(4);
    const cases: [() => StreamMessage, RegExp][] = [
      [() => audioMessage(new Uint8Array(0), { sampleRateHz: 16000, channels: 1 }), /audio pcm must not be empty/],
      [() => audioMessage(bytes, { sampleRateHz: 0, channels: 1 }), /sampleRateHz must be positive/],
      [() => audioMessage(bytes, { sampleRateHz: 4000, channels: 1 }), /sample_rate_hz 4000 outside 8000..192000/],
      [() => audioMessage(bytes, { sampleRateHz: 200_000, channels: 1 }), /outside 8000..192000/],
      [() => audioMessage(bytes, { sampleRateHz: 16000, channels: 0 }), /channels must be positive/],
      [() => audioMessage(bytes, { sampleRateHz: 16000, channels: 9 }), /channels 9 outside 1..8/],
      [() => audioMessage(bytes, { sampleRateHz: 16000.5, channels: 1 }), /sampleRateHz must be an integer/],
      [
        () => audioMessage(bytes, { sampleRateHz: 16000, channels: 1, codec: " opus" }),
        /codec must not have surrounding whitespace/,
      ],
      [
        () => audioMessage(bytes, { sampleRateHz: 16000, channels: 1, codec: "c".repeat(33) }),
        /codec exceeds 32 characters/,
      ],
      [
        () => audioMessage(bytes, { sampleRateHz: 16000, channels: 1, timestampMs: -1 }),
        /timestamp must not be negative/,
      ],
      [
        () => audioMessage(bytes, { sampleRateHz: 16000, channels: 1, timestampMs: Number.NaN }),
        /timestamp must not be negative/,
      ],
      [
        () =>
          audioMessage(bytes, { sampleRateHz: 16000, channels: 1, json: [1] as unknown as Record<string, unknown> }),
        /payload decode failed/,
      ],
      [
        () => audioMessage("pcm" as unknown as Uint8Array, { sampleRateHz: 16000, channels: 1 }),
        /audio pcm must be a Uint8Array/,
      ],
      [() => videoMessage(new Uint8Array(0), { codec: "h264" }), /video payload must not be empty/],
      [() => videoMessage(bytes, {}), /codec is required unless raw/],
      [() => videoMessage(bytes, { raw: true, width: 4 }), /raw video requires width and height/],
      [() => videoMessage(bytes, { raw: true, width: 20000, height: 4 }), /width and height must be <= 16384/],
      [() => videoMessage(bytes, { raw: true, width: 4.5, height: 4 }), /video width must be an integer/],
      [() => videoMessage(bytes, { codec: "h264", timestampMs: -5 }), /timestamp must not be negative/],
      [() => binaryMessage(new Uint8Array(0), "image/png"), /binary payload must not be empty/],
      [() => binaryMessage(bytes, "not a mime"), /not a valid media type/],
      [() => binaryMessage(bytes, " image/png"), /surrounding whitespace/],
      [() => binaryMessage(bytes, "application/vnd.bubu.packet+json"), /reserved for envelope packets/],
      [() => binaryMessage(bytes, "x/" + "y".repeat(260)), /mime_type exceeds 255 characters/],
      [() => binaryMessage(bytes, "image/png", { kind: "bad kind" }), /outside \[A-Za-z0-9._-\]/],
      [() => binaryMessage(bytes, "image/png", { metadata: { "": "v" } }), /must not be empty/],
      [() => binaryMessage(bytes, "image/png", { metadata: { k: "v".repeat(1025) } }), /exceeds 1024 characters/],
      [() => binaryMessage(bytes, "image/png", { messageId: " id" }), /messageId must not have surrounding whitespace/],
    ];
    for (const [build, re] of cases) assert.throws(build, invalid(re), re.source);
  });

  test("frames over 10 MiB are accepted (to be offloaded) but still fail when sent inline", () => {
    const big = new Uint8Array(10 * 1024 * 1024 + 1);
    big[0] = 1;
    const msg = binaryMessage(big, "video/mp4");
    assert.equal(msg.binary?.payload.length, big.length);
    assert.throws(() => toDataRequest(msg), /binary payload exceeds 10485760 bytes/);
    // The size pass does not hide other problems.
    assert.throws(() => audioMessage(big, { sampleRateHz: 1, channels: 1 }), invalid(/outside 8000..192000/));
  });
});

describe("offloaded media messages", () => {
  test("audio: small stays as it is, large becomes a JSON reference message and resolves back", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const { manager, store } = await recordingFileManager(dir);
      const small = audioMessage(pattern(100), { sampleRateHz: 16000, channels: 1 });
      assert.equal(
        await offloadMediaMessage(manager, small, { ...ids, inlineLimit: 1000 }, {}),
        small,
        "inline: the same object",
      );

      const pcm = pattern(5000);
      const ts = new Date(1714557600123);
      const msg = audioMessage(pcm, {
        sampleRateHz: 48000,
        channels: 2,
        codec: "opus",
        timestampMs: 60,
        messageId: "m1",
        timestamp: ts,
        metadata: { speaker: "s1" },
        json: { text: "hello" },
        inputs: { lang: "en" },
      });
      const out = await offloadMediaMessage(manager, msg, { ...ids, scope: ["turn 3"], inlineLimit: 1000 }, {});
      assert.equal(out.audio, undefined);
      assert.equal(out.kind, "data");
      assert.equal(out.messageId, "m1");
      assert.equal(out.timestamp, ts);
      assert.deepEqual(out.metadata, { speaker: "s1" });
      assert.deepEqual(JSON.parse(dec.decode(out.inputs)), { lang: "en" });
      const path = store.writes[0]!.key;
      assert.match(path, /^streams\/ns\/run\/step\/turn-3\//);
      // The documented payload shape, field order included.
      assert.equal(
        dec.decode(out.payload),
        `{"text":"hello","mediaRef":{"frame":"audio","ref":{"path":"${path}","contentType":"application/octet-stream","sizeBytes":5000},"sampleRateHz":48000,"channels":2,"codec":"opus","timestampMs":60}}`,
      );
      // On the wire it is an ordinary structured packet: envelope frame plus the payload Struct.
      const wire = toDataRequest(out);
      assert.equal(wire.frame.case === "binary" && wire.frame.value.mimeType, "application/vnd.bubu.packet+json");
      assert.equal((wire.payload?.[MEDIA_REF_KEY] as Record<string, unknown>).frame, "audio");

      const back = await resolveMediaMessage(manager, out);
      assert.deepEqual(back, { ...msg, payload: enc.encode('{"text":"hello"}') });
      assert.deepEqual(mediaReferenceOf(out), {
        frame: "audio",
        ref: { path, contentType: "application/octet-stream", sizeBytes: 5000 },
        sampleRateHz: 48000,
        channels: 2,
        codec: "opus",
        timestampMs: 60,
      });
    } finally {
      cleanup();
    }
  });

  test("video and binary round trips; binary keeps its MIME as the stored type", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const { manager, store } = await recordingFileManager(dir);
      const video = videoMessage(pattern(3000), {
        raw: true,
        width: 40,
        height: 25,
        timestampMs: 33,
        metadata: { cam: "1" },
      });
      const v = await offloadMediaMessage(manager, video, { ...ids, inlineLimit: 100 }, {});
      assert.deepEqual(JSON.parse(dec.decode(v.payload)).mediaRef, {
        frame: "video",
        ref: { path: store.writes[0]!.key, contentType: "application/octet-stream", sizeBytes: 3000 },
        width: 40,
        height: 25,
        raw: true,
        timestampMs: 33,
      });
      assert.deepEqual(await resolveMediaMessage(manager, v), video);

      const bin = binaryMessage(pattern(3000, 1), "image/png", { messageId: "img-1" });
      const b = await offloadMediaMessage(manager, bin, { ...ids, inlineLimit: 100 }, {});
      assert.equal(store.writes[1]!.contentType, "image/png");
      assert.equal(b.binary, undefined);
      const back = await resolveMediaMessage(manager, b);
      assert.deepEqual(back, {
        kind: "data",
        messageId: "img-1",
        payload: pattern(3000, 1),
        binary: { payload: pattern(3000, 1), mimeType: "image/png" },
      });

      // An explicit content type wins over the binary MIME for the stored object only.
      const c = await offloadMediaMessage(
        manager,
        bin,
        { ...ids, inlineLimit: 100, contentType: "application/x-custom" },
        {},
      );
      assert.equal(store.writes[2]!.contentType, "application/x-custom");
      assert.equal((await resolveMediaMessage(manager, c)).binary?.mimeType, "image/png");
    } finally {
      cleanup();
    }
  });

  test("resolve survives the inbound wire form (envelope packet with a mirrored JSON binary)", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const { manager } = await recordingFileManager(dir);
      const msg = audioMessage(pattern(2000), { sampleRateHz: 8000, channels: 1, metadata: { k: "v" } });
      const out = toDataRequest(await offloadMediaMessage(manager, msg, { ...ids, inlineLimit: 10 }, {}));
      const inbound = fromDataResponse(
        create(DataResponseSchema, { frame: out.frame, metadata: out.metadata, payload: out.payload }),
      )!;
      assert.equal(inbound.binary?.mimeType, "application/json");
      const back = await resolveMediaMessage(manager, inbound);
      assert.deepEqual(back.audio, msg.audio);
      assert.equal(back.binary, undefined, "the JSON mirror is gone");
      assert.equal(back.payload, undefined);
      assert.deepEqual(back.metadata, { k: "v" });
    } finally {
      cleanup();
    }
  });

  test("messages without a reference pass through; bad references and bad input fail clearly", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const { manager } = await recordingFileManager(dir);
      for (const plain of [
        newStreamMessage("data", { json: { a: 1 } }),
        newStreamMessage("data", { json: { mediaRef: "podcast" } }),
        newStreamMessage("data", { json: { mediaRef: { frame: "audio" } } }),
        binaryMessage(pattern(3), "application/octet-stream"),
        { kind: "data" },
      ]) {
        assert.equal(await resolveMediaMessage(manager, plain), plain);
      }
      const refMsg = (media: unknown): StreamMessage => newStreamMessage("data", { json: { mediaRef: media } });
      await assert.rejects(
        resolveMediaMessage(manager, refMsg({ frame: "gif", ref: { path: "x" } })),
        (e: unknown) => e instanceof StorageError && e.code === "InvalidReference" && /frame must be/.test(e.message),
      );
      await assert.rejects(
        resolveMediaMessage(manager, refMsg({ frame: "audio", ref: { path: 3 } })),
        (e: unknown) => e instanceof StorageError && e.code === "InvalidReference",
      );
      await assert.rejects(
        resolveMediaMessage(manager, refMsg({ frame: "audio", ref: { path: "x" }, channels: "2" })),
        /channels must be a number/,
      );
      await assert.rejects(
        resolveMediaMessage(manager, refMsg({ frame: "audio", ref: {} })),
        (e: unknown) => e instanceof StorageError && e.code === "MissingPath",
      );
      await assert.rejects(
        resolveMediaMessage(manager, refMsg({ frame: "binary", ref: { path: "../x" } })),
        (e: unknown) => e instanceof StorageError && e.code === "InvalidPath",
      );
      await assert.rejects(
        resolveMediaMessage(new StorageManager(), refMsg({ frame: "binary", ref: { path: "streams/x" } })),
        (e: unknown) => e instanceof StorageError && e.code === "StorageDisabled",
      );

      // A packet cannot point the engram at other objects, or make it buffer a huge one.
      await manager.writeBlob("outputs/ns/run/output.json", "application/json", pattern(20));
      await assert.rejects(
        resolveMediaMessage(manager, refMsg({ frame: "binary", ref: { path: "outputs/ns/run/output.json" } })),
        (e: unknown) =>
          e instanceof StorageError &&
          e.code === "InvalidPath" &&
          /outside the media paths \(streams\/\)/.test(e.message),
      );
      const other = await resolveMediaMessage(
        manager,
        refMsg({ frame: "binary", ref: { path: "outputs/ns/run/output.json" } }),
        { allowedPrefixes: ["outputs/"] },
      );
      assert.deepEqual([...other.binary!.payload], [...pattern(20)], "an author may allow other prefixes");
      const big = await offloadMediaMessage(
        manager,
        binaryMessage(pattern(300), "image/png"),
        { ...ids, inlineLimit: 10 },
        {},
      );
      const bigRef = mediaReferenceOf(big)!;
      await assert.rejects(
        resolveMediaMessage(manager, big, { maxBytes: 299 }),
        (e: unknown) =>
          e instanceof StorageError && e.code === "TooLarge" && /300 bytes, more than the 299 allowed/.test(e.message),
      );
      const unsized = refMsg({ ...bigRef, ref: { path: bigRef.ref.path } });
      await assert.rejects(
        resolveMediaMessage(manager, unsized, { maxBytes: 299 }),
        (e: unknown) => e instanceof StorageError && e.code === "TooLarge",
        "a reference without sizeBytes is capped while reading",
      );
      assert.equal((await resolveMediaMessage(manager, unsized, { maxBytes: 300 })).binary?.payload.length, 300);

      // A size that does not match what is stored.
      const ok = await offloadMediaMessage(
        manager,
        binaryMessage(pattern(50), "image/png"),
        { ...ids, inlineLimit: 10 },
        {},
      );
      const media = mediaReferenceOf(ok)!;
      await assert.rejects(
        resolveMediaMessage(manager, refMsg({ ...media, ref: { ...media.ref, sizeBytes: 49 } })),
        (e: unknown) =>
          e instanceof StorageError && e.code === "SizeMismatch" && /expected 49 bytes, read 50/.test(e.message),
      );
      // Restored frames are checked: a reference with a bad sample rate does not yield a message.
      await assert.rejects(
        resolveMediaMessage(manager, refMsg({ ...media, frame: "audio", sampleRateHz: 0, channels: 1 })),
        invalid(/sampleRateHz must be positive/),
      );

      await assert.rejects(
        offloadMediaMessage(manager, newStreamMessage("data", { json: { a: 1 } }), ids, {}),
        invalid(/needs an audio, video or binary frame/),
      );
      const clash = audioMessage(pattern(50), { sampleRateHz: 8000, channels: 1, json: { mediaRef: 1 } });
      await assert.rejects(
        offloadMediaMessage(manager, clash, { ...ids, inlineLimit: 10 }, {}),
        invalid(/"mediaRef" is reserved/),
      );
      await assert.rejects(
        offloadMediaMessage(manager, { audio: { pcm: pattern(50), sampleRateHz: 0, channels: 1 } }, ids, {}),
        invalid(/sampleRateHz must be positive/),
      );
      // Storage disabled: the message stays inline.
      const inline = audioMessage(pattern(50), { sampleRateHz: 8000, channels: 1 });
      assert.equal(await offloadMediaMessage(undefined, inline, { ...ids, inlineLimit: 10 }, {}), inline);
    } finally {
      cleanup();
    }
  });
});
