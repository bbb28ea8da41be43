/** The file provider (atomic writes, no escape from the root), storage disabled, env → manager, credential order. */

import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { loadEnv } from "../../src/env/load.ts";
import { detectRuntime } from "../../src/runtime/detect.ts";
import { createStorageManager } from "../../src/storage/create-manager.ts";
import { StorageError } from "../../src/storage/errors.ts";
import { createFileStore } from "../../src/storage/file-store.ts";
import { StorageManager } from "../../src/storage/manager.ts";
import { resolveS3Endpoint, s3SettingsFromEnv } from "../../src/storage/s3/config.ts";
import { resolveCredentials } from "../../src/storage/s3/credentials.ts";
import { S3Store } from "../../src/storage/s3/s3-store.ts";
import { fileManager, tempDir } from "./support.ts";

const meta = { contentType: "application/json", contentMd5: () => "", checksumSha256: () => Promise.resolve("") };
const sig = (): AbortSignal => AbortSignal.timeout(10_000);

describe("file provider", () => {
  test("round trip, key layout and wrapper bytes on disk; no temp files left", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const m = await fileManager(dir, { maxInlineSize: 10 });
      const ref = (await m.dehydrate({ note: "a <long> note" }, "ns/sr")) as Record<string, unknown>;
      assert.deepEqual(ref, {
        note: { $bubuStorageRef: "outputs/ns/sr/note.json", $bubuStorageContentType: "text/plain" },
      });
      assert.equal(
        readFileSync(join(dir, "outputs/ns/sr/note.json"), "utf8"),
        '{"contentType":"raw","data":"a \\u003clong\\u003e note"}',
      );
      assert.deepEqual(readdirSync(join(dir, "outputs/ns/sr")), ["note.json"]);
      assert.deepEqual(await m.hydrate(ref), { note: "a <long> note" });
    } finally {
      cleanup();
    }
  });

  test("a rewrite replaces the file atomically (rename), never leaving a partial file", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const store = await createFileStore(detectRuntime().fs, dir);
      const enc = new TextEncoder();
      await store.write("k/a.json", enc.encode("first"), meta, sig());
      const ino = (p: string): string => readFileSync(p, "utf8");
      await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.write("k/a.json", enc.encode(`v${i}-`.repeat(10_000)), meta, sig())),
      );
      const final = ino(join(dir, "k/a.json"));
      assert.match(final, /^(v\d+-){10000}$/);
      assert.deepEqual(readdirSync(join(dir, "k")), ["a.json"]);
    } finally {
      cleanup();
    }
  });

  test("path escapes are rejected: .., absolute, backslashes, symlinks out (dirs and files)", async () => {
    const { dir, cleanup } = tempDir();
    const outside = tempDir();
    try {
      const root = join(dir, "root");
      const store = await createFileStore(detectRuntime().fs, root);
      writeFileSync(join(outside.dir, "secret.json"), '{"contentType":"raw","data":"secret"}');
      symlinkSync(outside.dir, join(root, "out"));
      symlinkSync(join(outside.dir, "secret.json"), join(root, "leak.json"));
      mkdirSync(join(root, "in"));
      writeFileSync(join(root, "in/ok.json"), '{"contentType":"raw","data":"fine"}');
      symlinkSync(join(root, "in"), join(root, "inner-link"));
      const b = new TextEncoder().encode("x");
      for (const key of ["../x.json", "a/../../x.json", "/etc/passwd", "a\\..\\..\\x", ""]) {
        await assert.rejects(store.write(key, b, meta, sig()), StorageError, key);
        await assert.rejects(store.read(key, sig()), StorageError, key);
      }
      await assert.rejects(store.write("out/evil.json", b, meta, sig()), /symlink points outside the storage root/);
      assert.equal(existsSync(join(outside.dir, "evil.json")), false);
      await assert.rejects(store.write("out/sub/deeper.json", b, meta, sig()), /symlink points outside/);
      assert.equal(existsSync(join(outside.dir, "sub")), false);
      await assert.rejects(store.read("out/secret.json", sig()), /symlink points outside/);
      await assert.rejects(store.read("leak.json", sig()), /symlink points outside/);
      await assert.rejects(store.delete("out/secret.json", sig()), /symlink points outside/);
      assert.equal(existsSync(join(outside.dir, "secret.json")), true);
      // A symlink that stays inside the root is fine.
      const m = new StorageManager({ store });
      assert.equal(await m.hydrate({ $bubuStorageRef: "inner-link/ok.json" }), "fine");
      // Through the manager the same keys fail as refs, before the store is asked.
      await assert.rejects(
        m.hydrate({ $bubuStorageRef: "out/secret.json" }),
        /failed to read offloaded data from 'out\/secret.json'/,
      );
    } finally {
      cleanup();
      outside.cleanup();
    }
  });

  test("a missing file is a Storage error; deleting a missing file is not", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const m = await fileManager(dir);
      await assert.rejects(m.hydrate({ $bubuStorageRef: "outputs/none.json" }), (err: unknown) => {
        assert.ok(err instanceof StorageError);
        assert.equal(err.code, "NotFound");
        assert.match(err.message, /^failed to read offloaded data from 'outputs\/none.json': failed to read file/);
        return true;
      });
      await m.store!.delete("outputs/none.json", sig());
    } finally {
      cleanup();
    }
  });
});

describe("storage disabled (provider none)", () => {
  test("a ref present is a clear Storage error; no refs pass through", async () => {
    const m = new StorageManager({ maxInlineSize: 16 });
    await assert.rejects(m.hydrate({ a: [{ $bubuStorageRef: "x.json" }] }), {
      name: "StorageError",
      message: "found storage reference in inputs but storage is disabled (set BUBU_STORAGE_PROVIDER=s3 or file)",
    });
    assert.deepEqual(await m.hydrate({ a: { $bubuStorageRef: "x", other: 1 } }), {
      a: { $bubuStorageRef: "x", other: 1 },
    });
  });
  test("output over the limit: Go's error text; at the limit: unchanged", async () => {
    const m = new StorageManager({ maxInlineSize: 16 });
    assert.deepEqual(await m.dehydrate({ s: "12345678" }, "ns/sr"), { s: "12345678" }); // {"s":"12345678"} is 16 bytes
    await assert.rejects(m.dehydrate({ s: "123456789" }, "ns/sr"), {
      message:
        "output size 17 bytes exceeds inline limit 16 and storage is disabled; either enable storage " +
        "(BUBU_STORAGE_PROVIDER=s3|file), increase limit (BUBU_MAX_INLINE_SIZE=17 or higher), or reduce output size",
    });
    await assert.rejects(m.writeBlob("a.log", "text/plain", new Uint8Array(1)), /storage is disabled/);
  });
});

describe("manager from env", () => {
  const rt = detectRuntime();
  test("file provider needs BUBU_STORAGE_PATH", async () => {
    await assert.rejects(createStorageManager(rt, loadEnv({ BUBU_STORAGE_PROVIDER: "file" })), {
      message: "BUBU_STORAGE_PROVIDER is set to 'file' but BUBU_STORAGE_PATH is not set",
    });
  });
  test("s3 needs a bucket; half-set BUBU_S3_* keys; TLS/scheme mismatch", async () => {
    await assert.rejects(createStorageManager(rt, loadEnv({ BUBU_STORAGE_PROVIDER: "s3" })), {
      message: "failed to initialize S3 storage: s3 storage is enabled but BUBU_STORAGE_S3_BUCKET is not set",
    });
    await assert.rejects(
      createStorageManager(
        rt,
        loadEnv({ BUBU_STORAGE_PROVIDER: "s3", BUBU_STORAGE_S3_BUCKET: "b", BUBU_S3_ACCESS_KEY_ID: "id" }),
      ),
      {
        message:
          "failed to initialize S3 storage: BUBU_S3_SECRET_ACCESS_KEY must be set when providing explicit S3 credentials",
      },
    );
    assert.throws(() => resolveS3Endpoint("https://minio:9000", false), {
      message: 'BUBU_S3_TLS=false requires http endpoint scheme, but got "https"',
    });
    assert.equal(resolveS3Endpoint("minio:9000", false), "http://minio:9000");
    assert.equal(resolveS3Endpoint("minio:9000", undefined), "https://minio:9000");
  });
  test("settings: region fallback, path style with an endpoint, part size and concurrency", () => {
    const s = s3SettingsFromEnv(
      loadEnv({
        BUBU_STORAGE_PROVIDER: "s3",
        BUBU_STORAGE_S3_BUCKET: "b",
        BUBU_STORAGE_S3_ENDPOINT: "minio.local:9000",
        BUBU_S3_TLS: "false",
        AWS_REGION: "eu-west-3",
        BUBU_S3_MAX_PART_SIZE: "6291456",
        BUBU_S3_CONCURRENCY: "2",
      }),
    );
    assert.equal(s.region, "eu-west-3");
    assert.equal(s.endpoint, "http://minio.local:9000");
    assert.equal(s.forcePathStyle, true);
    assert.equal(s.partSize, 6291456);
    assert.equal(s.concurrency, 2);
  });
  test("addressing: path style and virtual-hosted, with and without an endpoint", () => {
    const base = {
      bucket: "bk",
      region: "eu-west-1",
      maxAttempts: 1,
      maxBackoffMs: 1,
      requestTimeoutMs: 1,
      partSize: 1,
      concurrency: 1,
      sse: undefined,
      sseKmsKey: undefined,
      credentials: () => Promise.resolve(undefined),
      fetch,
    };
    assert.equal(
      new S3Store({ ...base, endpoint: "http://h:9000", forcePathStyle: true }).objectUrl("a b/c.json").href,
      "http://h:9000/bk/a%20b/c.json",
    );
    assert.equal(
      new S3Store({ ...base, endpoint: "http://h:9000", forcePathStyle: false }).objectUrl("k").href,
      "http://bk.h:9000/k",
    );
    assert.equal(
      new S3Store({ ...base, endpoint: undefined, forcePathStyle: false }).objectUrl("k").href,
      "https://bk.s3.eu-west-1.amazonaws.com/k",
    );
    assert.equal(
      new S3Store({ ...base, endpoint: undefined, forcePathStyle: true }).objectUrl("k").href,
      "https://s3.eu-west-1.amazonaws.com/bk/k",
    );
  });
});

describe("S3 credential order (DESIGN.md)", () => {
  const common = {
    region: "us-east-1",
    readTextFile: (p: string) => Promise.resolve(`token-from:${p}`),
    fetch: () => Promise.reject(new Error("no network in this test")),
  };
  const all = {
    bubu: { accessKeyId: "BUBU", secretAccessKey: "bs" },
    aws: { accessKeyId: "AWS", secretAccessKey: "as", sessionToken: "ast" },
    webIdentity: { tokenFile: "/t", roleArn: "arn:aws:iam::1:role/r" },
  };
  const sig = AbortSignal.timeout(5000);
  test("BUBU_S3_* first", async () => {
    const r = resolveCredentials({ ...common, ...all, customEndpoint: true });
    assert.equal(r.source, "bubu-env");
    assert.deepEqual(await r.provider(sig), { accessKeyId: "BUBU", secretAccessKey: "bs" });
  });
  test("then AWS_* (even with a custom endpoint, unlike Go)", async () => {
    const r = resolveCredentials({ ...common, ...all, bubu: {}, customEndpoint: true });
    assert.equal(r.source, "aws-env");
    assert.deepEqual(await r.provider(sig), { accessKeyId: "AWS", secretAccessKey: "as", sessionToken: "ast" });
  });
  test("then the web-identity token file (STS AssumeRoleWithWebIdentity, cached)", async () => {
    let calls = 0;
    let body = "";
    const r = resolveCredentials({
      ...common,
      ...all,
      bubu: {},
      aws: {},
      customEndpoint: false,
      stsEndpoint: "http://sts.test",
      fetch: async (input, init) => {
        calls++;
        body = String(init?.body);
        assert.equal(String(input), "http://sts.test/");
        return new Response(
          `<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>ASIA1</AccessKeyId>` +
            `<SecretAccessKey>s&amp;1</SecretAccessKey><SessionToken>tok</SessionToken><Expiration>2999-01-01T00:00:00Z</Expiration>` +
            `</Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>`,
        );
      },
    });
    assert.equal(r.source, "web-identity");
    assert.deepEqual(await r.provider(sig), { accessKeyId: "ASIA1", secretAccessKey: "s&1", sessionToken: "tok" });
    await r.provider(sig);
    assert.equal(calls, 1);
    const form = new URLSearchParams(body);
    assert.equal(form.get("Action"), "AssumeRoleWithWebIdentity");
    assert.equal(form.get("RoleArn"), "arn:aws:iam::1:role/r");
    assert.equal(form.get("WebIdentityToken"), "token-from:/t");
  });
  test("anonymous only with a custom endpoint; otherwise a clear error at first use", async () => {
    const anon = resolveCredentials({ ...common, bubu: {}, aws: {}, customEndpoint: true });
    assert.equal(anon.source, "anonymous");
    assert.equal(await anon.provider(sig), undefined);
    const none = resolveCredentials({ ...common, bubu: {}, aws: { accessKeyId: "only-id" }, customEndpoint: false });
    assert.equal(none.source, "none");
    await assert.rejects(none.provider(sig), /no S3 credentials found/);
  });
});
