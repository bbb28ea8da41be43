import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  executionMode,
  isBatchExecutionMode,
  isClusterMode,
  resolveKubeRefNamespace,
  resolvePodNamespace,
} from "../../src/env/namespace.ts";

const ALL = {
  BUBU_TARGET_STORY_NAMESPACE: "target",
  BUBU_IMPULSE_NAMESPACE: "impulse",
  BUBU_STEPRUN_NAMESPACE: "steprun",
  BUBU_POD_NAMESPACE: "pod",
};

describe("resolvePodNamespace (TARGET_STORY → IMPULSE → STEPRUN → POD)", () => {
  const steps: [Record<string, string>, string][] = [
    [ALL, "target"],
    [{ ...ALL, BUBU_TARGET_STORY_NAMESPACE: "" }, "impulse"],
    [{ ...ALL, BUBU_TARGET_STORY_NAMESPACE: "", BUBU_IMPULSE_NAMESPACE: "  " }, "steprun"],
    [{ BUBU_POD_NAMESPACE: "pod" }, "pod"],
    [{ POD_NAMESPACE: "ignored" }, ""],
    [{}, ""],
  ];
  for (const [env, want] of steps) {
    test(`${JSON.stringify(env)} -> ${JSON.stringify(want)}`, () => {
      assert.equal(resolvePodNamespace(env), want);
      assert.equal(
        resolvePodNamespace((n) => env[n]),
        want,
      );
    });
  }
});

describe("resolveKubeRefNamespace (POD → STEPRUN → TARGET_STORY → IMPULSE)", () => {
  const steps: [Record<string, string>, string][] = [
    [ALL, "pod"],
    [{ ...ALL, BUBU_POD_NAMESPACE: "" }, "steprun"],
    [{ BUBU_TARGET_STORY_NAMESPACE: "target", BUBU_IMPULSE_NAMESPACE: "impulse" }, "target"],
    [{ BUBU_IMPULSE_NAMESPACE: " impulse " }, "impulse"],
    [{}, ""],
  ];
  for (const [env, want] of steps) {
    test(`${JSON.stringify(env)} -> ${JSON.stringify(want)}`, () => assert.equal(resolveKubeRefNamespace(env), want));
  }
});

describe("executionMode", () => {
  test("defaults to batch, trims and lower-cases", () => {
    assert.equal(executionMode({}), "batch");
    assert.equal(executionMode({ BUBU_EXECUTION_MODE: "  " }), "batch");
    assert.equal(executionMode({ BUBU_EXECUTION_MODE: " RealTime " }), "realtime");
  });
  test("Go's Start dispatch", () => {
    for (const m of ["", "job", "batch", "hybrid"]) assert.equal(isBatchExecutionMode(m), true, m);
    for (const m of ["realtime", "deployment", "Batch"]) assert.equal(isBatchExecutionMode(m), false, m);
  });
});

describe("isClusterMode", () => {
  test("KUBERNETES_SERVICE_HOST or BUBU_STEPRUN_NAME", () => {
    assert.equal(isClusterMode({}), false);
    assert.equal(isClusterMode({ KUBERNETES_SERVICE_HOST: "", BUBU_STEPRUN_NAME: " " }), false);
    assert.equal(isClusterMode({ KUBERNETES_SERVICE_HOST: "10.0.0.1" }), true);
    assert.equal(isClusterMode({ BUBU_STEPRUN_NAME: "run-1" }), true);
    assert.equal(
      isClusterMode((n) => (n === "BUBU_STEPRUN_NAME" ? "x" : undefined)),
      true,
    );
  });
});
