/**
 * Storage against the real S3 peer (versitygw): every value kind round-trips, objects are checked
 * byte for byte on the peer's disk, and S3 failures become clear Storage errors.
 */

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { goJsonStringify } from "../../src/json/go-json.ts";
import { sha256, toBase64, toHex } from "../../src/storage/bytes.ts";
import { StorageError } from "../../src/storage/errors.ts";
import { md5 } from "../../src/storage/md5.ts";
import { S3ResponseError } from "../../src/storage/s3/s3-store.ts";
import { signV4 } from "../../src/storage/s3/sigv4.ts";
import { requireS3Peer, s3PeerSkip } from "../peers/s3/peer.ts";
import { flakyFetch, peerManager, peerStore, readObjectFile, text, uniqueId } from "./support.ts";

const skip = s3PeerSkip();
const ns = "team-a";

describe("S3 round trips (versitygw)", { skip }, () => {
  const kinds: [string, unknown][] = [
    ["object", { a: 1, b: "x".repeat(2000), c: [1, 2, 3] }],
    ["array", Array.from({ length: 300 }, (_, i) => ({ i, s: `item-${i}` }))],
    ["string", "s".repeat(5000)],
    ["unicode string", "ünïcødé 日本語 😀 <&> \u2028".repeat(200)],
    ["number", 1.5],
    ["bool", true],
    ["null", null],
    ["empty string", ""],
    ["nested map", { level1: { level2: { level3: { text: "deep ".repeat(400) } } } }],
  ];
  for (const [name, value] of kinds) {
    test(name, async (t) => {
      const peer = requireS3Peer(t);
      if (!peer) return;
      const m = peerManager(peer, { maxInlineSize: 1024 });
      const id = `${ns}/${uniqueId("rt")}`;
      const out = await m.dehydrate(value, id, { schema: "bubu://engram/team-a/e/output", schemaVersion: "v1" });
      assert.deepEqual(await m.hydrate(out), value);
      await m.close();
    });
  }

  test("key layout, ref shape and the wrapper bytes on disk", async (t) => {
    const peer = requireS3Peer(t);
    if (!peer) return;
    const m = peerManager(peer, { maxInlineSize: 4096 });
    const sr = uniqueId("sr");
    const big = "<b>" + "é".repeat(3000); // 6003 bytes: over the limit by its UTF-8 length
    const out = (await m.dehydrate({ text: big, n: 1, list: [{ deep: "d".repeat(5000) }] }, `${ns}/${sr}`, {
      schema: "bubu://engram/team-a/e/output",
      schemaVersion: "v2",
    })) as Record<string, unknown>;
    assert.deepEqual(out.text, {
      $bubuStorageRef: `outputs/${ns}/${sr}/text.json`,
      $bubuStorageContentType: "text/plain",
      $bubuStorageSchema: "bubu://engram/team-a/e/output",
      $bubuStorageSchemaVersion: "v2",
    });
    assert.equal(out.n, 1);
    assert.deepEqual((out.list as unknown[])[0], {
      deep: {
        $bubuStorageRef: `outputs/${ns}/${sr}/list.0.deep.json`,
        $bubuStorageContentType: "text/plain",
        $bubuStorageSchema: "bubu://engram/team-a/e/output",
        $bubuStorageSchemaVersion: "v2",
      },
    });
    // Go's json.Marshal(StoredObject{…}): contentType first, HTML characters escaped.
    assert.equal(
      text(readObjectFile(peer, `outputs/${ns}/${sr}/text.json`)),
      `{"contentType":"raw","data":${goJsonStringify(big)}}`,
    );
    assert.ok(
      text(readObjectFile(peer, `outputs/${ns}/${sr}/text.json`)).startsWith(
        '{"contentType":"raw","data":"\\u003cb\\u003e',
      ),
    );

    // Whole-map offload: no child over the limit, the map is.
    const sr2 = uniqueId("sr");
    const whole = { b: "y".repeat(3000), a: "z".repeat(3000) };
    assert.deepEqual(await m.dehydrate(whole, `${ns}/${sr2}`), {
      $bubuStorageRef: `outputs/${ns}/${sr2}/output.json`,
      $bubuStorageContentType: "application/json",
    });
    assert.equal(
      text(readObjectFile(peer, `outputs/${ns}/${sr2}/output.json`)),
      `{"contentType":"json","data":${goJsonStringify(whole)}}`,
    );
    await m.close();
  });

  test("exactly the threshold stays inline; threshold+1 (Go-compatible size) is offloaded", async (t) => {
    const peer = requireS3Peer(t);
    if (!peer) return;
    const m = peerManager(peer, { maxInlineSize: 100 });
    const id = `${ns}/${uniqueId("thr")}`;
    // Strings: UTF-8 bytes of the raw string. "é" is 2 bytes.
    assert.equal(await m.dehydrate("é".repeat(50), id), "é".repeat(50));
    const ref = await m.dehydrate("é".repeat(50) + "x", id);
    assert.equal((ref as Record<string, string>).$bubuStorageRef, `outputs/${id}/output.json`);
    // Maps: Go JSON length, where "<" costs 6 bytes (\u003c), not 1 as in JSON.stringify.
    const atLimit = { k: "<".repeat(15) + "a".repeat(2) }; // {"k":"…"} = 8 + 15*6 + 2 = 100
    assert.equal(goJsonStringify(atLimit).length, 100);
    assert.ok(JSON.stringify(atLimit).length < 100);
    assert.deepEqual(await m.dehydrate(atLimit, id), atLimit);
    const over = { k: "<".repeat(15) + "a".repeat(3) };
    const overRef = (await m.dehydrate(over, id)) as Record<string, string>;
    assert.equal(overRef.$bubuStorageContentType, "application/json");
    assert.deepEqual(await m.hydrate(overRef), over);
    await m.close();
  });

  test("nested refs resolve recursively; $bubuStoragePath selects inside; inputs get input.json", async (t) => {
    const peer = requireS3Peer(t);
    if (!peer) return;
    const m = peerManager(peer, { maxInlineSize: 64 });
    const id = `${ns}/${uniqueId("nest")}`;
    const innerValue = { items: [{ title: "first" }, { title: "second" }], pad: "p".repeat(40) };
    const inner = (await m.dehydrate(innerValue, `${id}/inner`)) as Record<string, string>;
    const innerRef = inner.$bubuStorageRef!;
    assert.equal(innerRef, `outputs/${id}/inner/output.json`);
    // The ref map itself is over 64 bytes, so it is stored too: a ref whose content is a ref.
    const outer = (await m.dehydrate({ wrapped: inner, pad: "q".repeat(40) }, `${id}/outer`)) as Record<
      string,
      unknown
    >;
    assert.equal((outer.wrapped as Record<string, string>).$bubuStorageRef, `outputs/${id}/outer/wrapped.json`);
    assert.deepEqual(await m.hydrate(outer), { wrapped: innerValue, pad: "q".repeat(40) });
    assert.equal(await m.hydrate({ $bubuStorageRef: innerRef, $bubuStoragePath: "items[1].title" }), "second");
    assert.deepEqual(await m.hydrate({ $bubuStorageRef: innerRef, $bubuStoragePath: "items[*].title" }), [
      "first",
      "second",
    ]);
    await assert.rejects(m.hydrate({ $bubuStorageRef: innerRef, $bubuStoragePath: "items[7]" }), {
      message: `failed to resolve storage path 'items[7]' in '${innerRef}': index 7 out of bounds`,
    });
    // Inputs: the whole map goes to output.json; that ref is still over 64 bytes, so the final
    // pass stores it again as input.json.
    const inputs = { a: "1".repeat(40), b: "2".repeat(40) };
    const dehydratedInputs = (await m.dehydrateInputs(inputs, id)) as Record<string, string>;
    assert.equal(dehydratedInputs.$bubuStorageRef, `inputs/${id}/input.json`);
    assert.equal(
      text(readObjectFile(peer, `inputs/${id}/input.json`)),
      `{"contentType":"json","data":{"$bubuStorageContentType":"application/json","$bubuStorageRef":"inputs/${id}/output.json"}}`,
    );
    assert.deepEqual(await m.hydrate(dehydratedInputs), inputs);
    await m.close();
  });

  test("depth limit: hydration fails past it; offload stores the subtree at the boundary", async (t) => {
    const peer = requireS3Peer(t);
    if (!peer) return;
    const m = peerManager(peer, { maxInlineSize: 1 << 20, maxRecursionDepth: 3 });
    const deep = { a: { b: { c: { d: { e: 1 } } } } };
    await assert.rejects(m.hydrate(deep), {
      name: "BubuError",
      type: "validation_error",
      code: "MaxDepth",
      message: "maximum recursion depth (3) exceeded during hydration",
    });
    const id = `${ns}/${uniqueId("depth")}`;
    const out = await m.dehydrate(deep, id);
    assert.deepEqual(out, {
      a: {
        b: { c: { d: { $bubuStorageRef: `outputs/${id}/a.b.c.d.json`, $bubuStorageContentType: "application/json" } } },
      },
    });
    // A chain of refs is bounded by the same depth.
    const chained = peerManager(peer, { maxInlineSize: 0, maxRecursionDepth: 3 });
    let ref: unknown = await chained.dehydrate("leaf", `${id}/c0`);
    for (let i = 1; i <= 4; i++) ref = await chained.dehydrate([ref], `${id}/c${i}`);
    await assert.rejects(chained.hydrate(ref), /maximum recursion depth \(3\) exceeded during hydration/);
    await m.close();
  });

  test("missing object and corrupted wrappers are clear Storage errors", async (t) => {
    const peer = requireS3Peer(t);
    if (!peer) return;
    const m = peerManager(peer);
    const key = `outputs/${ns}/${uniqueId("missing")}/x.json`;
    await assert.rejects(m.hydrate({ v: { $bubuStorageRef: key } }), (err: unknown) => {
      assert.ok(err instanceof StorageError);
      assert.equal(err.structuredError().type, "storage_error");
      assert.match(
        err.message,
        new RegExp(
          `^failed to read offloaded data from '${key}': failed to get object '${key}' from s3 bucket '${peer.bucket}': GetObject: HTTP 404 NoSuchKey`,
        ),
      );
      return true;
    });
    const store = peerStore(peer);
    const put = async (k: string, body: string): Promise<void> => {
      const b = new TextEncoder().encode(body);
      await store.write(
        k,
        b,
        {
          contentType: "application/json",
          contentMd5: () => toBase64(md5(b)),
          checksumSha256: async () => toBase64(await sha256(b)),
        },
        AbortSignal.timeout(10_000),
      );
    };
    const base = `outputs/${ns}/${uniqueId("bad")}`;
    await put(`${base}/a.json`, "{not json");
    await assert.rejects(
      m.hydrate({ $bubuStorageRef: `${base}/a.json` }),
      /^StorageError: failed to unmarshal stored object from '.*a\.json', content may be malformed: /,
    );
    await put(`${base}/b.json`, '{"contentType":"gzip","data":"x"}');
    await assert.rejects(m.hydrate({ $bubuStorageRef: `${base}/b.json` }), {
      message: `unknown content type 'gzip' in stored object '${base}/b.json'`,
    });
    await put(`${base}/c.json`, '{"contentType":"raw","data":5}');
    await assert.rejects(m.hydrate({ $bubuStorageRef: `${base}/c.json` }), /failed to unmarshal hydrated raw content/);
    await put(`${base}/d.json`, "[1,2]");
    await assert.rejects(
      m.hydrate({ $bubuStorageRef: `${base}/d.json` }),
      /cannot unmarshal array into Go value of type storage.StoredObject/,
    );
    await assert.rejects(m.hydrate({ $bubuStorageRef: "../etc/passwd" }), /path traversal detected/);
    await m.close();
  });
});

describe("S3 failures (versitygw)", { skip }, () => {
  test("500 then 200: retried and succeeds", async (t) => {
    const peer = requireS3Peer(t);
    if (!peer) return;
    const flaky = flakyFetch(
      1,
      () => new Response("<Error><Code>InternalError</Code><Message>boom</Message></Error>", { status: 500 }),
    );
    const m = peerManager(peer, { maxInlineSize: 10 }, { fetch: flaky.fetch });
    const id = `${ns}/${uniqueId("retry")}`;
    const ref = await m.dehydrate("retry me please", id);
    assert.equal(flaky.calls(), 2);
    assert.equal(await m.hydrate(ref), "retry me please");
  });

  test("500 on every attempt: bounded, the last error is reported", async (t) => {
    const peer = requireS3Peer(t);
    if (!peer) return;
    const flaky = flakyFetch(
      99,
      () => new Response("<Error><Code>InternalError</Code><Message>still down</Message></Error>", { status: 500 }),
    );
    const m = peerManager(peer, { maxInlineSize: 10 }, { fetch: flaky.fetch, maxAttempts: 3 });
    await assert.rejects(m.dehydrate("x".repeat(20), `${ns}/x`), /PutObject: HTTP 500 InternalError: still down/);
    assert.equal(flaky.calls(), 3);
  });

  test("S3 down: connection refused, bounded attempts and time", async (t) => {
    const peer = requireS3Peer(t);
    if (!peer) return;
    const m = peerManager(peer, {}, { endpoint: "http://127.0.0.1:9", maxAttempts: 3 });
    const t0 = Date.now();
    await assert.rejects(m.hydrate({ $bubuStorageRef: "outputs/x.json" }), (err: unknown) => {
      assert.ok(err instanceof StorageError);
      assert.match(err.message, /GetObject: fetch failed|GetObject: .*(ECONNREFUSED|refused|Connection)/i);
      return true;
    });
    assert.ok(Date.now() - t0 < 5000);
  });

  test("wrong secret: 403 with a clear message, not retried", async (t) => {
    const peer = requireS3Peer(t);
    if (!peer) return;
    const flaky = flakyFetch(0, () => new Response());
    const m = peerManager(
      peer,
      { maxInlineSize: 1 },
      {
        fetch: flaky.fetch,
        credentials: () => Promise.resolve({ accessKeyId: peer.accessKey, secretAccessKey: "wrong" }),
      },
    );
    await assert.rejects(m.dehydrate("abc", `${ns}/x`), (err: unknown) => {
      assert.ok(err instanceof StorageError);
      assert.equal(err.status, 403);
      assert.match(err.message, /PutObject: HTTP 403 SignatureDoesNotMatch.*check the S3 credentials/);
      return true;
    });
    assert.equal(flaky.calls(), 1);
    const unknownKey = peerManager(
      peer,
      {},
      {
        credentials: () => Promise.resolve({ accessKeyId: "nobody", secretAccessKey: "x" }),
      },
    );
    await assert.rejects(
      unknownKey.hydrate({ $bubuStorageRef: "a.json" }),
      /HTTP 403 (InvalidAccessKeyId|AccessDenied)/,
    );
  });

  test("wrong bucket: NoSuchBucket", async (t) => {
    const peer = requireS3Peer(t);
    if (!peer) return;
    const m = peerManager(peer, { maxInlineSize: 1 }, { bucket: "no-such-bucket-here" });
    await assert.rejects(
      m.dehydrate("abc", `${ns}/x`),
      /s3 bucket 'no-such-bucket-here': PutObject: HTTP 404 NoSuchBucket/,
    );
  });
});

describe("S3 multipart (versitygw)", { skip }, () => {
  test("above the part size: multipart upload, bytes intact, nothing left pending", async (t) => {
    const peer = requireS3Peer(t);
    if (!peer) return;
    const ops: string[] = [];
    const m = peerManager(
      peer,
      { maxInlineSize: 1024 },
      {
        partSize: 5 * 1024 * 1024,
        concurrency: 2,
        fetch: (input, init) => {
          const u = new URL(String(input));
          ops.push(
            `${init?.method} ${u.searchParams.has("uploads") ? "create" : u.searchParams.has("partNumber") ? "part" : u.searchParams.has("uploadId") ? "complete" : "object"}`,
          );
          return fetch(input, init);
        },
      },
    );
    const big = Array.from({ length: 12 * 1024 }, (_, i) => `${i}:${"m".repeat(1000)}`).join("\n"); // ~12.1 MB
    const id = `${ns}/${uniqueId("mp")}`;
    const ref = (await m.dehydrate({ big }, id)) as Record<string, Record<string, string>>;
    assert.deepEqual(
      ops.filter((o) => o !== "GET object"),
      ["POST create", "PUT part", "PUT part", "PUT part", "POST complete"],
    );
    const onDisk = readObjectFile(peer, `outputs/${id}/big.json`);
    assert.equal(
      toHex(md5(onDisk)),
      toHex(md5(new TextEncoder().encode(`{"contentType":"raw","data":${goJsonStringify(big)}}`))),
    );
    assert.deepEqual(await m.hydrate(ref), { big });
    await m.close();
  });
});

describe("a bare signed fetch reads the same object (the wire, not our store)", { skip }, () => {
  test("GET with our SigV4 signer and the global fetch", async (t) => {
    const peer = requireS3Peer(t);
    if (!peer) return;
    const m = peerManager(peer, { maxInlineSize: 1 });
    const id = `${ns}/${uniqueId("bare")}`;
    const ref = (await m.dehydrate("hello", id)) as Record<string, string>;
    const url = new URL(`${peer.endpoint}/${peer.bucket}/${ref.$bubuStorageRef}`);
    const signed = await signV4({
      method: "GET",
      url,
      headers: { host: url.host },
      payloadHash: "UNSIGNED-PAYLOAD",
      region: peer.region,
      service: "s3",
      credentials: { accessKeyId: peer.accessKey, secretAccessKey: peer.secretKey },
      now: new Date(),
    });
    delete signed.headers.host;
    const res = await fetch(url, { headers: signed.headers });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/json");
    assert.equal(await res.text(), '{"contentType":"raw","data":"hello"}');
  });
});
