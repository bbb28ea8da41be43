// The operator's rules the runner reimplements, one by one: the step graph, the template
// variables, the merges, retries, the pod environment and the local StepRun API.

import assert from "node:assert/strict";
import { test } from "node:test";
import { dependencies, runtimeGraphError, stepAlias } from "../../src/story/graph.ts";
import { applySchemaDefaults, mergeWith } from "../../src/story/json-merge.ts";
import { applyMergePatch, LocalApi } from "../../src/story/local-api.ts";
import { offloadedStepPiped, offloadedStepRead } from "../../src/story/offloaded.ts";
import { operatorNormalizeSchema } from "../../src/story/operator-schema.ts";
import {
  classifyExitCode,
  isRetryableExitClass,
  resolveRetryPolicy,
  retryDelayMs,
  stepRetrySpec,
} from "../../src/story/retry-policy.ts";
import { schemaError } from "../../src/story/schema-check.ts";
import { rfc3339Nano, stepEnv } from "../../src/story/step-env.ts";
import { priorStepOutputs, templateContextPayload } from "../../src/story/template-vars.ts";
import type { Step, Story } from "../../src/story/types.ts";

const step = (s: Partial<Step> & { name: string }): Step => s as Step;

test("implicit dependencies: steps.a., steps['a'], (index .steps \"a\") in if; with only for Engram and executeStory steps", () => {
  const deps = dependencies([
    step({ name: "a", type: "condition" }),
    step({ name: "my-step", type: "condition" }),
    step({ name: "b", ref: { name: "e" }, with: { x: "{{ steps.a.output.x }}", y: "{{ steps.my_step.output }}" } }),
    step({ name: "c", type: "condition", if: `{{ (index .steps "a").output.ok }}` }),
    step({ name: "d", type: "sleep", with: { duration: "{{ steps.a.output.x }}" } }),
    // In a with block the text is JSON: the escaped quotes of index "a" are not seen.
    step({
      name: "f",
      ref: { name: "e" },
      with: { x: `{{ (index .steps "a").output.x }}`, y: "{{ steps['my-step'].output }}" },
    }),
  ]);
  assert.deepEqual([...deps.get("b")!].sort(), ["a", "my-step"]);
  assert.deepEqual([...deps.get("c")!], ["a"]);
  assert.deepEqual([...deps.get("d")!], []);
  assert.deepEqual([...deps.get("f")!], ["my-step"]);
  assert.equal(stepAlias("my-step.x"), "my_step_x");
});

test("the runtime graph: unknown dependencies, then cycles, as the operator words them", () => {
  assert.equal(
    runtimeGraphError([step({ name: "a", ref: { name: "e" }, with: { v: "{{ steps.zz.output }}" } })]),
    "unknown step dependencies: a->zz",
  );
  assert.equal(
    runtimeGraphError([
      step({ name: "a", type: "condition", if: "{{ steps.b.output.x }}" }),
      step({ name: "b", type: "condition", needs: ["a"] }),
      step({ name: "c", type: "condition" }),
    ]),
    "dependency cycle detected involving step(s): a, b",
  );
  assert.equal(runtimeGraphError([step({ name: "a", type: "condition" })]), undefined);
});

test("prior outputs: Succeeded steps get output and outputs, signals are nested by dots, aliases added", () => {
  const steps = priorStepOutputs([
    {
      stepId: "fetch-page",
      phase: "Succeeded",
      output: { body: "x" },
      signals: { "progress.done": 1, "progress.total": 2, seqd: { seq: 2, v: "new" } },
    },
    { stepId: "no-output", phase: "Succeeded" },
    { stepId: "failed", phase: "Failed", output: { x: 1 } },
    { stepId: "failed-signals", phase: "Failed", signals: { s: 1 } },
    { stepId: "running", phase: "Running", output: { x: 1 } },
    { stepId: "sub", phase: "Succeeded", output: { y: 2 }, subStory: true },
  ]);
  assert.deepEqual(Object.keys(steps).sort(), [
    "failed-signals",
    "failed_signals",
    "fetch-page",
    "fetch_page",
    "no-output",
    "no_output",
    "sub",
  ]);
  assert.deepEqual(steps["fetch-page"], {
    outputs: { body: "x" },
    output: { body: "x" },
    signals: { progress: { done: 1, total: 2 }, seqd: { seq: 2, v: "new" } },
  });
  assert.deepEqual(steps["no-output"], { output: {}, outputs: {} });
  assert.deepEqual(steps["failed-signals"], { signals: { s: 1 } });
  assert.deepEqual(steps.sub, { outputs: { y: 2 }, output: { y: 2 } });
  const ref = { $bubuStorageRef: "p", $bubuStoragePath: "/a", extra: 1 };
  assert.deepEqual(templateContextPayload({}, { s: { output: { r: ref } } }), {
    inputs: {},
    steps: { s: { output: { r: { $bubuStorageRef: "p", $bubuStoragePath: "/a" } } } },
  });
});

test("with merging: objects merge key by key (step wins, null replaces); schema defaults fill absent keys", () => {
  assert.deepEqual(mergeWith({ a: 1, o: { x: 1, y: 2 }, l: [1] }, { o: { y: 3 }, l: [2], n: null }), {
    a: 1,
    o: { x: 1, y: 3 },
    l: [2],
    n: null,
  });
  assert.equal(mergeWith(undefined, undefined), undefined);
  const schema = {
    type: "object",
    properties: {
      a: { type: "string", default: "d" },
      nested: { type: "object", properties: { k: { default: 1 } } },
      present: { type: "object", properties: { k: { default: 2 } } },
      plain: { type: "object", properties: { k: { type: "string" } } },
    },
    allOf: [{ properties: { fromAllOf: { default: true } } }],
  };
  assert.deepEqual(applySchemaDefaults(schema, { present: {}, a: "given" }), {
    a: "given",
    nested: { k: 1 },
    present: { k: 2 },
    fromAllOf: true,
  });
});

test("offloaded reads: any read of an offloaded output; in with only a piped one needs materializing", () => {
  const steps = { big: { output: { blob: { $bubuStorageRef: "x" } } }, small: { output: { v: 1 } } };
  assert.equal(offloadedStepRead("{{ steps.big.output.blob }}", steps), "big");
  assert.equal(offloadedStepRead({ o: `{{ (index .steps "big").outputs }}` }, steps), "big");
  assert.equal(offloadedStepRead("{{ steps.small.output.v }}", steps), undefined);
  assert.equal(offloadedStepPiped({ a: "{{ steps.big.output.blob }}" }, steps), undefined);
  assert.equal(offloadedStepPiped({ a: "{{ steps.big.output.blob | toString }}" }, steps), "big");
});

test("retries: exit classes, the policy (step, Story, template, defaults, sideEffects) and the delays", () => {
  assert.deepEqual([0, 1, 3, 124, 125, 126, 127, 137, 143, 200, 429, -1, 300].map(classifyExitCode), [
    "success",
    "terminal",
    "terminal",
    "retry",
    "terminal",
    "terminal",
    "terminal",
    "retry",
    "retry",
    "retry",
    "rateLimited",
    "unknown",
    "terminal",
  ]);
  assert.deepEqual(["retry", "rateLimited", "unknown", "terminal", "success"].map(isRetryableExitClass), [
    true,
    true,
    true,
    false,
    false,
  ]);
  const story = {
    spec: { steps: [], policy: { retries: { stepRetryPolicy: { maxRetries: 5 } } } },
  } as unknown as Story;
  assert.deepEqual(stepRetrySpec(story, step({ name: "a" }), undefined), { maxRetries: 5 });
  assert.deepEqual(stepRetrySpec(story, step({ name: "a", execution: { retry: { maxRetries: 1 } } }), undefined), {
    maxRetries: 1,
  });
  assert.deepEqual(stepRetrySpec(story, step({ name: "a", sideEffects: true }), undefined), { maxRetries: 0 });
  const template = { spec: { execution: { retry: { recommendedBaseDelay: "2s", recommendedBackoff: "linear" } } } };
  assert.deepEqual(stepRetrySpec(story, step({ name: "a" }), template as never), {
    maxRetries: 5,
    delay: "2s",
    backoff: "linear",
  });
  const d = resolveRetryPolicy(undefined);
  assert.deepEqual(d, { maxRetries: 3, delayMs: 1000, maxDelayMs: 0, jitter: 0, backoff: "exponential" });
  assert.deepEqual(
    [1, 2, 3].map((n) => retryDelayMs(d, n)),
    [1000, 2000, 4000],
  );
  assert.deepEqual(
    [1, 2, 3].map((n) => retryDelayMs(resolveRetryPolicy({ delay: "1s", backoff: "linear", maxDelay: "2500ms" }), n)),
    [1000, 2000, 2500],
  );
  assert.equal(retryDelayMs(resolveRetryPolicy({ delay: "1ms", backoff: "constant" }), 1), 10, "never under 10ms");
  assert.equal(
    retryDelayMs(resolveRetryPolicy({ delay: "1s", jitter: 50 }), 1, () => 0.5),
    1250,
  );
});

test("the pod env: the operator's order and formats", () => {
  const env = stepEnv({
    storyName: "s",
    storyVersion: "",
    storyRunName: "r",
    stepName: "a",
    stepRunName: "r-a",
    namespace: "ns",
    triggerData: "{}",
    stepConfig: "{}",
    templateContext: '{"inputs":{},"steps":{}}',
    timeoutNs: 90n * 60n * 1_000_000_000n,
    maxInlineSize: 4096,
    maxRecursionDepth: 32,
    debug: false,
    engramName: "e",
    engramVersion: "",
    startedAt: new Date("2026-01-02T03:04:05Z"),
    podName: "r-a-xxxxx",
    serviceAccountName: "r-engram-runner",
    storagePath: "/tmp/s",
    storageTimeout: "60s",
  });
  const names = env.map(([k]) => k);
  assert.deepEqual(names.slice(0, 8), [
    "BUBU_STORY_NAME",
    "BUBU_STORY_VERSION",
    "BUBU_STORYRUN_ID",
    "BUBU_STEP_NAME",
    "BUBU_STEPRUN_NAME",
    "BUBU_STEPRUN_NAMESPACE",
    "BUBU_TRIGGER_DATA",
    "BUBU_EXECUTION_MODE",
  ]);
  const m = Object.fromEntries(env);
  assert.equal(m.BUBU_STEP_TIMEOUT, "1h30m0s");
  assert.equal(m.BUBU_STARTED_AT, "2026-01-02T03:04:05Z");
  assert.equal(m.BUBU_STORAGE_PROVIDER, "file");
  assert.equal(m.BUBU_STORAGE_TIMEOUT, "60s");
  assert.equal(m.BUBU_HYBRID_BRIDGE, "false");
  assert.equal(names.indexOf("BUBU_TEMPLATE_CONTEXT"), names.indexOf("BUBU_STEP_CONFIG") + 1);
  assert.equal(rfc3339Nano(new Date("2026-01-02T03:04:05.120Z")), "2026-01-02T03:04:05.12Z");
});

test("the local API: token, merge patches of /status, resourceVersion conflicts, 403 outside runs.bubustack.io", async () => {
  const api = new LocalApi("tok", "system:serviceaccount:ns:r-engram-runner");
  api.create("stepruns", "ns", {
    apiVersion: "runs.bubustack.io/v1alpha1",
    kind: "StepRun",
    metadata: { name: "r-a" },
    spec: { stepId: "a" },
    status: { phase: "Running" },
  });
  const base = "http://127.0.0.1/tok/apis/runs.bubustack.io/v1alpha1/namespaces/ns/stepruns/r-a";
  const req = (path: string, init: RequestInit = {}, token = "tok"): Promise<Response> =>
    api.handle(
      new Request(path, {
        ...init,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/merge-patch+json" },
      }),
    );
  assert.equal((await req(base, {}, "bad")).status, 401, "a wrong token");
  assert.equal((await api.handle(new Request(base.replace("/tok/", "/")))).status, 401, "without the secret path");
  assert.equal(
    (await api.handle(new Request(base))).status,
    200,
    "the secret path without a token (client-go over http)",
  );
  const got = (await (await req(base)).json()) as { metadata: { resourceVersion: string } };
  const ok = await req(`${base}/status`, {
    method: "PATCH",
    body: JSON.stringify({
      metadata: { resourceVersion: got.metadata.resourceVersion },
      status: { phase: "Succeeded", output: { x: 1 } },
      spec: { stepId: "changed" },
    }),
  });
  assert.equal(ok.status, 200);
  assert.deepEqual(api.get("stepruns", "ns", "r-a")!.status, { phase: "Succeeded", output: { x: 1 } });
  assert.deepEqual(api.get("stepruns", "ns", "r-a")!.spec, { stepId: "a" }, "/status never changes the spec");
  const stale = await req(`${base}/status`, {
    method: "PATCH",
    body: JSON.stringify({ metadata: { resourceVersion: got.metadata.resourceVersion }, status: { phase: "Failed" } }),
  });
  assert.equal(stale.status, 409);
  const forbidden = await req("http://127.0.0.1/tok/apis/bubustack.io/v1alpha1/namespaces/ns/engrams/e");
  assert.equal(forbidden.status, 403);
  assert.match(
    ((await forbidden.json()) as { message: string }).message,
    /cannot get resource "engrams" in API group "bubustack.io"/,
  );
  const claim = { apiVersion: "runs.bubustack.io/v1alpha1", kind: "EffectClaim", metadata: { name: "c" }, spec: {} };
  const claims = "http://127.0.0.1/tok/apis/runs.bubustack.io/v1alpha1/namespaces/ns/effectclaims";
  assert.equal((await req(claims, { method: "POST", body: JSON.stringify(claim) })).status, 201);
  assert.equal((await req(claims, { method: "POST", body: JSON.stringify(claim) })).status, 409);
  assert.deepEqual(applyMergePatch({ a: 1, b: { c: 2, d: 3 } }, { a: null, b: { c: 4 } }), { b: { c: 4, d: 3 } });
});

test("the operator's schema normalization: refs and template strings pass anywhere, required: true is lifted", () => {
  const schema = {
    type: "object",
    properties: { words: { type: "array", items: { type: "string" } }, n: { type: "integer", required: true } },
  };
  assert.equal(schemaError({ words: ["a"], n: 1 }, schema, "T"), undefined);
  assert.equal(
    schemaError({ words: { $bubuStorageRef: "x", $bubuStoragePath: "/p" }, n: "{{ inputs.n }}" }, schema, "T"),
    undefined,
  );
  assert.match(schemaError({ words: ["a"] }, schema, "T")!, /^object is invalid against T schema: \[/, "n is required");
  assert.match(schemaError({ words: 5, n: 1 }, schema, "T")!, /words/);
  const n = operatorNormalizeSchema(schema) as { anyOf: [{ required: string[] }] };
  assert.deepEqual(n.anyOf[0].required, ["n"]);
  assert.equal(n.anyOf.length, 5);
});
