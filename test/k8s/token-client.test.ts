// createTokenKubeClient and the runtime-free KubeClient: a static bearer token over a plain fetch,
// the URL rules (https, or http on loopback only), and what a plain fetch cannot honour.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { KubeClient } from "../../src/k8s/client.ts";
import { KubeconfigError } from "../../src/k8s/kubeconfig.ts";
import { STORIES } from "../../src/k8s/resources.ts";
import { createTokenKubeClient } from "../../src/k8s/token-client.ts";
import { TokenSource } from "../../src/k8s/token-source.ts";

describe("createTokenKubeClient", () => {
  test("sends the token, the user agent and the settings from env through the given fetch", async () => {
    const seen: { url: string; headers: Headers; signal: AbortSignal | null | undefined }[] = [];
    const env: Record<string, string> = {
      BUBU_IMPULSE_NAMESPACE: "team",
      BUBU_K8S_USER_AGENT: "edge-hook",
      BUBU_K8S_TIMEOUT: "7s",
    };
    const kube = createTokenKubeClient({
      server: "https://kube.test:6443/",
      token: " sa-token \n",
      env: (n) => env[n],
      fetch: (input, init) => {
        seen.push({ url: String(input), headers: new Headers(init?.headers), signal: init?.signal });
        return Promise.resolve(new Response('{"spec":{"version":"v2"}}', { status: 200 }));
      },
    });
    assert.equal(kube.namespace, "team");
    assert.equal(kube.config.timeoutMs, 7000);
    assert.equal(kube.config.source, "explicit");
    assert.deepEqual(await kube.get(STORIES, "team", "greet"), { spec: { version: "v2" } });
    assert.equal(seen[0]!.url, "https://kube.test:6443/apis/bubustack.io/v1alpha1/namespaces/team/stories/greet");
    assert.equal(seen[0]!.headers.get("authorization"), "Bearer sa-token");
    assert.equal(seen[0]!.headers.get("user-agent"), "edge-hook");
    await kube.close();
  });

  test("refuses plain http beyond loopback, a non-URL, another scheme and an empty token", () => {
    const bad: [string, string, RegExp][] = [
      ["http://kube.example.com", "t", /plain http/],
      ["kube.example.com:6443", "t", /must be an https:\/\/ URL|not a URL/],
      ["ftp://kube.test", "t", /must be an https:\/\/ URL/],
      ["https://kube.test", "  ", /bearer token is empty/],
    ];
    for (const [server, token, re] of bad) {
      assert.throws(
        () => createTokenKubeClient({ server, token }),
        (err: unknown) => err instanceof KubeconfigError && re.test(err.message),
        server,
      );
    }
    assert.equal(
      createTokenKubeClient({ server: "http://127.0.0.1:8080", token: "t" }).config.server,
      "http://127.0.0.1:8080",
    );
  });
});

describe("KubeClient without a runtime", () => {
  const base = {
    source: "explicit" as const,
    server: "https://kube.test",
    caSource: "-",
    namespace: "",
    userAgent: "x",
    timeoutMs: 1000,
  };

  test("a CA, client certificate or server name needs createTlsFetch: refused, naming what was set", () => {
    assert.throws(
      () => new KubeClient({ ...base, ca: "PEM", serverName: "kubernetes" }, {}),
      /ca, serverName set, but this client has a plain fetch/,
    );
    assert.doesNotThrow(
      () => new KubeClient({ ...base, ca: "PEM" }, { createTlsFetch: () => ({ fetch, close: async () => {} }) }),
    );
  });

  test("a token file needs a file system", () => {
    assert.throws(
      () => new KubeClient({ ...base, tokenFile: "/var/run/token" }, {}),
      /token file \(\/var\/run\/token\) needs a file system/,
    );
    assert.throws(() => new TokenSource({ tokenFile: "/t" }), /needs a file system/);
  });
});
