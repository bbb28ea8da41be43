// Streaming engrams and impulses prepare their config at startup: in a pod with nothing to
// hydrate (no refs, no templates) the storage manager is not built, yet the config still meets
// the bounds hydration would apply, with the same texts.

import assert from "node:assert/strict";
import { test } from "node:test";
import { loadEnv } from "../../src/env/load.ts";
import { noopLogger } from "../../src/observability/logger.ts";
import { RunServices } from "../../src/process/services.ts";
import { prepareStartupConfig } from "../../src/process/startup-config.ts";
import { detectRuntime } from "../../src/runtime/detect.ts";

const nest = (n: number): string => `${"[".repeat(n)}${"]".repeat(n)}`;

function podServices(vars: Record<string, string>): RunServices {
  const all = { KUBERNETES_SERVICE_HOST: "127.0.0.1", BUBU_STEPRUN_NAMESPACE: "default", ...vars };
  const services = new RunServices({ rt: detectRuntime(), vars: all, env: loadEnv(all), logger: noopLogger });
  // Nothing here may need the storage manager (it would build a Kubernetes client).
  services.storage = () => Promise.reject(new Error("storage built for a config with nothing to hydrate"));
  return services;
}

test("a pod's config without refs or templates: decoded as is, no storage manager built", async () => {
  const config = await prepareStartupConfig(
    podServices({ BUBU_STEP_CONFIG: `{"a":${nest(10)},"b":"x"}` }),
    noopLogger,
    undefined,
    AbortSignal.timeout(5_000),
  );
  assert.deepEqual(config, { a: JSON.parse(nest(10)), b: "x" });
});

test("a pod's config deeper than BUBU_MAX_RECURSION_DEPTH fails as hydration would", async () => {
  await assert.rejects(
    prepareStartupConfig(
      podServices({ BUBU_STEP_CONFIG: `{"a":${nest(11)}}` }),
      noopLogger,
      undefined,
      AbortSignal.timeout(5_000),
    ),
    { message: "failed to hydrate config: maximum recursion depth (10) exceeded during hydration" },
  );
});

test("a pod's config over the traversal guard fails with the guard's text", async () => {
  const wide = JSON.stringify({ a: Array.from({ length: 20 }, (_, i) => i) });
  await assert.rejects(
    prepareStartupConfig(
      podServices({ BUBU_STEP_CONFIG: wide, BUBU_CONFIG_HYDRATION_MAX_NODES: "10" }),
      noopLogger,
      undefined,
      AbortSignal.timeout(5_000),
    ),
    { message: "failed to hydrate config: config rejected before hydration: config exceeds max nodes 10" },
  );
});
