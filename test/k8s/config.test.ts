import assert from "node:assert/strict";
import { lstat, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, test } from "node:test";
import { type ConfigRuntime, kubeconfigPathFromEnv, loadKubeConfig } from "../../src/k8s/config.ts";
import { createKubeClient } from "../../src/k8s/create-client.ts";
import { NotInClusterError, readInClusterConfig } from "../../src/k8s/in-cluster.ts";
import { KubeconfigError, readKubeconfig } from "../../src/k8s/kubeconfig.ts";
import { readK8sSettings } from "../../src/k8s/settings.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "k8s-config-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const fs = {
  readTextFile: (p: string) => readFile(p, "utf8"),
  lstat: async (p: string) => {
    const s = await lstat(p);
    return { isFile: s.isFile(), isDirectory: s.isDirectory(), isSymlink: s.isSymbolicLink(), size: s.size };
  },
} as unknown as ConfigRuntime["fs"];

function runtime(env: Record<string, string>, home?: string, cwd = "/"): ConfigRuntime {
  return { env: (n: string) => env[n], fs, homeDir: () => home, cwd: () => cwd };
}

const CA = "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n";
const CERT = "-----BEGIN CERTIFICATE-----\nCLIENT\n-----END CERTIFICATE-----\n";
const KEY = "-----BEGIN EC PRIVATE KEY-----\nKEY\n-----END EC PRIVATE KEY-----\n";
const b64 = (s: string): string => Buffer.from(s).toString("base64");

function kubeconfig(cluster: string, user: string, extra = ""): string {
  return `apiVersion: v1
kind: Config
current-context: dev
contexts:
- name: other
  context: {cluster: nowhere, user: nobody}
- name: dev
  context:
    cluster: c1
    user: u1
    namespace: ctx-ns
clusters:
- name: c1
  cluster:
${cluster}
users:
- name: u1
  user:
${user}
${extra}`;
}

describe("kubeconfig", () => {
  test("data variants: CA, client cert and key from base64", async () => {
    const path = join(dir, "config");
    await writeFile(
      path,
      kubeconfig(
        `    server: https://127.0.0.1:6443/\n    certificate-authority-data: ${b64(CA)}\n    tls-server-name: api.local`,
        `    client-certificate-data: ${b64(CERT)}\n    client-key-data: ${b64(KEY)}`,
      ),
    );
    const kc = await readKubeconfig(path, { fs });
    assert.equal(kc.server, "https://127.0.0.1:6443");
    assert.equal(kc.ca, CA);
    assert.equal(kc.cert, CERT);
    assert.equal(kc.key, KEY);
    assert.equal(kc.serverName, "api.local");
    assert.equal(kc.contextName, "dev");
    assert.equal(kc.contextNamespace, "ctx-ns");
    assert.equal(kc.token, undefined);
  });

  test("file variants resolve relative to the kubeconfig directory; tokenFile is kept as a path", async () => {
    await mkdir(join(dir, "pki"));
    await writeFile(join(dir, "pki", "ca.crt"), CA);
    await writeFile(join(dir, "pki", "client.crt"), CERT);
    await writeFile(join(dir, "pki", "client.key"), KEY);
    const path = join(dir, "config");
    await writeFile(
      path,
      kubeconfig(
        "    server: https://[::1]:6443\n    certificate-authority: pki/ca.crt",
        "    client-certificate: pki/client.crt\n    client-key: " +
          join(dir, "pki", "client.key") +
          "\n    tokenFile: tok\n    token: static",
      ),
    );
    const kc = await readKubeconfig(path, { fs });
    assert.equal(kc.ca, CA);
    assert.equal(kc.caSource, join(dir, "pki", "ca.crt"));
    assert.equal(kc.cert, CERT);
    assert.equal(kc.key, KEY);
    assert.equal(kc.tokenFile, join(dir, "tok"));
    assert.equal(kc.token, "static");
    assert.equal(kc.server, "https://[::1]:6443");
  });

  test("refusals and errors are explicit", async () => {
    const path = join(dir, "config");
    const cases: [string, string, RegExp][] = [
      [
        "    server: https://h:1\n    insecure-skip-tls-verify: true",
        "    token: t",
        /insecure-skip-tls-verify is set; the SDK always verifies TLS/,
      ],
      ["    server: http://10.0.0.1:8080", "    token: t", /uses plain http; only https is allowed/],
      ["    server: https://h:1", "    exec:\n      command: aws", /exec credential plugins are not supported/],
      ["    server: https://h:1", "    auth-provider:\n      name: gcp", /auth-provider is not supported/],
      ["    server: https://h:1", "    username: a\n    password: b", /basic authentication is not supported/],
      [
        "    server: https://h:1",
        `    client-certificate-data: ${b64(CERT)}`,
        /client-certificate and client-key must be set together/,
      ],
      [
        "    server: https://h:1\n    certificate-authority: missing.crt",
        "    token: t",
        /cannot read certificate-authority file .*missing\.crt/,
      ],
      [
        "    server: https://h:1\n    certificate-authority-data: '!!!'",
        "    token: t",
        /certificate-authority-data is not valid base64/,
      ],
      ["    insecure: 1", "    token: t", /cluster "c1": no server/],
    ];
    for (const [cluster, user, re] of cases) {
      await writeFile(path, kubeconfig(cluster, user));
      await assert.rejects(
        readKubeconfig(path, { fs }),
        (err: unknown) => err instanceof KubeconfigError && re.test(err.message),
        re.source,
      );
    }
    await writeFile(path, "current-context: nope\ncontexts: []\n");
    await assert.rejects(readKubeconfig(path, { fs }), /context "nope" not found/);
    await writeFile(path, "kind: Config\n");
    await assert.rejects(readKubeconfig(path, { fs }), /no current-context/);
    await writeFile(path, "a: [unclosed\n");
    await assert.rejects(readKubeconfig(path, { fs }), /invalid YAML/);
  });

  test("http on loopback is accepted (test servers)", async () => {
    const path = join(dir, "config");
    await writeFile(path, kubeconfig("    server: http://127.0.0.1:8080", "    token: t"));
    assert.equal((await readKubeconfig(path, { fs })).server, "http://127.0.0.1:8080");
  });

  test("KUBECONFIG: first entry of a colon list, relative to cwd; else ~/.kube/config", () => {
    assert.equal(
      kubeconfigPathFromEnv(runtime({ KUBECONFIG: ":a/config:/b/config" }, "/home/u", "/work")),
      "/work/a/config",
    );
    assert.equal(kubeconfigPathFromEnv(runtime({}, "/home/u")), "/home/u/.kube/config");
  });
});

describe("loadKubeConfig", () => {
  test("in-cluster: IPv6 host in brackets, token file, CA; namespace from BUBU_* env, not the SA file", async () => {
    await writeFile(join(dir, "token"), "sa-token\n");
    await writeFile(join(dir, "ca.crt"), CA);
    await writeFile(join(dir, "namespace"), "sa-ns");
    const cfg = await loadKubeConfig(
      runtime({
        KUBERNETES_SERVICE_HOST: "fd00::1",
        KUBERNETES_SERVICE_PORT: "443",
        BUBU_STEPRUN_NAMESPACE: "step-ns",
        BUBU_POD_NAMESPACE: "pod-ns",
        BUBU_K8S_TIMEOUT: "1m30s",
        BUBU_K8S_USER_AGENT: "",
      }),
      { serviceAccountDir: dir },
    );
    assert.equal(cfg.source, "in-cluster");
    assert.equal(cfg.server, "https://[fd00::1]:443");
    assert.equal(cfg.tokenFile, join(dir, "token"));
    assert.equal(cfg.ca, CA);
    assert.equal(cfg.namespace, "step-ns");
    assert.equal(cfg.timeoutMs, 90_000);
    assert.equal(cfg.userAgent, "bubu-sdk-go");
  });

  test("in-cluster without a CA file falls back to system roots", async () => {
    await writeFile(join(dir, "token"), "t");
    const conn = await readInClusterConfig({
      env: (n) => ({ KUBERNETES_SERVICE_HOST: "10.0.0.1", KUBERNETES_SERVICE_PORT: "6443" })[n],
      fs,
      serviceAccountDir: dir,
    });
    assert.equal(conn.server, "https://10.0.0.1:6443");
    assert.equal(conn.ca, undefined);
    assert.equal(conn.caSource, "system roots");
  });

  test("in-cluster needs both variables and a readable token", async () => {
    await assert.rejects(
      readInClusterConfig({
        env: (n) => (n === "KUBERNETES_SERVICE_HOST" ? "h" : undefined),
        fs,
        serviceAccountDir: dir,
      }),
      NotInClusterError,
    );
    await assert.rejects(
      readInClusterConfig({ env: () => "x", fs, serviceAccountDir: dir }),
      (err: unknown) => err instanceof NotInClusterError && /cannot read service-account token/.test(err.message),
    );
  });

  test("falls back to KUBECONFIG when the in-cluster token is missing; context namespace is not used", async () => {
    const path = join(dir, "kc");
    await writeFile(path, kubeconfig("    server: https://h:6443", "    token: abc"));
    const cfg = await loadKubeConfig(
      runtime({ KUBERNETES_SERVICE_HOST: "h", KUBERNETES_SERVICE_PORT: "1", KUBECONFIG: path }),
      { serviceAccountDir: join(dir, "none") },
    );
    assert.equal(cfg.source, "kubeconfig");
    assert.equal(cfg.kubeconfigPath, path);
    assert.equal(cfg.token, "abc");
    assert.equal(cfg.namespace, "");
    assert.equal(cfg.contextNamespace, "ctx-ns");
  });

  test("no in-cluster and no kubeconfig → one clear error", async () => {
    await assert.rejects(
      loadKubeConfig(runtime({}, dir)),
      (err: unknown) =>
        err instanceof KubeconfigError &&
        err.message.startsWith(
          "failed to get in-cluster config (unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined) and no kubeconfig at " +
            join(dir, ".kube/config"),
        ),
    );
  });

  test("namespace precedence TARGET_STORY → IMPULSE → STEPRUN → POD", async () => {
    const path = join(dir, "kc");
    await writeFile(path, kubeconfig("    server: https://h:6443", "    token: abc"));
    const all = {
      KUBECONFIG: path,
      BUBU_TARGET_STORY_NAMESPACE: "a",
      BUBU_IMPULSE_NAMESPACE: "b",
      BUBU_STEPRUN_NAMESPACE: "c",
      BUBU_POD_NAMESPACE: "d",
    };
    assert.equal((await loadKubeConfig(runtime(all))).namespace, "a");
    assert.equal((await loadKubeConfig(runtime({ ...all, BUBU_TARGET_STORY_NAMESPACE: "" }))).namespace, "b");
    assert.equal(
      (await loadKubeConfig(runtime({ KUBECONFIG: path, BUBU_POD_NAMESPACE: "d", POD_NAMESPACE: "x" }))).namespace,
      "d",
    );
  });

  test("createKubeClient builds a client from the environment", async () => {
    const path = join(dir, "kc");
    await writeFile(path, kubeconfig("    server: https://h:6443", "    token: abc"));
    const client = await createKubeClient({
      ...runtime({ KUBECONFIG: path, BUBU_POD_NAMESPACE: "p" }),
      createTlsFetch: () => ({ fetch, close: async () => {} }),
    });
    assert.equal(client.namespace, "p");
    assert.equal(client.config.server, "https://h:6443");
  });
});

describe("BUBU_K8S_* settings", () => {
  const read = (env: Record<string, string>) => readK8sSettings((n) => env[n]);
  test("defaults", () => {
    assert.deepEqual(read({}), {
      timeoutMs: 30_000,
      operationTimeoutMs: 30_000,
      patchMaxRetries: 5,
      userAgent: "bubu-sdk-go",
      podName: "",
    });
  });
  test("valid values", () => {
    assert.deepEqual(
      read({
        BUBU_K8S_TIMEOUT: "250ms",
        BUBU_K8S_OPERATION_TIMEOUT: " 2s ",
        BUBU_K8S_PATCH_MAX_RETRIES: " 2 ",
        BUBU_K8S_USER_AGENT: "ua/1",
        BUBU_POD_NAME: " pod ",
      }),
      { timeoutMs: 250, operationTimeoutMs: 2_000, patchMaxRetries: 2, userAgent: "ua/1", podName: "pod" },
    );
  });
  test("malformed values are EnvErrors naming the variable (strict, as at startup); retries <0 → 0", () => {
    const s = read({ BUBU_K8S_TIMEOUT: " 5s", BUBU_K8S_PATCH_MAX_RETRIES: "-3" });
    assert.equal(s.timeoutMs, 5_000, "values are trimmed like every env value");
    assert.equal(s.patchMaxRetries, 0);
    for (const [name, value] of [
      ["BUBU_K8S_PATCH_MAX_RETRIES", "x"],
      ["BUBU_K8S_PATCH_MAX_RETRIES", "1.5"],
      ["BUBU_K8S_OPERATION_TIMEOUT", "10"],
      ["BUBU_K8S_OPERATION_TIMEOUT", "-1s"],
      ["BUBU_K8S_TIMEOUT", "0"],
    ]) {
      assert.throws(
        () => read({ [name]: value }),
        (err: Error) => err.name === "EnvError" && err.message.startsWith(`${name}: `),
        `${name}=${value}`,
      );
    }
  });
});
