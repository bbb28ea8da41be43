// Impulse config in a cluster without a storage provider: `$bubuSecretRef`/`$bubuConfigMapRef`
// are still resolved (Go hydrates ConfigMap/Secret refs with no store), templates evaluated,
// and a Secret value that looks like a template comes through verbatim.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import * as v from "valibot";
import { defineImpulse } from "../../src/engram/impulse.ts";
import { localStories } from "../../src/impulse/local-stories.ts";
import { runImpulse } from "../../src/impulse/run-impulse.ts";
import { noopLogger } from "../../src/observability/logger.ts";
import { detectRuntime } from "../../src/runtime/detect.ts";
import type { Runtime } from "../../src/runtime/types.ts";
import { type CoreApi, startCoreApi } from "../storage/core-api.ts";

const NS = "team-a";
const fakeStories = localStories({ target: undefined, started: [], stopped: [] });
const runtime: Runtime = { ...detectRuntime(), onSignal: () => () => {} };

describe("impulse config with ConfigMap/Secret refs", () => {
  let api: CoreApi;
  before(async () => {
    api = await startCoreApi();
    api.core.secret(NS, "hook", { token: "whsec-77", tpl: "{{ .x }}" }).configMap(NS, "app", { port: "8080" });
  });
  after(async () => await api.stop());

  function env(config: unknown, extra: Record<string, string> = {}): Record<string, string> {
    return {
      // A pod (no port: the kubeconfig is used); no BUBU_STORAGE_PROVIDER.
      KUBERNETES_SERVICE_HOST: "10.0.0.1",
      KUBECONFIG: api.kubeconfig,
      BUBU_POD_NAMESPACE: NS,
      BUBU_K8S_OPERATION_TIMEOUT: "10s",
      BUBU_TEMPLATE_CONTEXT: JSON.stringify({ inputs: { team: "ops" } }),
      BUBU_STEP_CONFIG: JSON.stringify(config),
      ...extra,
    };
  }

  test("refs resolved with no storage provider; templates evaluated; the Secret's `{{ }}` kept", async () => {
    let seen: unknown;
    const impulse = defineImpulse({
      config: v.object({ token: v.string(), port: v.number(), path: v.string(), tpl: v.string() }),
      run(ctx) {
        seen = ctx.config;
      },
    });
    const out = await runImpulse(impulse, {
      exit: false,
      stories: fakeStories,
      logger: noopLogger,
      runtime,
      env: env({
        token: { $bubuSecretRef: "hook:token" },
        port: { $bubuConfigMapRef: "app:port" },
        path: "/hooks/{{ .inputs.team }}",
        tpl: { $bubuSecretRef: "hook:tpl" },
      }),
    });
    assert.deepEqual(out, { exitCode: 0, end: "completed" });
    assert.deepEqual(seen, { token: "whsec-77", port: 8080, path: "/hooks/ops", tpl: "{{ .x }}" });
  });

  test("a missing key fails with failed to hydrate config, before run", async () => {
    let ran = false;
    const impulse = defineImpulse({
      run() {
        ran = true;
      },
    });
    const out = await runImpulse(impulse, {
      exit: false,
      stories: fakeStories,
      logger: noopLogger,
      runtime,
      env: env({ token: { $bubuSecretRef: "hook:nope" } }),
    });
    assert.equal(out.exitCode, 1);
    assert.equal(out.end, "failed");
    assert.equal((out.error as Error).message, `failed to hydrate config: secret ${NS}/hook missing key "nope"`);
    assert.equal(ran, false);
  });

  test("outside a cluster and without storage, refs are left as they are (nothing is read)", async () => {
    let seen: unknown;
    const before = api.core.requests.length;
    const impulse = defineImpulse({
      run(ctx) {
        seen = ctx.config;
      },
    });
    const config = { token: { $bubuSecretRef: "hook:token" } };
    const out = await runImpulse(impulse, {
      exit: false,
      stories: fakeStories,
      logger: noopLogger,
      runtime,
      env: { BUBU_STEP_CONFIG: JSON.stringify(config) },
    });
    assert.deepEqual(out, { exitCode: 0, end: "completed" });
    assert.deepEqual(seen, config);
    assert.equal(api.core.requests.length, before);
  });
});
