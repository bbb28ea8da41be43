// Audio, video, binary and an offloaded media message through the fake connector both ways:
// the engram sends them (recorded as DataRequests), the connector echoes each back, and the
// engram reads them again. Frame fields, kinds, ids and metadata must survive both legs.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { defineStreaming } from "../../src/engram/streaming-engram.ts";
import type { InboundMessage, StreamMessage } from "../../src/engram/streaming-message.ts";
import { audioMessage, binaryMessage, videoMessage } from "../../src/media/frames.ts";
import { offloadMediaMessage, resolveMediaMessage } from "../../src/media/media-message.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { startStreaming } from "../../src/streaming/start-streaming.ts";
import { FakeConnector } from "../peers/connector/index.ts";
import { streamEnv } from "../streaming/helpers.ts";
import { pattern, recordingFileManager, tempDir } from "./support.ts";

describe("media frames through the fake connector", () => {
  test("audio, video, binary and an offloaded frame: SDK → connector → SDK", async () => {
    const fake = await FakeConnector.start({ startup: "none", echo: true });
    const stop = new AbortController();
    const { dir, cleanup } = tempDir();
    try {
      const { manager, store } = await recordingFileManager(dir);
      const pcm = pattern(640, 1);
      const video = pattern(48, 2);
      const png = pattern(300, 3);
      const big = pattern(20_000, 4);
      const outgoing: StreamMessage[] = [
        audioMessage(pcm, {
          sampleRateHz: 16000,
          channels: 2,
          codec: "opus",
          timestampMs: 20,
          messageId: "a-1",
          metadata: { track: "mic" },
          json: { text: "hi" },
        }),
        videoMessage(video, {
          raw: true,
          width: 4,
          height: 3,
          timestampMs: 33,
          messageId: "v-1",
          kind: "frame",
          metadata: { cam: "front" },
        }),
        binaryMessage(png, "image/png", { timestampMs: 7, messageId: "b-1", metadata: { name: "thumb" } }),
        await offloadMediaMessage(
          manager,
          binaryMessage(big, "video/mp4", { messageId: "o-1", metadata: { clip: "1" } }),
          {
            namespace: "ns",
            storyRun: "run",
            step: "camera",
            inlineLimit: 1024,
          },
          {},
        ),
      ];
      const received: InboundMessage[] = [];
      const engram = defineStreaming({
        async stream(_signal, inbound, outbound) {
          for (const m of outgoing) await outbound.send(m);
          for await (const msg of inbound) {
            received.push(msg);
            msg.done();
          }
        },
      });
      const run = startStreaming(engram, {
        env: streamEnv(fake.endpoint),
        exit: false,
        logger: createLogger({ sink: () => {}, level: "ERROR" }),
        signal: stop.signal,
      });
      await fake.waitFor(() => fake.dataRequests.length === 4, 15_000, "four DataRequests");
      await fake.waitFor(() => received.length === 4, 15_000, "four echoes back");

      // SDK → connector: the wire frames.
      const [ra, rv, rb, ro] = fake.dataRequests;
      assert.equal(ra.frame.case, "audio");
      assert.deepEqual(ra.frame.case === "audio" && { ...ra.frame.value, pcm: [...ra.frame.value.pcm] }, {
        $typeName: "transport.v1.AudioFrame",
        pcm: [...pcm],
        sampleRateHz: 16000,
        channels: 2,
        codec: "opus",
        timestampMs: 20n,
      });
      assert.deepEqual(ra.payload, { text: "hi" });
      assert.equal(ra.metadata.track, "mic");
      assert.equal(ra.metadata["bubu.envelope.kind"], "data");
      assert.equal(ra.metadata["bubu.envelope.message_id"], "a-1");
      assert.equal(rv.frame.case, "video");
      assert.deepEqual(
        rv.frame.case === "video" && [
          rv.frame.value.width,
          rv.frame.value.height,
          rv.frame.value.raw,
          rv.frame.value.timestampMs,
          rv.frame.value.codec,
        ],
        [4, 3, true, 33n, ""],
      );
      assert.deepEqual(rv.frame.case === "video" && [...rv.frame.value.payload], [...video]);
      assert.equal(rv.metadata["bubu.envelope.kind"], "frame");
      assert.equal(rv.metadata.cam, "front");
      assert.equal(rb.frame.case, "binary");
      assert.equal(rb.frame.case === "binary" && rb.frame.value.mimeType, "image/png");
      assert.equal(rb.frame.case === "binary" && rb.frame.value.timestampMs, 7n);
      assert.deepEqual(rb.frame.case === "binary" && [...rb.frame.value.payload], [...png]);
      assert.equal(rb.payload, undefined, "opaque binary carries no Struct");
      assert.equal(rb.metadata.name, "thumb");
      assert.equal(ro.frame.case === "binary" && ro.frame.value.mimeType, "application/vnd.bubu.packet+json");
      const media = ro.payload?.mediaRef as Record<string, unknown>;
      assert.deepEqual(media, {
        frame: "binary",
        ref: { path: store.writes[0]!.key, contentType: "video/mp4", sizeBytes: 20_000 },
        mimeType: "video/mp4",
      });
      assert.ok(
        (ro.frame.case === "binary" ? ro.frame.value.payload.length : Infinity) < 1024,
        "only the reference travels",
      );

      // Connector → SDK: what the engram read back.
      const [ia, iv, ib, io] = received;
      assert.deepEqual(ia.audio, { pcm, sampleRateHz: 16000, channels: 2, codec: "opus", timestampMs: 20 });
      assert.equal(ia.kind, "data");
      assert.equal(ia.messageId, "a-1");
      assert.deepEqual(ia.metadata, { track: "mic" });
      assert.deepEqual(JSON.parse(new TextDecoder().decode(ia.payload)), { text: "hi" });
      assert.deepEqual(iv.video, { payload: video, codec: undefined, width: 4, height: 3, timestampMs: 33, raw: true });
      assert.equal(iv.kind, "frame");
      assert.equal(iv.messageId, "v-1");
      assert.deepEqual(iv.metadata, { cam: "front" });
      assert.deepEqual(ib.binary, { payload: png, mimeType: "image/png", timestampMs: 7 });
      assert.equal(ib.messageId, "b-1");
      assert.deepEqual(ib.metadata, { name: "thumb" });

      const resolved = await resolveMediaMessage(manager, io);
      assert.equal(resolved.messageId, "o-1");
      assert.deepEqual(resolved.metadata, { clip: "1" });
      assert.deepEqual(resolved.binary, { payload: big, mimeType: "video/mp4" });

      stop.abort();
      const outcome = await run;
      assert.equal(outcome.exitCode, 0, String(outcome.error));
    } finally {
      stop.abort();
      await fake.close();
      cleanup();
    }
  });
});
