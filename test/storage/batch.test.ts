/**
 * The storage seams in the whole batch path: `startBatch` in-process (exit: false) with the
 * seams from `createStorageSeams` over a real file store (and the S3 peer when it runs).
 */

import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { startBatch } from "../../src/batch/start-batch.ts";
import { loadEnv } from "../../src/env/load.ts";
import { buildLogsStatusUpdate } from "../../src/k8s/logs-patch.ts";
import { noopLogger } from "../../src/observability/logger.ts";
import { createStorageServices as createStorageSeams } from "../../src/process/storage-services.ts";
import { detectRuntime } from "../../src/runtime/detect.ts";
import { requireS3Peer, s3PeerSkip } from "../peers/s3/peer.ts";
import { tempDir, text } from "./support.ts";

const rt = detectRuntime();

function clusterEnv(storagePath: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    BUBU_STEPRUN_NAME: "step-run-1",
    BUBU_STEPRUN_NAMESPACE: "team-a",
    BUBU_STORYRUN_ID: "story-run-1",
    BUBU_STEP_NAME: "summarize",
    BUBU_ENGRAM_NAME: "summarizer",
    BUBU_ENGRAM_VERSION: "1.2.0",
    BUBU_STORAGE_PROVIDER: "file",
    BUBU_STORAGE_PATH: storagePath,
    BUBU_MAX_INLINE_SIZE: "64",
    ...extra,
  };
}

describe("batch path with storage (file provider)", () => {
  test("config and inputs hydrated before init/process; output offloaded with schema metadata", async () => {
    const { dir, cleanup } = tempDir();
    try {
      mkdirSync(join(dir, "inputs/team-a/sr"), { recursive: true });
      writeFileSync(
        join(dir, "inputs/team-a/sr/doc.json"),
        '{"contentType":"raw","data":"stored {{ not a template }}"}',
      );
      writeFileSync(
        join(dir, "inputs/team-a/sr/cfg.json"),
        '{"contentType":"json","data":{"model":"m1","tags":["a","b"]}}',
      );
      const env = clusterEnv(dir, {
        BUBU_TRIGGER_DATA: JSON.stringify({ doc: { $bubuStorageRef: "inputs/team-a/sr/doc.json" }, n: 2 }),
        BUBU_STEP_CONFIG: JSON.stringify({
          settings: { $bubuStorageRef: "inputs/team-a/sr/cfg.json", $bubuStoragePath: "tags[1]" },
        }),
      });
      const bubu = loadEnv(env);
      const seams = await createStorageSeams(rt, bubu, noopLogger);
      let seenConfig: unknown;
      let seenInputs: unknown;
      const hydrated = await seams.hydrateInputs(
        { doc: { $bubuStorageRef: "inputs/team-a/sr/doc.json" }, n: 2 },
        AbortSignal.timeout(5000),
      );
      assert.deepEqual(hydrated.storagePaths, ["/doc"]);
      const outcome = await startBatch(
        {
          init(ctx) {
            seenConfig = ctx.config;
          },
          process(_ctx, inputs) {
            seenInputs = inputs;
            return { summary: "s".repeat(100), count: 3 };
          },
        },
        { exit: false, env, args: [], logger: noopLogger, runtime: rt, services: seams },
      );
      assert.deepEqual(seenConfig, { settings: "b" });
      assert.deepEqual(seenInputs, { doc: "stored {{ not a template }}", n: 2 });
      assert.equal(outcome.status.phase, "Succeeded");
      assert.deepEqual(outcome.output, {
        summary: {
          $bubuStorageRef: "outputs/team-a/step-run-1/summary.json",
          $bubuStorageContentType: "text/plain",
          $bubuStorageSchema: "bubu://engram/team-a/summarizer/output",
          $bubuStorageSchemaVersion: "1.2.0",
        },
        count: 3,
      });
      assert.equal(
        readFileSync(join(dir, "outputs/team-a/step-run-1/summary.json"), "utf8"),
        `{"contentType":"raw","data":"${"s".repeat(100)}"}`,
      );
      await seams.close();
    } finally {
      cleanup();
    }
  });

  test("a missing input object fails the step as storage_error, before process", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const env = clusterEnv(dir, {
        BUBU_TRIGGER_DATA: JSON.stringify({ doc: { $bubuStorageRef: "inputs/team-a/gone.json" } }),
      });
      const seams = await createStorageSeams(rt, loadEnv(env), noopLogger);
      let processed = false;
      const outcome = await startBatch(
        { process: () => void (processed = true) },
        { exit: false, env, args: [], logger: noopLogger, runtime: rt, services: seams },
      );
      assert.equal(processed, false);
      assert.equal(outcome.status.phase, "Failed");
      assert.equal(outcome.status.error?.type, "storage_error");
      assert.match(
        outcome.status.lastFailureMsg ?? "",
        /^failed to hydrate inputs: failed to read offloaded data from 'inputs\/team-a\/gone.json'/,
      );
    } finally {
      cleanup();
    }
  });

  test("output offload failing: 3 attempts with 1s and 2s sleeps, then Failed with Go's text", async () => {
    const { dir, cleanup } = tempDir();
    try {
      writeFileSync(join(dir, "outputs"), "a file where the outputs directory should be");
      const env = clusterEnv(dir);
      const sleeps: number[] = [];
      const seams = await createStorageSeams(rt, loadEnv(env), noopLogger, {
        sleep: (ms) => {
          sleeps.push(ms);
          return Promise.resolve();
        },
      });
      const outcome = await startBatch(
        { process: () => ({ big: "x".repeat(500) }) },
        { exit: false, env, args: [], logger: noopLogger, runtime: rt, services: seams },
      );
      assert.deepEqual(sleeps, [1000, 2000]);
      assert.equal(outcome.status.phase, "Failed");
      assert.equal(outcome.status.exitCode, 1);
      assert.equal(outcome.status.exitClass, "terminal");
      assert.equal(outcome.status.error?.type, "storage_error");
      assert.match(
        outcome.status.lastFailureMsg ?? "",
        /^failed to dehydrate output after 3 retries \(storage backend unavailable\): failed to write offloaded value for key 'big': /,
      );
      assert.equal(outcome.output, undefined);
    } finally {
      cleanup();
    }
  });

  test("storage disabled with a large output: no inline fallback", async () => {
    const env = { ...clusterEnv("/unused"), BUBU_STORAGE_PROVIDER: "none" };
    const seams = await createStorageSeams(rt, loadEnv(env), noopLogger, { sleep: () => Promise.resolve() });
    const outcome = await startBatch(
      { process: () => ({ big: "x".repeat(500) }) },
      { exit: false, env, args: [], logger: noopLogger, runtime: rt, services: seams },
    );
    assert.equal(outcome.status.phase, "Failed");
    assert.match(
      outcome.status.lastFailureMsg ?? "",
      /failed to dehydrate output after 3 retries \(storage backend unavailable\): output size 510 bytes exceeds inline limit 64 and storage is disabled/,
    );
  });

  test("invalid storage env is a bootstrap error: failed to create storage manager", async () => {
    await assert.rejects(createStorageSeams(rt, loadEnv({ BUBU_STORAGE_PROVIDER: "s3" }), noopLogger), {
      name: "StorageError",
      message:
        "failed to create storage manager: failed to initialize S3 storage: s3 storage is enabled but BUBU_STORAGE_S3_BUCKET is not set",
    });
  });

  test("captured logs: raw blob at the contract's path, ref for the logs patch", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const env = clusterEnv(dir, { BUBU_POD_NAMESPACE: "pod-ns" });
      const seams = await createStorageSeams(rt, loadEnv(env), noopLogger, { nowNanos: () => 1700000000123456789n });
      const lines = new TextEncoder().encode('{"level":"INFO","msg":"hi"}\n');
      const ref = await seams.publishLogs(lines, "application/x-ndjson");
      // Namespace: TARGET_STORY → IMPULSE → STEPRUN → POD, so the StepRun namespace wins here.
      assert.deepEqual(ref, {
        path: "team-a/logs/story-run-1/summarize/step-run-1/1700000000123456789.log",
        contentType: "application/x-ndjson",
        schema: "bubu://engram/team-a/summarizer/logs",
        schemaVersion: "1.2.0",
      });
      assert.equal(readFileSync(join(dir, ref!.path), "utf8"), '{"level":"INFO","msg":"hi"}\n');
      assert.deepEqual(buildLogsStatusUpdate(ref!), {
        logs: {
          $bubuStorageRef: "team-a/logs/story-run-1/summarize/step-run-1/1700000000123456789.log",
          $bubuStorageContentType: "application/x-ndjson",
          $bubuStorageSchema: "bubu://engram/team-a/summarizer/logs",
          $bubuStorageSchemaVersion: "1.2.0",
        },
      });
      assert.equal(await seams.publishLogs(new Uint8Array(0)), undefined);
      const noStep = await createStorageSeams(rt, loadEnv({ ...env, BUBU_STEPRUN_NAME: "" }), noopLogger);
      assert.equal(await noStep.publishLogs(lines), undefined);
      const disabled = await createStorageSeams(rt, loadEnv({ ...env, BUBU_STORAGE_PROVIDER: "" }), noopLogger);
      assert.equal(await disabled.publishLogs(lines), undefined);
    } finally {
      cleanup();
    }
  });
});

describe("batch path with storage (S3 peer)", { skip: s3PeerSkip() }, () => {
  test("offloaded output lands in the bucket and hydrates back", async (t) => {
    const peer = requireS3Peer(t);
    if (!peer) return;
    const env = {
      ...clusterEnv("/unused"),
      BUBU_STEPRUN_NAME: `s3-run-${Date.now()}`,
      BUBU_STORAGE_PROVIDER: "s3",
      BUBU_STORAGE_S3_BUCKET: peer.bucket,
      BUBU_STORAGE_S3_ENDPOINT: peer.endpoint,
      BUBU_STORAGE_S3_REGION: peer.region,
      // What the operator injects; Go would go anonymous here (quirk H1), we sign with them.
      AWS_ACCESS_KEY_ID: peer.accessKey,
      AWS_SECRET_ACCESS_KEY: peer.secretKey,
    };
    const seams = await createStorageSeams(rt, loadEnv(env), noopLogger);
    const outcome = await startBatch(
      { process: () => ({ report: "r".repeat(1000) }) },
      { exit: false, env, args: [], logger: noopLogger, runtime: rt, services: seams },
    );
    assert.equal(outcome.status.phase, "Succeeded", outcome.status.lastFailureMsg);
    const ref = (outcome.output as Record<string, Record<string, string>>).report!;
    assert.equal(ref.$bubuStorageRef, `outputs/team-a/${env.BUBU_STEPRUN_NAME}/report.json`);
    assert.equal(
      text(readFileSync(join(peer.dataDir, peer.bucket, ref.$bubuStorageRef!))),
      `{"contentType":"raw","data":"${"r".repeat(1000)}"}`,
    );
    assert.equal(await seams.manager.hydrate(ref), "r".repeat(1000));
    await seams.close();
  });
});
