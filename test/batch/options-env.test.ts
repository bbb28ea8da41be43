// startBatch({ env }) builds its clients from that env, not from the process environment: an
// embedding app that runs an engram with its own env gets the Kubernetes client (and storage)
// that env names.

import assert from "node:assert/strict";
import { test } from "node:test";
import { startBatch } from "../../src/batch/start-batch.ts";
import { defineBatch } from "../../src/engram/batch-engram.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { detectRuntime } from "../../src/runtime/detect.ts";
import type { Runtime } from "../../src/runtime/types.ts";

const host = detectRuntime();
const runtime: Runtime = {
  ...host,
  onSignal: () => () => {},
  writeStdout: () => {},
  // The process environment as the run must not see it: a different kubeconfig.
  env: (name) => (name === "KUBECONFIG" ? "/nonexistent/from-process-env" : host.env(name)),
  envAll: () => ({ ...host.envAll(), KUBECONFIG: "/nonexistent/from-process-env" }),
};

test("the Kubernetes client of a run reads options.env (KUBECONFIG), not the process env", async () => {
  const lines: string[] = [];
  const logger = createLogger({ sink: (l) => lines.push(l), level: "DEBUG" });
  let ran = false;
  const engram = defineBatch({
    process() {
      ran = true;
      return { ok: true };
    },
  });
  const env = {
    BUBU_STEPRUN_NAME: "run-1",
    BUBU_POD_NAMESPACE: "default",
    HOME: "/nonexistent-home",
    KUBECONFIG: "/nonexistent/from-options-env",
  };
  const out = await startBatch(engram, { env, args: [], exit: false, logger, runtime });
  assert.equal(out.exitCode, 1);
  assert.equal(ran, false, "no client, no run");
  const text = `${JSON.stringify(out.status)}\n${lines.join("\n")}`;
  assert.match(text, /no kubeconfig at \/nonexistent\/from-options-env/);
  assert.doesNotMatch(text, /from-process-env/);
});
