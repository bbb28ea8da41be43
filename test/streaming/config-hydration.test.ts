// Streaming engram config is prepared like batch config before `init` (contract streaming.md §2,
// inputs-config.md "Config pipeline"): `$bubuStorageRef` (file storage), `$bubuSecretRef` and
// `$bubuConfigMapRef` (core v1 on a loopback fake API server) hydrated, templates resolved
// against BUBU_TEMPLATE_CONTEXT, and values read from a Secret/ConfigMap never evaluated.

import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import * as v from "valibot";
import { defineStreaming } from "../../src/engram/streaming-engram.ts";
import { startStreaming } from "../../src/streaming/start-streaming.ts";
import { FakeConnector } from "../peers/connector/index.ts";
import { type CoreApi, startCoreApi } from "../storage/core-api.ts";
import { memoryLogger, streamEnv } from "./helpers.ts";

const NS = "team-a";
const TEMPLATE_LIKE = "{{ .x }} and {{ .inputs.name }}";

/** An engram that records its config and echoes nothing until the stream is drained. */
function recorder() {
  const seen: { config?: unknown; inits: number } = { inits: 0 };
  const engram = defineStreaming({
    init(ctx) {
      seen.config = ctx.config;
      seen.inits++;
    },
    async stream(_signal, inbound) {
      for await (const m of inbound) m.done();
    },
  });
  return { seen, engram };
}

describe("streaming config preparation", () => {
  let api: CoreApi;
  let storeDir = "";
  before(async () => {
    api = await startCoreApi();
    api.core
      .secret(NS, "creds", { token: "tok-42", tpl: TEMPLATE_LIKE })
      .configMap(NS, "app", { greeting: JSON.stringify({ text: "{{ .inputs.name }}" }) });
    storeDir = join(api.dir, "store");
    mkdirSync(join(storeDir, "inputs/team-a/cfg"), { recursive: true });
    writeFileSync(
      join(storeDir, "inputs/team-a/cfg/model.json"),
      JSON.stringify({ contentType: "json", data: { model: "m1", temp: 0.5 } }),
    );
  });
  after(async () => await api.stop());

  /** Cluster-mode env (a pod: KUBERNETES_SERVICE_HOST; no port, so the kubeconfig is used). */
  function clusterEnv(config: unknown): Record<string, string> {
    return {
      KUBERNETES_SERVICE_HOST: "10.0.0.1",
      KUBECONFIG: api.kubeconfig,
      BUBU_POD_NAMESPACE: NS,
      BUBU_K8S_OPERATION_TIMEOUT: "10s",
      BUBU_STORAGE_PROVIDER: "file",
      BUBU_STORAGE_PATH: storeDir,
      BUBU_TEMPLATE_CONTEXT: JSON.stringify({ inputs: { name: "ada" } }),
      BUBU_STEP_CONFIG: JSON.stringify(config),
    };
  }

  test("cluster mode: Secret, ConfigMap and storage refs resolved and templates evaluated before init; ref values verbatim", async () => {
    const fake = await FakeConnector.start();
    const { seen, engram } = recorder();
    const ctl = new AbortController();
    const { logger } = memoryLogger();
    const config = {
      token: { $bubuSecretRef: "creds:token" },
      model: { $bubuStorageRef: "inputs/team-a/cfg/model.json", $bubuStoragePath: "model" },
      settings: { $bubuStorageRef: "inputs/team-a/cfg/model.json" },
      hello: "hi {{ .inputs.name }}",
      raw: { $bubuSecretRef: { name: "creds", key: "tpl", format: "raw" } },
      greeting: { $bubuConfigMapRef: "app:greeting" },
    };
    const run = startStreaming(engram, {
      env: streamEnv(fake.endpoint, clusterEnv(config)),
      exit: false,
      logger,
      signal: ctl.signal,
    });
    try {
      await fake.waitFor(
        () => fake.controlRequests.some((r) => r.metadata.type === "connector.ready"),
        10_000,
        "established",
      );
      assert.equal(seen.inits, 1);
      assert.deepEqual(seen.config, {
        token: "tok-42",
        model: "m1",
        settings: { model: "m1", temp: 0.5 },
        hello: "hi ada",
        raw: TEMPLATE_LIKE,
        greeting: { text: "{{ .inputs.name }}" },
      });
      assert.deepEqual(
        api.core.requests.map((r) => r.path),
        [
          `/api/v1/namespaces/${NS}/secrets/creds`,
          `/api/v1/namespaces/${NS}/secrets/creds`,
          `/api/v1/namespaces/${NS}/configmaps/app`,
        ],
      );
    } finally {
      ctl.abort();
      const outcome = await run;
      await fake.close();
      assert.equal(outcome.exitCode, 0, String(outcome.error));
    }
  });

  test("a missing Secret fails the start with Go's texts: no init, no dial", async () => {
    const fake = await FakeConnector.start();
    const { seen, engram } = recorder();
    try {
      const outcome = await startStreaming(engram, {
        env: streamEnv(
          fake.endpoint,
          clusterEnv({ token: { $bubuSecretRef: "nope:token" }, hello: "{{ .inputs.name }}" }),
        ),
        exit: false,
        logger: memoryLogger().logger,
      });
      assert.equal(outcome.exitCode, 1);
      assert.equal(
        (outcome.error as Error).message,
        `failed to load streaming context: failed to hydrate config: failed to read Secret ${NS}/nope: secrets "nope" not found`,
      );
      assert.equal(seen.inits, 0);
      assert.equal(fake.controlRequests.length, 0);
    } finally {
      await fake.close();
    }
  });

  test("a config that does not decode: failed to unmarshal config", async () => {
    const fake = await FakeConnector.start();
    try {
      const outcome = await startStreaming(
        defineStreaming({
          config: v.object({ n: v.number() }),
          async stream() {},
        }),
        {
          env: streamEnv(fake.endpoint, clusterEnv({ n: "{{ .inputs.name }}" })),
          exit: false,
          logger: memoryLogger().logger,
        },
      );
      assert.equal(outcome.exitCode, 1);
      assert.match((outcome.error as Error).message, /^failed to load streaming context: failed to unmarshal config: /);
    } finally {
      await fake.close();
    }
  });

  test("local mode (no cluster, no storage): templates in config are still resolved", async () => {
    const { seen, engram } = recorder();
    const outcome = await startStreaming(engram, {
      env: {
        BUBU_TEMPLATE_CONTEXT: JSON.stringify({ inputs: { name: "ada" } }),
        BUBU_STEP_CONFIG: JSON.stringify({ hello: "hi {{ .inputs.name }}", n: 3 }),
      },
      exit: false,
      logger: memoryLogger().logger,
      stdin: (async function* () {})(),
    });
    assert.equal(outcome.exitCode, 0, String(outcome.error));
    assert.equal(outcome.mode, "local");
    assert.deepEqual(seen.config, { hello: "hi ada", n: 3 });
  });
});
