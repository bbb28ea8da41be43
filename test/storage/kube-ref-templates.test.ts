/**
 * Values read through `$bubuConfigMapRef`/`$bubuSecretRef` are never template-evaluated: the
 * hydrate walker reports their paths (`kubeRefPaths`) and the storage seams add them to the
 * protected paths. Unit level (StorageManager) and a whole batch run in cluster mode.
 */

import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { startBatch } from "../../src/batch/start-batch.ts";
import { noopLogger } from "../../src/observability/logger.ts";
import { hasHydrationRefs } from "../../src/process/payload.ts";
import { detectRuntime } from "../../src/runtime/detect.ts";
import type { Runtime } from "../../src/runtime/types.ts";
import { type KubeRefClient, KubeRefResolver } from "../../src/storage/kube-refs.ts";
import { type CoreApi, startCoreApi } from "./core-api.ts";
import { fileManager, tempDir } from "./support.ts";

const NS = "team-a";
/** A Secret value that looks like a template; it must reach the engram exactly like this. */
const TEMPLATE_LIKE = "{{ .x }} and {{ .inputs.name }}";

/** A client over fixed data (Secrets base64, as the API server sends them). */
function fixedClient(data: Record<string, Record<string, string>>): KubeRefClient {
  const client = {
    get(_gvr: unknown, _ns: string, name: string) {
      const d = data[name];
      if (!d) return Promise.reject(new Error(`${name} not found`));
      return Promise.resolve({ data: Object.fromEntries(Object.entries(d).map(([k, v]) => [k, btoa(v)])) });
    },
    close: () => Promise.resolve(),
  };
  return client as unknown as KubeRefClient;
}

function resolver(data: Record<string, Record<string, string>>): KubeRefResolver {
  return new KubeRefResolver({
    workloadNamespace: NS,
    createClient: () => Promise.resolve(fixedClient(data)),
    registerSecretTexts: () => {},
  });
}

describe("StorageManager.hydrate kubeRefPaths", () => {
  test("lists the JSON Pointer of every resolved ref (nested, in arrays, escaped keys), in walk order", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const m = await fileManager(dir, { kubeRefs: resolver({ s: { k: "v1" } }) });
      const paths: string[] = [];
      const out = await m.hydrate(
        {
          a: { $bubuSecretRef: "s:k" },
          list: [1, { deep: { $bubuSecretRef: "s:k" } }],
          "we/ird~": { $bubuSecretRef: { name: "s", key: "k", format: "raw" } },
          plain: "x",
        },
        { kubeRefPaths: paths },
      );
      assert.deepEqual(out, { a: "v1", list: [1, { deep: "v1" }], "we/ird~": "v1", plain: "x" });
      assert.deepEqual(paths, ["/a", "/list/1/deep", "/we~1ird~0"]);
    } finally {
      cleanup();
    }
  });

  test("refs inside stored content, unresolved refs and hydrateStorageRefsOnly are not listed", async () => {
    const { dir, cleanup } = tempDir();
    try {
      mkdirSync(join(dir, "inputs"), { recursive: true });
      writeFileSync(
        join(dir, "inputs/doc.json"),
        JSON.stringify({ contentType: "json", data: { t: { $bubuSecretRef: "s:k" } } }),
      );
      const m = await fileManager(dir, { kubeRefs: resolver({ s: { k: "v1" } }) });
      const paths: string[] = [];
      const out = await m.hydrate(
        {
          stored: { $bubuStorageRef: "inputs/doc.json" },
          // Cross-namespace: left as it is, so nothing was read.
          other: { $bubuSecretRef: "elsewhere/s:k" },
        },
        { kubeRefPaths: paths },
      );
      assert.deepEqual(out, { stored: { t: "v1" }, other: { $bubuSecretRef: "elsewhere/s:k" } });
      assert.deepEqual(paths, []);
      const only: string[] = [];
      await m.hydrateStorageRefsOnly({ a: { $bubuSecretRef: "s:k" } }, { kubeRefPaths: only });
      assert.deepEqual(only, []);
    } finally {
      cleanup();
    }
  });

  test("a failed read lists nothing and throws", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const m = await fileManager(dir, { kubeRefs: resolver({}) });
      const paths: string[] = [];
      await assert.rejects(
        m.hydrate({ a: { $bubuSecretRef: "missing:k" } }, { kubeRefPaths: paths }),
        /failed to read Secret team-a\/missing/,
      );
      assert.deepEqual(paths, []);
    } finally {
      cleanup();
    }
  });
});

describe("hasHydrationRefs", () => {
  test("true only when a ref key appears", () => {
    assert.equal(hasHydrationRefs({ a: { $bubuSecretRef: "s:k" } }), true);
    assert.equal(hasHydrationRefs({ a: [{ $bubuConfigMapRef: "c:k" }] }), true);
    assert.equal(hasHydrationRefs({ a: { $bubuStorageRef: "x" } }), true);
    assert.equal(
      hasHydrationRefs({ a: "$bubuSecretRef", b: { bubuSecretRef: 1 }, c: '{"$bubuSecretRef":"s:k"}' }),
      false,
    );
    assert.equal(hasHydrationRefs({}), false);
  });
});

describe("batch in cluster mode: ConfigMap/Secret values next to templates", () => {
  let api: CoreApi;
  before(async () => {
    api = await startCoreApi();
    api.core
      .secret(NS, "creds", { tpl: TEMPLATE_LIKE, token: "tok-1" })
      .configMap(NS, "app", { greeting: JSON.stringify({ text: "{{ .inputs.name }}", n: 2 }) });
  });
  after(async () => await api.stop());

  test("templated fields are resolved, ref-read values come through verbatim (config and inputs)", async () => {
    const name = "sr-verbatim";
    const path = `/apis/runs.bubustack.io/v1alpha1/namespaces/${NS}/stepruns/${name}`;
    api.server.put(path, {
      apiVersion: "runs.bubustack.io/v1alpha1",
      kind: "StepRun",
      metadata: { name, namespace: NS },
      spec: { stepId: "step" },
      status: { phase: "Running" },
    });
    const env: Record<string, string> = {
      KUBECONFIG: api.kubeconfig,
      BUBU_STEPRUN_NAME: name,
      BUBU_STEPRUN_NAMESPACE: NS,
      BUBU_POD_NAMESPACE: NS,
      BUBU_K8S_OPERATION_TIMEOUT: "10s",
      BUBU_TEMPLATE_CONTEXT: JSON.stringify({ inputs: { name: "ada" } }),
      BUBU_STEP_CONFIG: JSON.stringify({
        hello: "hi {{ .inputs.name }}",
        secret: { $bubuSecretRef: "creds:tpl" },
        greeting: { $bubuConfigMapRef: "app:greeting" },
      }),
      BUBU_TRIGGER_DATA: JSON.stringify({
        who: "{{ .inputs.name }}",
        list: ["{{ .inputs.name }}", { $bubuSecretRef: { name: "creds", key: "tpl", format: "raw" } }],
      }),
    };
    const runtime: Runtime = {
      ...detectRuntime(),
      env: (n) => env[n],
      envAll: () => ({ ...env }),
      onSignal: () => () => {},
    };
    let seenConfig: unknown;
    let seenInputs: unknown;
    const outcome = await startBatch(
      {
        init(ctx) {
          seenConfig = ctx.config;
        },
        process(_ctx, inputs) {
          seenInputs = inputs;
          return { ok: true };
        },
      },
      { runtime, env, exit: false, args: [], logger: noopLogger },
    );
    assert.equal(outcome.exitCode, 0, String(outcome.status.lastFailureMsg ?? ""));
    assert.deepEqual(seenConfig, {
      hello: "hi ada",
      secret: TEMPLATE_LIKE,
      greeting: { text: "{{ .inputs.name }}", n: 2 },
    });
    assert.deepEqual(seenInputs, { who: "ada", list: ["ada", TEMPLATE_LIKE] });
    assert.equal((api.server.objects.get(path)?.status as { phase?: string }).phase, "Succeeded");
  });
});
