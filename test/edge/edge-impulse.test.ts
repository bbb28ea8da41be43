// edgeImpulse in process, with the Kubernetes API as an in-process fetch: the StoryTrigger it
// posts is byte for byte the one StoryClient builds, the delivery policy (key mode) applies, the
// Impulse's count goes to ctx.waitUntil, bindings come from the Workers `env` argument or from
// options, and a missing binding answers 500 without saying more than that.

import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { describe, test } from "node:test";
import { edgeImpulse, githubSignature } from "../../src/edge/mod.ts";
import { loadEnv } from "../../src/env/load.ts";
import { buildStoryTriggerRequest } from "../../src/impulse/trigger-request.ts";
import { goJsonStringify } from "../../src/json/go-json.ts";
import { createTokenKubeClient } from "../../src/k8s/token-client.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { FakeApi } from "./fake-api.ts";

const SECRET = "unit secret";
const TOKEN = "token-that-must-not-leak";
const sign = (body: string): string => `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`;
const bindings = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  BUBU_KUBE_API_URL: "https://kube.test:6443",
  BUBU_KUBE_TOKEN: TOKEN,
  WEBHOOK_SECRET: SECRET,
  BUBU_TARGET_STORY_NAME: "greet",
  BUBU_TARGET_STORY_NAMESPACE: "team",
  ...extra,
});
const deliver = (body: string): Request =>
  new Request("https://hook.test/webhook", {
    method: "POST",
    body,
    headers: { "content-type": "application/json", "x-hub-signature-256": sign(body) },
  });
const verify = githubSignature({ secret: { secretKey: "WEBHOOK_SECRET" } });
const quiet = createLogger({ sink: () => {} });

async function sha256Hex(text: string): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

describe("edgeImpulse in process", () => {
  test("the StoryTrigger it posts is byte for byte StoryClient's request; the body digest is the token", async () => {
    const api = new FakeApi();
    const hook = edgeImpulse({ verify, toInputs: (p) => ({ event: p }), fetch: api.fetch, logger: quiet });
    const body = JSON.stringify({ n: 1, text: "héllo <&>" });
    const res = await hook.fetch(deliver(body), bindings());
    assert.equal(res.status, 202, await res.clone().text());
    const posted = api.posts();
    assert.equal(posted.length, 1);
    assert.equal(posted[0]!.path, "/apis/runs.bubustack.io/v1alpha1/namespaces/team/storytriggers");
    assert.equal(posted[0]!.headers.get("authorization"), `Bearer ${TOKEN}`);

    const env = bindings() as Record<string, string>;
    const expected = await buildStoryTriggerRequest({
      kube: createTokenKubeClient({
        server: env.BUBU_KUBE_API_URL!,
        token: TOKEN,
        env: (n) => env[n],
        fetch: new FakeApi().fetch,
      }),
      env: loadEnv(env),
      storyName: "greet",
      storyNamespace: "",
      inputs: { event: JSON.parse(body) },
      resolvedToken: await sha256Hex(body),
      dedupe: undefined,
      signal: new AbortController().signal,
      operationTimeoutMs: 5000,
    });
    assert.equal(posted[0]!.body, goJsonStringify(expected.trigger));
    assert.equal(expected.trigger.spec.deliveryIdentity.key, await sha256Hex(body));
  });

  test("the delivery policy applies: in key mode the key template, not the body digest, names the trigger", async () => {
    const api = new FakeApi();
    const hook = edgeImpulse({
      verify,
      toInputs: (p) => p as Record<string, unknown>,
      fetch: api.fetch,
      logger: quiet,
    });
    const env = bindings({ BUBU_TRIGGER_DEDUPE_MODE: "key", BUBU_TRIGGER_DEDUPE_KEY_TEMPLATE: "{{ .inputs.id }}" });
    for (const extra of ["a", "b"]) {
      const res = await hook.fetch(deliver(JSON.stringify({ id: "order-42", extra })), env);
      assert.equal(res.status, 202);
    }
    const ids = api
      .posts()
      .map(
        (p) =>
          (JSON.parse(p.body) as { spec: { deliveryIdentity: { mode: string; key: string } } }).spec.deliveryIdentity,
      );
    assert.deepEqual(
      ids.map((i) => i.mode),
      ["key", "key"],
    );
    assert.equal(ids[0]!.key, await sha256Hex("order-42"));
    assert.equal(ids[1]!.key, ids[0]!.key);
  });

  test("the Impulse's trigger count is written after the response, through ctx.waitUntil", async () => {
    const api = new FakeApi();
    const hook = edgeImpulse({ verify, toInputs: (p) => ({ event: p }), fetch: api.fetch, logger: quiet });
    const waited: Promise<unknown>[] = [];
    const res = await hook.fetch(
      deliver('{"n":2}'),
      bindings({ BUBU_IMPULSE_NAME: "hook", BUBU_IMPULSE_NAMESPACE: "team" }),
      {
        waitUntil: (p) => void waited.push(p),
      },
    );
    assert.equal(res.status, 202);
    assert.equal(waited.length, 1);
    await Promise.all(waited);
    assert.equal(api.impulseStatus.triggersReceived, 1);
    assert.equal(api.impulseStatus.storiesLaunched, 1);
    assert.ok(api.requests.some((r) => r.method === "PATCH" && r.path.endsWith("/impulses/hook/status")));
  });

  test("options.env wins over the second argument (Bun.serve and Deno.serve pass their own)", async () => {
    const api = new FakeApi();
    const hook = edgeImpulse({
      verify,
      toInputs: (p) => ({ event: p }),
      fetch: api.fetch,
      env: bindings(),
      logger: quiet,
    });
    const res = await hook.fetch(deliver('{"n":3}'), { port: 8080, hostname: "0.0.0.0", stop() {} });
    assert.equal(res.status, 202);
    const health = await hook.fetch(new Request("https://hook.test/healthz"));
    assert.equal(await health.text(), "ok\n");
  });

  test("a missing or malformed binding answers 500 with no detail; the log names the binding, never the token", async () => {
    const lines: string[] = [];
    const logger = createLogger({ sink: (l) => void lines.push(l) });
    const hook = edgeImpulse({ verify, toInputs: (p) => ({ event: p }), fetch: new FakeApi().fetch, logger });
    const cases: Record<string, unknown>[] = [
      bindings({ BUBU_KUBE_API_URL: undefined }),
      bindings({ BUBU_KUBE_API_URL: "http://kube.example.com" }),
      bindings({ BUBU_K8S_TIMEOUT: "soon" }),
      bindings({ WEBHOOK_SECRET: "" }),
    ];
    for (const env of cases) {
      const res = await hook.fetch(deliver('{"n":4}'), env);
      const text = await res.text();
      assert.equal(res.status, 500);
      assert.deepEqual(JSON.parse(text), { error: "the impulse is misconfigured (see its log)" });
    }
    const log = lines.join("");
    assert.match(log, /BUBU_KUBE_API_URL/);
    assert.match(log, /plain http/);
    assert.match(log, /BUBU_K8S_TIMEOUT/);
    assert.match(log, /webhook secret is empty/);
    assert.ok(!log.includes(TOKEN), "the token never reaches the log");
  });
});
