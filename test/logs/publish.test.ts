// The public log API: unavailability, content types, file checks before anything else, and the
// wire against the real API server with file storage and with the S3 peer: the raw blob at the
// contract's path and `StepRun.status.logs` pointing at it.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { clusterCapabilities } from "../../src/context/cluster-capabilities.ts";
import { loadEnv } from "../../src/env/load.ts";
import type { KubeClient } from "../../src/k8s/client.ts";
import type { StepRunTarget } from "../../src/k8s/steprun-target.ts";
import { LogFileError, LogsUnavailableError } from "../../src/logs/errors.ts";
import { type LogDestination, publishLogs, readLogFile } from "../../src/logs/publish.ts";
import { detectRuntime } from "../../src/runtime/detect.ts";
import { logUnixNano } from "../../src/storage/logs.ts";
import { StorageManager } from "../../src/storage/manager.ts";
import { signV4 } from "../../src/storage/s3/sigv4.ts";
import { k8sPeerSkip, requireK8sPeer } from "../peers/k8s/peer.ts";
import { requireS3Peer, s3PeerSkip } from "../peers/s3/peer.ts";
import { createStepRun, peerClient, statusOf, targetOf } from "../signals/k8s-support.ts";
import { fileManager, peerManager, readObjectFile } from "../storage/support.ts";
import { runScript } from "../support/spawn.ts";

const base = realpathSync(mkdtempSync(join(tmpdir(), "bubu-logs-pub-")));
after(() => rmSync(base, { recursive: true, force: true }));
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

/** A client that fails the test if anything calls it. */
const untouchable = new Proxy(
  {},
  {
    get(_t, prop) {
      if (prop === "then") return undefined;
      throw new Error(`the Kubernetes client was used (${String(prop)})`);
    },
  },
) as KubeClient;

function fakeTarget(name: string, env: Record<string, string> = {}): StepRunTarget {
  return { client: untouchable, namespace: "ns", name, env: (n) => env[n] };
}

/** Where `ctx.logs` of a run with `env` writes: `target`, `storage`, the env. */
function destination(target: StepRunTarget, storage: StorageManager, env: Record<string, string> = {}): LogDestination {
  return { target, storage: () => Promise.resolve(storage), env: loadEnv(env) };
}

/** The cluster capabilities of a run whose StepRun name is `name` (blank: none). */
function capsFor(name: string, env: Record<string, string> = {}, storage = new StorageManager()) {
  const rt = detectRuntime();
  return clusterCapabilities({
    target: () => Promise.resolve(name.trim() === "" ? undefined : fakeTarget(name, env)),
    logs: { storage: () => Promise.resolve(storage), env: loadEnv(env), fs: rt.fs, cwd: rt.cwd(), tempDir: "/tmp" },
  });
}

describe("log publishing without a cluster", () => {
  test("an empty payload is a no-op", async () => {
    assert.equal(await publishLogs(destination(fakeTarget("sr"), new StorageManager()), ""), undefined);
    assert.equal(
      await publishLogs(destination(fakeTarget("sr"), new StorageManager()), new Uint8Array(0), {
        contentType: "text/csv",
      }),
      undefined,
    );
  });

  test("log object names: Unix ns, strictly increasing even within one millisecond", () => {
    const names = Array.from({ length: 2000 }, () => logUnixNano());
    for (let i = 1; i < names.length; i++) assert.ok(names[i]! > names[i - 1]!, `name ${i} after ${i - 1}`);
    const ms = Number(names[0]! / 1_000_000n);
    assert.ok(Math.abs(ms - Date.now()) < 5_000, "close to the wall clock");
  });

  test("no StepRun name: LogsUnavailableError with Go's message", async () => {
    await assert.rejects(capsFor("  ").logs.publish("x"), (err: unknown) => {
      assert.ok(err instanceof LogsUnavailableError);
      assert.equal(err.message, "log publishing unavailable: not running inside a StepRun or storage disabled");
      assert.equal(err.name, "LogsUnavailableError");
      return true;
    });
  });

  test("storage disabled: LogsUnavailableError, no status write", async () => {
    await assert.rejects(publishLogs(destination(fakeTarget("sr"), new StorageManager()), "x"), LogsUnavailableError);
    await assert.rejects(capsFor("sr").logs.publish("x"), LogsUnavailableError);
  });

  test("logs.publishFile checks the file first: outside the roots or over the cap fails before the StepRun check", async () => {
    writeFileSync(join(base, "ok.log"), "abcd");
    const env = { BUBU_LOG_ALLOWED_ROOTS: base, BUBU_LOG_FILE_MAX_BYTES: "4" };
    await assert.rejects(
      capsFor("", env).logs.publishFile(join(base, "ok.log")),
      LogsUnavailableError,
      "file accepted",
    );
    await assert.rejects(
      capsFor("", env).logs.publishFile("/etc/passwd"),
      (err: unknown) => err instanceof LogFileError && err.code === "OutsideRoots",
    );
    await assert.rejects(
      capsFor("", { ...env, BUBU_LOG_FILE_MAX_BYTES: "3" }).logs.publishFile(join(base, "ok.log")),
      /^LogFileError: log file exceeds max bytes \(4 > 3\)$/,
    );
    const rt = detectRuntime();
    assert.equal(
      text(await readLogFile({ fs: rt.fs, cwd: rt.cwd(), tempDir: "/tmp", env: loadEnv(env) }, join(base, "ok.log"))),
      "abcd",
    );
  });
});

const k8sSkip = k8sPeerSkip();
const ns = `logs-${randomBytes(3).toString("hex")}`;
const clients: KubeClient[] = [];
async function client(): Promise<KubeClient> {
  const peer = requireK8sPeer();
  if (!peer) throw new Error("unreachable: skipped without a peer");
  const c = await peerClient(peer.kubeconfigPath);
  clients.push(c);
  return c;
}
after(async () => {
  for (const c of clients) await c.close();
});

/** The env an operator gives the engram's pod. */
function podEnv(name: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    BUBU_STEPRUN_NAME: name,
    BUBU_STEPRUN_NAMESPACE: ns,
    BUBU_STORYRUN_ID: "run 1",
    BUBU_STEP_NAME: "step_a",
    BUBU_STORY_NAME: "story-x",
    BUBU_ENGRAM_NAME: "my-engram",
    BUBU_ENGRAM_VERSION: "1.2.3",
    ...extra,
  };
}

/** `<ns>/logs/<storyRun>/<step>/<stepRun>/<unixNano>.log`, the segments sanitized. */
function assertLogPath(path: string, name: string): void {
  const m = new RegExp(`^${ns}/logs/run-1/step_a/${name}/(\\d{19})\\.log$`).exec(path);
  assert.ok(m, `log path ${path}`);
  const ms = Number(BigInt(m[1]!) / 1_000_000n);
  assert.ok(Math.abs(ms - Date.now()) < 120_000, "the object is named by the Unix time in ns");
}

describe("log publishing against the real API server (file storage)", { skip: k8sSkip }, () => {
  test("publishLogs: raw blob at the contract path, status.logs points at it, nothing else changes", async () => {
    const c = await client();
    const name = `sr-${randomBytes(4).toString("hex")}`;
    await createStepRun(c, ns, name, { phase: "Running", retries: 2 });
    const dir = join(base, name);
    const storage = await fileManager(dir);
    try {
      const ctx = destination(targetOf(c, ns, name, podEnv(name)), storage, podEnv(name));
      const payload = 'plain text\n{"level":"INFO","msg":"héllo <&>"}\n';
      const ref = await publishLogs(ctx, payload);
      assert.ok(ref);
      assertLogPath(ref.path, name);
      assert.equal(
        readFileSync(join(dir, ref.path), "utf8"),
        payload,
        "stored as given: no StoredObject wrapper, no rewriting",
      );
      const status = await statusOf(c, ns, name);
      assert.deepEqual(status.logs, {
        $bubuStorageRef: ref.path,
        $bubuStorageContentType: "text/plain; charset=utf-8",
        $bubuStorageSchema: `bubu://engram/${ns}/my-engram/logs`,
        $bubuStorageSchemaVersion: "1.2.3",
      });
      assert.equal(status.phase, "Running", "the log patch carries no phase");
      assert.equal(status.retries, 2);

      // A second publish replaces the ref; a custom content type is stored as given (trimmed).
      const ndjson = await publishLogs(ctx, new TextEncoder().encode('{"a":1}\n'), {
        contentType: "  application/x-ndjson ",
      });
      assert.ok(ndjson);
      assert.notEqual(ndjson.path, ref.path, "a later publish never overwrites an earlier object");
      assert.equal((await statusOf(c, ns, name)).logs.$bubuStorageContentType, "application/x-ndjson");
      assert.equal((await statusOf(c, ns, name)).logs.$bubuStorageRef, ndjson.path);
      assert.equal(readFileSync(join(dir, ref.path), "utf8"), payload, "the earlier object is kept");

      // A blank content type is the default.
      const blank = await publishLogs(ctx, "x", { contentType: "   " });
      assert.equal(blank?.contentType, "text/plain; charset=utf-8");
    } finally {
      await storage.close();
    }
  });

  test("schema fallbacks: story/step schema id; no version key without a version", async () => {
    const c = await client();
    const name = `sr-${randomBytes(4).toString("hex")}`;
    await createStepRun(c, ns, name);
    const storage = await fileManager(join(base, name));
    try {
      const env = podEnv(name);
      delete env.BUBU_ENGRAM_NAME;
      await publishLogs(destination(targetOf(c, ns, name, env), storage, env), "one");
      assert.equal(
        (await statusOf(c, ns, name)).logs.$bubuStorageSchema,
        `bubu://story/${ns}/story-x/steps/step_a/logs`,
      );
      delete env.BUBU_ENGRAM_VERSION;
      const ref = await publishLogs(destination(targetOf(c, ns, name, env), storage, env), "two");
      assert.deepEqual(
        (await statusOf(c, ns, name)).logs,
        {
          $bubuStorageRef: ref!.path,
          $bubuStorageContentType: "text/plain; charset=utf-8",
          $bubuStorageSchema: `bubu://story/${ns}/story-x/steps/step_a/logs`,
        },
        "the earlier version key is removed, not left behind",
      );
    } finally {
      await storage.close();
    }
  });

  test("publishLogFile: the file's bytes are published; a refused file writes nothing", async () => {
    const c = await client();
    const name = `sr-${randomBytes(4).toString("hex")}`;
    await createStepRun(c, ns, name);
    const dir = join(base, name);
    const storage = await fileManager(dir);
    try {
      const logFile = join(base, `${name}.log`);
      const bytes = new Uint8Array([0x7b, 0x7d, 0x0a, 0xff, 0x00]);
      writeFileSync(logFile, bytes);
      const env = podEnv(name, { BUBU_LOG_ALLOWED_ROOTS: base });
      const rt = detectRuntime();
      const files = { fs: rt.fs, cwd: rt.cwd(), tempDir: "/tmp", env: loadEnv(env) };
      const ref = await publishLogs(
        destination(targetOf(c, ns, name, env), storage, env),
        await readLogFile(files, logFile),
        { contentType: "application/octet-stream" },
      );
      assert.ok(ref);
      assert.deepEqual(new Uint8Array(readFileSync(join(dir, ref.path))), bytes);
      assert.equal((await statusOf(c, ns, name)).logs.$bubuStorageContentType, "application/octet-stream");

      await assert.rejects(
        readLogFile({ ...files, env: loadEnv({ ...env, BUBU_LOG_FILE_MAX_BYTES: "4" }) }, logFile),
        LogFileError,
      );
      assert.equal((await statusOf(c, ns, name)).logs.$bubuStorageRef, ref.path, "status unchanged");
    } finally {
      await storage.close();
    }
  });

  test("ctx.logs in an engram run from the process env (BUBU_STEPRUN_NAME, KUBECONFIG, BUBU_STORAGE_*)", async () => {
    const c = await client();
    const peer = requireK8sPeer()!;
    const name = `sr-${randomBytes(4).toString("hex")}`;
    await createStepRun(c, ns, name);
    const dir = join(base, name);
    const logFile = join(base, `${name}-file.log`);
    writeFileSync(logFile, "from a file\n");
    const env = podEnv(name, {
      KUBECONFIG: peer.kubeconfigPath,
      BUBU_STORAGE_PROVIDER: "file",
      BUBU_STORAGE_PATH: dir,
      BUBU_LOG_ALLOWED_ROOTS: base,
      LOG_FILE: logFile,
    });
    // No Engram object exists on the peer: without a name the run skips the template schema lookup.
    delete env.BUBU_ENGRAM_NAME;
    const r = await runScript("test/logs/fixtures/publish-worker.ts", { env, timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const out = (await statusOf(c, ns, name)).output as Record<string, { path: string; contentType: string }>;
    assert.equal(out.error, undefined, JSON.stringify(out.error));
    for (const ref of [out.text!, out.ndjson!, out.file!]) assertLogPath(ref.path, name);
    assert.equal(out.text!.contentType, "text/plain; charset=utf-8");
    assert.equal(out.ndjson!.contentType, "application/x-ndjson");
    assert.equal(readFileSync(join(dir, out.text!.path), "utf8"), "line one\nline two\n");
    assert.equal(readFileSync(join(dir, out.ndjson!.path), "utf8"), '{"msg":"x"}\n');
    assert.equal(readFileSync(join(dir, out.file!.path), "utf8"), "from a file\n");
    // After the engram's publishes, the run uploads its captured log lines and points at them.
    const logs = (await statusOf(c, ns, name)).logs;
    assertLogPath(logs.$bubuStorageRef, name);
    assert.equal(logs.$bubuStorageContentType, "application/x-ndjson");

    // A StepRun but no storage provider: unavailable.
    const other = `sr-${randomBytes(4).toString("hex")}`;
    await createStepRun(c, ns, other);
    const noStorageEnv = podEnv(other, { KUBECONFIG: peer.kubeconfigPath });
    delete noStorageEnv.BUBU_ENGRAM_NAME;
    const noStorage = await runScript("test/logs/fixtures/publish-worker.ts", { env: noStorageEnv, timeoutMs: 60_000 });
    assert.equal(noStorage.code, 0, noStorage.stderr + noStorage.stdout);
    assert.equal(
      ((await statusOf(c, ns, other)).output as { error?: { name: string } }).error?.name,
      "LogsUnavailableError",
    );
  });
});

const s3Skip = k8sSkip || s3PeerSkip();

describe("log publishing against the real API server and the S3 peer", { skip: s3Skip }, () => {
  test("the blob's bytes and content type on S3, the ref in status.logs", async (t) => {
    const s3 = requireS3Peer(t);
    if (!s3) return;
    const c = await client();
    const name = `sr-${randomBytes(4).toString("hex")}`;
    await createStepRun(c, ns, name);
    const storage = peerManager(s3);
    try {
      const payload = new TextEncoder().encode('{"level":"INFO","msg":"captured"}\n');
      const ref = await publishLogs(destination(targetOf(c, ns, name, podEnv(name)), storage, podEnv(name)), payload, {
        contentType: "application/x-ndjson",
      });
      assert.ok(ref);
      assertLogPath(ref.path, name);
      assert.deepEqual(readObjectFile(s3, ref.path), payload, "raw bytes, no wrapper");
      const url = new URL(`${s3.endpoint}/${s3.bucket}/${ref.path}`);
      const signed = await signV4({
        method: "HEAD",
        url,
        headers: { host: url.host },
        payloadHash: "UNSIGNED-PAYLOAD",
        region: s3.region,
        service: "s3",
        credentials: { accessKeyId: s3.accessKey, secretAccessKey: s3.secretKey },
        now: new Date(),
      });
      delete signed.headers.host;
      const res = await fetch(url, { method: "HEAD", headers: signed.headers });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "application/x-ndjson");
      assert.deepEqual((await statusOf(c, ns, name)).logs, {
        $bubuStorageRef: ref.path,
        $bubuStorageContentType: "application/x-ndjson",
        $bubuStorageSchema: `bubu://engram/${ns}/my-engram/logs`,
        $bubuStorageSchemaVersion: "1.2.3",
      });
    } finally {
      await storage.close();
    }
  });
});
