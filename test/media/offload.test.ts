// maybeOffloadBlob and readBlob over the file store: when data is offloaded, the stored bytes,
// content type and MD5/SHA-256 metadata, and readBlob's errors.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { BubuError } from "../../src/errors/bubu-error.ts";
import { type MediaWriteOptions, maybeOffloadBlob } from "../../src/media/offload-blob.ts";
import { readBlob } from "../../src/media/read-blob.ts";
import { parseStorageReference, storageReferenceJson } from "../../src/media/storage-reference.ts";
import { sha256, toBase64 } from "../../src/storage/bytes.ts";
import { StorageError } from "../../src/storage/errors.ts";
import { StorageManager } from "../../src/storage/manager.ts";
import { md5 } from "../../src/storage/md5.ts";
import { FIXED_MICROS, MEDIA_PATH_RE, pattern, recordingFileManager, tempDir } from "./support.ts";

const ids: MediaWriteOptions = {
  namespace: "Team A",
  storyRun: "run-1",
  step: "speak",
  scope: ["mic 1"],
  nowMicros: () => FIXED_MICROS,
};
const noEnv = {};

function storageError(code: string, message: RegExp) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof StorageError, `expected a StorageError, got ${String(err)}`);
    assert.ok(err instanceof BubuError);
    assert.equal(err.type, "storage_error");
    assert.equal(err.code, code);
    assert.match(err.message, message);
    return true;
  };
}

describe("maybeOffloadBlob (file store)", () => {
  test("over the limit: raw bytes stored at the media path; the ref has path, type and size", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const { manager, store } = await recordingFileManager(dir);
      const data = pattern(5000);
      const ref = await maybeOffloadBlob(
        manager,
        data,
        { ...ids, contentType: "audio/L16; rate=16000", inlineLimit: 4096 },
        noEnv,
      );
      assert.ok(ref);
      const secs = Date.UTC(2026, 0, 2, 3, 4, 5) / 1000;
      assert.match(
        ref.path,
        new RegExp(`^streams/team-a/run-1/speak/mic-1/2026/01/02/${secs}-000042-[0-9a-f]{8}\\.bin$`),
      );
      assert.match(ref.path, MEDIA_PATH_RE);
      assert.deepEqual(ref, { path: ref.path, contentType: "audio/L16; rate=16000", sizeBytes: 5000 });
      assert.equal(
        JSON.stringify(storageReferenceJson(ref)),
        `{"path":"${ref.path}","contentType":"audio/L16; rate=16000","sizeBytes":5000}`,
      );
      // The file holds the raw bytes (no StoredObject wrapper).
      assert.deepEqual(new Uint8Array(readFileSync(join(dir, ref.path))), data);
      // Content type and integrity metadata as handed to the store.
      assert.equal(store.writes.length, 1);
      assert.deepEqual(store.writes[0], {
        key: ref.path,
        size: 5000,
        contentType: "audio/L16; rate=16000",
        contentMd5: toBase64(md5(data)),
        checksumSha256: toBase64(await sha256(data)),
      });
      assert.deepEqual(await readBlob(manager, ref), data);
    } finally {
      cleanup();
    }
  });

  test("the limit is inclusive: len == limit stays inline, limit + 1 is offloaded", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const { manager, store } = await recordingFileManager(dir);
      assert.equal(await maybeOffloadBlob(manager, pattern(100), { ...ids, inlineLimit: 100 }, noEnv), undefined);
      assert.ok(await maybeOffloadBlob(manager, pattern(101), { ...ids, inlineLimit: 100 }, noEnv));
      assert.equal(store.writes.length, 1);
    } finally {
      cleanup();
    }
  });

  test("env precedence reaches the write decision; the default is 48 KiB", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const { manager, store } = await recordingFileManager(dir);
      const data = pattern(300);
      assert.equal(
        await maybeOffloadBlob(manager, data, ids, { BUBU_MEDIA_INLINE_SIZE: "300", BUBU_MAX_INLINE_SIZE: "10" }),
        undefined,
      );
      assert.ok(await maybeOffloadBlob(manager, data, ids, { BUBU_MEDIA_INLINE_SIZE: "299" }));
      assert.ok(
        await maybeOffloadBlob(manager, data, ids, { BUBU_MEDIA_INLINE_SIZE: "junk", BUBU_MAX_INLINE_SIZE: "10" }),
      );
      assert.equal(
        await maybeOffloadBlob(manager, data, { ...ids, inlineLimit: 1000 }, { BUBU_MEDIA_INLINE_SIZE: "1" }),
        undefined,
      );
      assert.equal(await maybeOffloadBlob(manager, pattern(48 * 1024), ids, noEnv), undefined);
      assert.ok(await maybeOffloadBlob(manager, pattern(48 * 1024 + 1), ids, { BUBU_MAX_INLINE_SIZE: "0" }));
      assert.equal(store.writes.length, 3);
    } finally {
      cleanup();
    }
  });

  test("default content type; a blank one counts as unset", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const { manager, store } = await recordingFileManager(dir);
      const a = await maybeOffloadBlob(manager, pattern(10), { ...ids, inlineLimit: 1 }, noEnv);
      const b = await maybeOffloadBlob(manager, pattern(10), { ...ids, inlineLimit: 1, contentType: "  " }, noEnv);
      assert.equal(a?.contentType, "application/octet-stream");
      assert.equal(b?.contentType, "application/octet-stream");
      assert.deepEqual(
        store.writes.map((w) => w.contentType),
        ["application/octet-stream", "application/octet-stream"],
      );
      assert.notEqual(a?.path, b?.path, "the random suffix keeps same-instant paths apart");
    } finally {
      cleanup();
    }
  });

  test("the real clock: today's UTC date and a matching unix second", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const { manager } = await recordingFileManager(dir);
      const before = Math.floor(Date.now() / 1000);
      const ref = await maybeOffloadBlob(
        manager,
        pattern(2),
        { namespace: "n", storyRun: "r", step: "s", inlineLimit: 1 },
        noEnv,
      );
      const after = Math.floor(Date.now() / 1000);
      const m = MEDIA_PATH_RE.exec(ref!.path);
      assert.ok(m, ref!.path);
      const secs = Number(m[4]);
      assert.ok(secs >= before && secs <= after);
      assert.equal(`${m[1]}-${m[2]}-${m[3]}`, new Date(secs * 1000).toISOString().slice(0, 10));
    } finally {
      cleanup();
    }
  });

  test("storage disabled or empty data: nothing written, undefined", async () => {
    const big = pattern(100_000);
    assert.equal(await maybeOffloadBlob(undefined, big, { ...ids, inlineLimit: 1 }, noEnv), undefined);
    assert.equal(await maybeOffloadBlob(new StorageManager(), big, { ...ids, inlineLimit: 1 }, noEnv), undefined);
    const { dir, cleanup } = tempDir();
    try {
      const { manager, store } = await recordingFileManager(dir);
      assert.equal(await maybeOffloadBlob(manager, new Uint8Array(0), { ...ids, inlineLimit: 1 }, noEnv), undefined);
      assert.equal(store.writes.length, 0);
    } finally {
      cleanup();
    }
  });

  test("an aborted signal fails the write with a StorageError", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const { manager } = await recordingFileManager(dir);
      await assert.rejects(
        maybeOffloadBlob(manager, pattern(10), { ...ids, inlineLimit: 1, signal: AbortSignal.abort() }, noEnv),
        (err: unknown) => err instanceof StorageError && /failed to write blob/.test(err.message),
      );
    } finally {
      cleanup();
    }
  });
});

describe("readBlob errors", () => {
  test("missing path, then storage disabled, then invalid paths (Go's order and texts)", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const { manager } = await recordingFileManager(dir);
      const disabled = new StorageManager();
      await assert.rejects(
        readBlob(manager, undefined),
        storageError("MissingPath", /^storage reference missing path$/),
      );
      await assert.rejects(
        readBlob(manager, { path: "  " }),
        storageError("MissingPath", /^storage reference missing path$/),
      );
      await assert.rejects(
        readBlob(disabled, { path: "" }),
        storageError("MissingPath", /missing path/),
        "missing path is checked first",
      );
      await assert.rejects(
        readBlob(disabled, { path: "streams/a.bin" }),
        storageError("StorageDisabled", /^storage is disabled$/),
      );
      await assert.rejects(
        readBlob(undefined, { path: "streams/a.bin" }),
        storageError("StorageDisabled", /^storage is disabled$/),
      );
      await assert.rejects(
        readBlob(manager, { path: "/etc/passwd" }),
        storageError("InvalidPath", /absolute paths not allowed/),
      );
      await assert.rejects(
        readBlob(manager, { path: "C:/x.bin" }),
        storageError("InvalidPath", /absolute paths not allowed/),
      );
      await assert.rejects(
        readBlob(manager, { path: "streams/../../x.bin" }),
        storageError("InvalidPath", /path traversal detected/),
      );
      await assert.rejects(
        readBlob(manager, { path: "streams\\..\\x.bin" }),
        storageError("InvalidPath", /path traversal detected/),
      );
      await assert.rejects(
        readBlob(manager, { path: "streams/none.bin" }),
        storageError("NotFound", /failed to read blob/),
      );
    } finally {
      cleanup();
    }
  });
});

describe("StorageReference JSON", () => {
  test("omitempty on write; unknown keys ignored and types checked on read", () => {
    assert.equal(JSON.stringify(storageReferenceJson({ path: "p", contentType: "", sizeBytes: 0 })), '{"path":"p"}');
    assert.deepEqual(parseStorageReference({ path: "p", contentType: "a/b", sizeBytes: 3, extra: true }), {
      path: "p",
      contentType: "a/b",
      sizeBytes: 3,
    });
    assert.deepEqual(parseStorageReference({}), { path: "" });
    for (const bad of [
      null,
      [],
      "p",
      { path: 1 },
      { path: "p", sizeBytes: "3" },
      { path: "p", sizeBytes: 1.5 },
      { path: "p", contentType: 5 },
    ]) {
      assert.throws(
        () => parseStorageReference(bad),
        storageError("InvalidReference", /invalid storage reference/),
        JSON.stringify(bad),
      );
    }
  });
});
