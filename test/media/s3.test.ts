// Media blobs on the real S3 peer (versitygw): the round trip, the raw bytes on the peer's disk,
// and the content type and MD5/SHA-256 the peer stored (read back with a signed HEAD).

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { audioMessage } from "../../src/media/frames.ts";
import { offloadMediaMessage, resolveMediaMessage } from "../../src/media/media-message.ts";
import { maybeOffloadBlob } from "../../src/media/offload-blob.ts";
import { readBlob } from "../../src/media/read-blob.ts";
import { sha256, toBase64, toHex } from "../../src/storage/bytes.ts";
import { md5 } from "../../src/storage/md5.ts";
import { signV4 } from "../../src/storage/s3/sigv4.ts";
import { requireS3Peer, type S3Peer, s3PeerSkip } from "../peers/s3/peer.ts";
import { peerManager, readObjectFile, uniqueId } from "../storage/support.ts";
import { pattern } from "./support.ts";

const skip = s3PeerSkip();

async function head(peer: S3Peer, key: string): Promise<Response> {
  const url = new URL(`${peer.endpoint}/${peer.bucket}/${key}`);
  const signed = await signV4({
    method: "HEAD",
    url,
    headers: { host: url.host, "x-amz-checksum-mode": "ENABLED" },
    payloadHash: "UNSIGNED-PAYLOAD",
    region: peer.region,
    service: "s3",
    credentials: { accessKeyId: peer.accessKey, secretAccessKey: peer.secretKey },
    now: new Date(),
  });
  delete signed.headers.host;
  return await fetch(url, { method: "HEAD", headers: signed.headers });
}

describe("media blobs on S3 (versitygw)", { skip }, () => {
  test("offload, raw bytes on the peer, stored content type, MD5 and SHA-256, read back", async (t) => {
    const peer = requireS3Peer(t);
    if (!peer) return;
    const m = peerManager(peer);
    try {
      const data = pattern(200_000, 3);
      const storyRun = uniqueId("run");
      const ref = await maybeOffloadBlob(
        m,
        data,
        { namespace: "team-a", storyRun, step: "camera", scope: ["cam 1"], contentType: "video/h264" },
        {},
      );
      assert.ok(ref);
      assert.match(
        ref.path,
        new RegExp(`^streams/team-a/${storyRun}/camera/cam-1/\\d{4}/\\d{2}/\\d{2}/\\d+-\\d{6}-[0-9a-f]{8}\\.bin$`),
      );
      assert.deepEqual(ref, { path: ref.path, contentType: "video/h264", sizeBytes: 200_000 });
      assert.deepEqual(readObjectFile(peer, ref.path), data, "the object is the raw bytes, no wrapper");

      const res = await head(peer, ref.path);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "video/h264");
      assert.equal(res.headers.get("content-length"), "200000");
      // A single PUT's ETag is the hex MD5 the peer verified against our Content-MD5.
      assert.equal(res.headers.get("etag")?.replaceAll('"', ""), toHex(md5(data)));
      assert.equal(res.headers.get("x-amz-checksum-sha256"), toBase64(await sha256(data)));

      assert.deepEqual(await readBlob(m, ref), data);
      await assert.rejects(readBlob(m, { path: `streams/team-a/${storyRun}/missing.bin` }), /failed to read blob/);
    } finally {
      await m.close();
    }
  });

  test("an offloaded audio message resolves back to the same frame", async (t) => {
    const peer = requireS3Peer(t);
    if (!peer) return;
    const m = peerManager(peer);
    try {
      const pcm = pattern(64_000, 9);
      const msg = audioMessage(pcm, {
        sampleRateHz: 16000,
        channels: 2,
        codec: "pcm16",
        timestampMs: 40,
        metadata: { track: "a" },
      });
      const ref = await offloadMediaMessage(
        m,
        msg,
        { namespace: "team-a", storyRun: uniqueId("run"), step: "mic" },
        {},
      );
      assert.equal(ref.audio, undefined);
      const back = await resolveMediaMessage(m, ref);
      assert.deepEqual(back, {
        kind: "data",
        metadata: { track: "a" },
        audio: { pcm, sampleRateHz: 16000, channels: 2, codec: "pcm16", timestampMs: 40 },
      });
    } finally {
      await m.close();
    }
  });
});
