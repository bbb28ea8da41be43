/**
 * ConfigMap/Secret refs through the Kubernetes client: the resolver and the storage manager's
 * walker over HTTP. The real API peer (etcd + apiextensions-apiserver) does not serve core v1 —
 * the first test checks exactly that against it — so ConfigMaps and Secrets come from a loopback
 * fake shaped like the API server (fake-core-v1.ts): objects, 404/403 `Status` bodies.
 */

import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, afterEach, before, describe, test } from "node:test";
import { context, metrics, trace } from "@opentelemetry/api";
import { loadEnv } from "../../src/env/load.ts";
import { createKubeClient } from "../../src/k8s/create-client.ts";
import { KubernetesError } from "../../src/k8s/errors.ts";
import { CONFIG_MAPS } from "../../src/k8s/resources.ts";
import { resetBuiltInMetrics } from "../../src/observability/instruments.ts";
import { createLogger, noopLogger } from "../../src/observability/logger.ts";
import { clearSecretValues, REDACTED, redactText } from "../../src/observability/redaction.ts";
import { resetObservability } from "../../src/observability/toggles.ts";
import { createStorageServices as createStorageSeams } from "../../src/process/storage-services.ts";
import { detectRuntime } from "../../src/runtime/detect.ts";
import { KubeRefError, KubeRefResolver, type KubeRefResolverOptions } from "../../src/storage/kube-refs.ts";
import { StorageManager } from "../../src/storage/manager.ts";
import { clientFor, FakeApiServer } from "../k8s/fake-apiserver.ts";
import { installTestProviders } from "../observability/otel-test-providers.ts";
import { k8sPeerSkip, requireK8sPeer } from "../peers/k8s/peer.ts";
import { CoreV1Objects } from "./fake-core-v1.ts";
import { fileManager, tempDir } from "./support.ts";

const NS = "team-a";
const TOKEN = "s3cr3t-T0ken-4f9b2c";
const PASSWORD = "hunter2-correct-horse";
const rt = detectRuntime();

let server: FakeApiServer;
let core: CoreV1Objects;
let clientsMade = 0;

function resolver(overrides: Partial<KubeRefResolverOptions> = {}): KubeRefResolver {
  return new KubeRefResolver({
    workloadNamespace: NS,
    createClient: () => {
      clientsMade++;
      return Promise.resolve(clientFor(server, { namespace: "client-ns-unused" }));
    },
    ...overrides,
  });
}

async function rejection(p: Promise<unknown>): Promise<KubeRefError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof KubeRefError, `a KubeRefError, got ${String(err)}`);
    return err;
  }
  assert.fail("resolved");
}

describe("the real API peer", () => {
  test("serves no core v1 ConfigMaps (why the other tests use a fake)", { skip: k8sPeerSkip() }, async () => {
    const peer = requireK8sPeer();
    if (!peer) return;
    const client = await createKubeClient(rt, { kubeconfigPath: peer.kubeconfigPath });
    try {
      await assert.rejects(client.get(CONFIG_MAPS, "default", "anything"), (err: unknown) => {
        assert.ok(err instanceof KubernetesError);
        assert.equal(err.status, 404);
        return true;
      });
      // Through the resolver the failure is a clear, structured ref error.
      const r = new KubeRefResolver({ workloadNamespace: "default", createClient: () => Promise.resolve(client) });
      const err = await rejection(
        r.resolve({ kind: "ConfigMap", namespace: "default", name: "anything", key: "k", format: "auto" }),
      );
      assert.match(err.message, /^failed to read ConfigMap default\/anything: /);
      assert.equal(err.code, "NotFound");
    } finally {
      await client.close();
    }
  });
});

describe("KubeRefResolver over HTTP", () => {
  before(async () => {
    server = await new FakeApiServer().start();
  });
  after(async () => {
    await server.stop();
  });
  afterEach(() => {
    clearSecretValues();
  });

  function reset(): void {
    core = new CoreV1Objects()
      .configMap(NS, "app-config", { settings: '{"model":"m1","temperature":0.5}', banner: "  hello  ", empty: "" })
      .secret(NS, "api-creds", {
        token: TOKEN,
        json: JSON.stringify({ user: "bob", password: PASSWORD, pin: 93817 }),
        bad: "{oops",
      });
    server.faults = [core.fault()];
    server.requests.length = 0;
    clientsMade = 0;
  }

  test("ConfigMap (string form): GET /api/v1/namespaces/<ns>/configmaps/<name>, value decoded (auto)", async () => {
    reset();
    const r = resolver();
    const v = await r.resolve({
      kind: "ConfigMap",
      namespace: NS,
      name: "app-config",
      key: "settings",
      format: "auto",
    });
    assert.deepEqual(v, { model: "m1", temperature: 0.5 });
    assert.deepEqual(
      core.requests.map((q) => `${q.method} ${q.path}`),
      ["GET /api/v1/namespaces/team-a/configmaps/app-config"],
    );
    assert.equal(
      await r.resolve({ kind: "ConfigMap", namespace: NS, name: "app-config", key: "banner", format: "auto" }),
      "  hello  ",
    );
    assert.equal(
      await r.resolve({ kind: "ConfigMap", namespace: NS, name: "app-config", key: "settings", format: "raw" }),
      '{"model":"m1","temperature":0.5}',
    );
    assert.equal(
      await r.resolve({ kind: "ConfigMap", namespace: NS, name: "app-config", key: "empty", format: "auto" }),
      "",
    );
    assert.equal(clientsMade, 1, "one client for every ref");
    await r.close();
  });

  test("Secret: base64 data decoded; every text of the value registered for redaction first", async () => {
    reset();
    const registered: string[][] = [];
    const r = resolver({ registerSecretTexts: (t) => registered.push(t) });
    assert.equal(
      await r.resolve({ kind: "Secret", namespace: NS, name: "api-creds", key: "token", format: "auto" }),
      TOKEN,
    );
    assert.ok(registered.flat().includes(TOKEN));
    const creds = await r.resolve({ kind: "Secret", namespace: NS, name: "api-creds", key: "json", format: "json" });
    assert.deepEqual(creds, { user: "bob", password: PASSWORD, pin: 93817 });
    const all = registered.flat();
    assert.ok(all.includes(PASSWORD), "a string inside a JSON secret");
    assert.ok(all.includes("93817"), "a number inside a JSON secret");
    assert.ok(all.includes(JSON.stringify({ user: "bob", password: PASSWORD, pin: 93817 })), "the whole text");
    assert.equal(core.requests[0]!.path, "/api/v1/namespaces/team-a/secrets/api-creds");
    await r.close();
  });

  test("Secret values reach the process-wide registry by default", async () => {
    reset();
    const r = resolver();
    await r.resolve({ kind: "Secret", namespace: NS, name: "api-creds", key: "json", format: "auto" });
    assert.equal(redactText(`user=bob pass=${PASSWORD}`), `user=bob pass=${REDACTED}`);
    const lines: string[] = [];
    createLogger({ sink: (l) => lines.push(l) }).info("inputs", { inputs: { p: PASSWORD, n: 93817 } });
    assert.ok(!lines.join("").includes(PASSWORD));
    assert.ok(!lines.join("").includes("93817"));
    await r.close();
  });

  test("ConfigMap values are not registered as secrets", async () => {
    reset();
    const registered: string[][] = [];
    const r = resolver({ registerSecretTexts: (t) => registered.push(t) });
    await r.resolve({ kind: "ConfigMap", namespace: NS, name: "app-config", key: "settings", format: "auto" });
    assert.deepEqual(registered, []);
    await r.close();
  });

  test("missing object (404): names the ref, code NotFound, details without a value", async () => {
    reset();
    const r = resolver();
    const cm = await rejection(r.resolve({ kind: "ConfigMap", namespace: NS, name: "nope", key: "k", format: "auto" }));
    assert.equal(cm.message, `failed to read ConfigMap team-a/nope: configmaps "nope" not found`);
    assert.equal(cm.code, "NotFound");
    assert.equal(cm.type, "execution_error");
    assert.equal(cm.retryable, false);
    assert.deepEqual(cm.details, { kind: "ConfigMap", namespace: NS, name: "nope", key: "k", status: 404 });
    const sec = await rejection(r.resolve({ kind: "Secret", namespace: NS, name: "gone", key: "k", format: "auto" }));
    assert.equal(sec.message, `failed to read Secret team-a/gone: secrets "gone" not found`);
    await r.close();
  });

  test("forbidden (403): the API server's RBAC message, code Forbidden", async () => {
    reset();
    core.forbidden.add(`secrets/${NS}/api-creds`);
    const r = resolver();
    const err = await rejection(
      r.resolve({ kind: "Secret", namespace: NS, name: "api-creds", key: "token", format: "auto" }),
    );
    assert.equal(
      err.message,
      `failed to read Secret team-a/api-creds: secrets "api-creds" is forbidden: User "system:serviceaccount:team-a:runner" cannot get resource "secrets" in API group "" in the namespace "team-a"`,
    );
    assert.equal(err.code, "Forbidden");
    assert.equal((err.details as { status: number }).status, 403);
    await r.close();
  });

  test("missing key: Go's texts (`ConfigMap …` / `secret …`)", async () => {
    reset();
    const r = resolver();
    const cm = await rejection(
      r.resolve({ kind: "ConfigMap", namespace: NS, name: "app-config", key: "nope", format: "auto" }),
    );
    assert.equal(cm.message, `ConfigMap team-a/app-config missing key "nope"`);
    assert.equal(cm.code, "MissingKey");
    const sec = await rejection(
      r.resolve({ kind: "Secret", namespace: NS, name: "api-creds", key: "nope", format: "auto" }),
    );
    assert.equal(sec.message, `secret team-a/api-creds missing key "nope"`);
    await r.close();
  });

  test("a Secret value that is not JSON under format json: the error never shows it, the value is still redacted", async () => {
    reset();
    core.secret(NS, "bad-json", { v: `not-json-${PASSWORD}` });
    const r = resolver();
    const err = await rejection(
      r.resolve({ kind: "Secret", namespace: NS, name: "bad-json", key: "v", format: "json" }),
    );
    assert.equal(err.message, "failed to decode JSON from secret team-a/bad-json:v: the value is not valid JSON");
    assert.equal(redactText(`x not-json-${PASSWORD} y`), `x ${REDACTED} y`);
    await r.close();
  });

  test("invalid base64 in a Secret's data", async () => {
    reset();
    core.rawSecretData.set(`${NS}/broken`, { k: "%%%not-base64" });
    const r = resolver();
    const err = await rejection(r.resolve({ kind: "Secret", namespace: NS, name: "broken", key: "k", format: "auto" }));
    assert.equal(err.message, `failed to read Secret team-a/broken: data key "k" is not valid base64`);
    await r.close();
  });

  test("an unsupported format fails before any request", async () => {
    reset();
    const r = resolver();
    const err = await rejection(
      r.resolve({ kind: "Secret", namespace: NS, name: "api-creds", key: "token", format: "yaml" }),
    );
    assert.equal(err.message, `unsupported format "yaml" for secret team-a/api-creds:token`);
    assert.equal(core.requests.length, 0);
    assert.equal(clientsMade, 0);
    await r.close();
  });

  test("client creation failure: Go's prefix; not cached", async () => {
    reset();
    let attempts = 0;
    const r = new KubeRefResolver({
      workloadNamespace: NS,
      createClient: () => {
        attempts++;
        return attempts === 1
          ? Promise.reject(new Error("no kubeconfig at /nowhere"))
          : Promise.resolve(clientFor(server));
      },
    });
    const err = await rejection(
      r.resolve({ kind: "ConfigMap", namespace: NS, name: "app-config", key: "banner", format: "raw" }),
    );
    assert.equal(err.message, "failed to initialize Kubernetes client: no kubeconfig at /nowhere");
    assert.equal(err.code, "ClientUnavailable");
    assert.equal(
      await r.resolve({ kind: "ConfigMap", namespace: NS, name: "app-config", key: "banner", format: "raw" }),
      "  hello  ",
    );
    assert.equal(attempts, 2);
    await r.close();
  });

  describe("in the storage manager's walker", () => {
    const payload = {
      cfg: { $bubuConfigMapRef: "app-config:settings" },
      list: [{ $bubuSecretRef: { name: "api-creds", key: "token" } }, 3],
      explicit: { $bubuSecretRef: "team-a/api-creds:token" },
      extraKey: { $bubuSecretRef: "api-creds:token", note: "two keys: an ordinary map" },
      cross: { $bubuSecretRef: "other/api-creds:token" },
      plain: "text",
    };

    test("hydrate resolves single-key refs anywhere; other maps are recursed; unparsable refs stay and are reported", async () => {
      reset();
      const ignored: string[] = [];
      const manager = new StorageManager({
        kubeRefs: resolver({ onIgnoredRef: (kind, reason) => ignored.push(`${kind}: ${reason}`) }),
      });
      const out = await manager.hydrate(payload);
      assert.deepEqual(out, {
        cfg: { model: "m1", temperature: 0.5 },
        list: [TOKEN, 3],
        explicit: TOKEN,
        extraKey: { $bubuSecretRef: "api-creds:token", note: "two keys: an ordinary map" },
        cross: { $bubuSecretRef: "other/api-creds:token" },
        plain: "text",
      });
      assert.deepEqual(ignored, [
        `Secret: cross-namespace references are not allowed: "other" (workload namespace: "team-a")`,
      ]);
      assert.equal(clientsMade, 1);
      await manager.close();
    });

    test("hydrateStorageRefsOnly leaves ConfigMap/Secret refs alone and builds no client", async () => {
      reset();
      const manager = new StorageManager({ kubeRefs: resolver() });
      assert.deepEqual(await manager.hydrateStorageRefsOnly(payload), payload);
      assert.equal(clientsMade, 0);
      assert.equal(core.requests.length, 0);
      await manager.close();
    });

    test("lazy: no refs, no client", async () => {
      reset();
      const manager = new StorageManager({ kubeRefs: resolver() });
      assert.deepEqual(await manager.hydrate({ a: [1, { b: "c" }], $bubuSecretRefX: "s:k" }), {
        a: [1, { b: "c" }],
        $bubuSecretRefX: "s:k",
      });
      assert.equal(clientsMade, 0);
      await manager.close();
    });

    test("without a resolver, refs pass through unchanged", async () => {
      reset();
      const manager = new StorageManager();
      assert.deepEqual(await manager.hydrate(payload), payload);
      assert.equal(core.requests.length, 0);
    });

    test("refs inside stored content are resolved too; a ref failure fails the hydration", async () => {
      reset();
      const { dir, cleanup } = tempDir();
      try {
        mkdirSync(join(dir, "inputs/team-a/sr"), { recursive: true });
        writeFileSync(
          join(dir, "inputs/team-a/sr/doc.json"),
          JSON.stringify({ contentType: "json", data: { key: { $bubuSecretRef: "api-creds:token" } } }),
        );
        const manager = await fileManager(dir, { kubeRefs: resolver() });
        assert.deepEqual(await manager.hydrate({ doc: { $bubuStorageRef: "inputs/team-a/sr/doc.json" } }), {
          doc: { key: TOKEN },
        });
        await assert.rejects(manager.hydrate({ x: { $bubuConfigMapRef: "app-config:missing" } }), {
          name: "KubeRefError",
          message: `ConfigMap team-a/app-config missing key "missing"`,
        });
        await manager.close();
      } finally {
        cleanup();
      }
    });

    test("span: storage.allowKubeRefs is true for hydrate with a resolver, false otherwise; no value in any span", async () => {
      reset();
      resetObservability();
      resetBuiltInMetrics();
      const { tracer } = installTestProviders();
      try {
        const withRefs = new StorageManager({ kubeRefs: resolver() });
        await withRefs.hydrate({ t: { $bubuSecretRef: "api-creds:token" } });
        await withRefs.hydrateStorageRefsOnly({ t: 1 });
        await new StorageManager().hydrate({ t: 1 });
        await assert.rejects(withRefs.hydrate({ t: { $bubuSecretRef: "api-creds:nope" } }));
        const spans = tracer.spans.map((s) => [s.name, s.attributes["storage.allowKubeRefs"]]);
        assert.deepEqual(spans, [
          ["storage.Hydrate", true],
          ["storage.HydrateStorageRefsOnly", false],
          ["storage.Hydrate", false],
          ["storage.Hydrate", true],
        ]);
        assert.ok(!JSON.stringify(tracer.spans).includes(TOKEN));
        await withRefs.close();
      } finally {
        trace.disable();
        metrics.disable();
        context.disable();
        resetObservability();
        resetBuiltInMetrics();
      }
    });
  });

  describe("createStorageSeams wiring", () => {
    function kubeconfigIn(dir: string): string {
      const path = join(dir, "kubeconfig");
      writeFileSync(
        path,
        `apiVersion: v1\nkind: Config\ncurrent-context: t\ncontexts:\n- name: t\n  context: {cluster: c, user: u}\nclusters:\n- name: c\n  cluster: {server: "${server.url}"}\nusers:\n- name: u\n  user: {token: test-token}\n`,
      );
      return path;
    }

    function seamRuntime(env: Record<string, string>, home: string): Parameters<typeof createStorageSeams>[0] {
      return {
        fs: rt.fs,
        env: (name) => env[name],
        cwd: () => rt.cwd(),
        createTlsFetch: (o) => rt.createTlsFetch(o),
        homeDir: () => home,
        name: rt.name,
      };
    }

    const namespaces = {
      BUBU_POD_NAMESPACE: NS,
      BUBU_STEPRUN_NAMESPACE: "steprun-ns",
      BUBU_TARGET_STORY_NAMESPACE: "story-ns",
    };

    test("cluster mode: inputs and config resolve refs in the kube-ref namespace (POD first), through KUBECONFIG", async () => {
      reset();
      const { dir, cleanup } = tempDir();
      try {
        const env = { BUBU_STEPRUN_NAME: "sr-1", ...namespaces, KUBECONFIG: kubeconfigIn(dir) };
        const seams = await createStorageSeams(seamRuntime(env, dir), loadEnv(env), noopLogger);
        const inputs = await seams.hydrateInputs(
          { token: { $bubuSecretRef: "api-creds:token" }, n: 1 },
          AbortSignal.timeout(5000),
        );
        // Ref-read values are protected from templating like stored ones.
        assert.deepEqual(inputs, { value: { token: TOKEN, n: 1 }, storagePaths: ["/token"] });
        const config = await seams.hydrateConfig(
          { settings: { $bubuConfigMapRef: { name: "app-config", key: "settings" } } },
          AbortSignal.timeout(5000),
        );
        assert.deepEqual(config, {
          value: { settings: { model: "m1", temperature: 0.5 } },
          storagePaths: ["/settings"],
        });
        assert.deepEqual(
          core.requests.map((q) => q.path),
          ["/api/v1/namespaces/team-a/secrets/api-creds", "/api/v1/namespaces/team-a/configmaps/app-config"],
        );
        assert.equal(core.requests[0]!.headers["authorization"], "Bearer test-token");
        await seams.close();
      } finally {
        cleanup();
      }
    });

    test("cluster mode: a cross-namespace ref is left as is and logged as a warning (no value, no request)", async () => {
      reset();
      const { dir, cleanup } = tempDir();
      try {
        const env = { BUBU_STEPRUN_NAME: "sr-1", ...namespaces, KUBECONFIG: kubeconfigIn(dir) };
        const lines: string[] = [];
        const seams = await createStorageSeams(
          seamRuntime(env, dir),
          loadEnv(env),
          createLogger({ sink: (l) => lines.push(l) }),
        );
        const inputs = await seams.hydrateInputs(
          { t: { $bubuSecretRef: "story-ns/api-creds:token" } },
          AbortSignal.timeout(5000),
        );
        assert.deepEqual(inputs.value, { t: { $bubuSecretRef: "story-ns/api-creds:token" } });
        assert.equal(core.requests.length, 0);
        assert.equal(lines.length, 1);
        const line = JSON.parse(lines[0]!) as Record<string, unknown>;
        assert.equal(line.level, "WARN");
        assert.equal(line.msg, "Secret reference left unresolved");
        assert.equal(
          line.reason,
          `cross-namespace references are not allowed: "story-ns" (workload namespace: "team-a")`,
        );
        await seams.close();
      } finally {
        cleanup();
      }
    });

    test("local mode (storage on, no cluster) and kubeRefs: false leave refs alone", async () => {
      reset();
      const { dir, cleanup } = tempDir();
      try {
        const local = {
          BUBU_STORAGE_PROVIDER: "file",
          BUBU_STORAGE_PATH: dir,
          ...namespaces,
          KUBECONFIG: kubeconfigIn(dir),
        };
        const ref = { t: { $bubuSecretRef: "api-creds:token" } };
        const a = await createStorageSeams(seamRuntime(local, dir), loadEnv(local), noopLogger);
        assert.deepEqual((await a.hydrateInputs(ref, AbortSignal.timeout(5000))).value, ref);
        await a.close();
        const cluster = { ...local, BUBU_STEPRUN_NAME: "sr-1" };
        const b = await createStorageSeams(seamRuntime(cluster, dir), loadEnv(cluster), noopLogger, {
          kubeRefs: false,
        });
        assert.deepEqual((await b.hydrateInputs(ref, AbortSignal.timeout(5000))).value, ref);
        await b.close();
        assert.equal(core.requests.length, 0);
      } finally {
        cleanup();
      }
    });
  });
});
