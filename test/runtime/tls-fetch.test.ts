import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { detectRuntime, runtimeName } from "../../src/runtime/detect.ts";
import type { TlsFetch } from "../../src/runtime/types.ts";
import { makePki, type Pki } from "./helpers/pki.ts";
import { type Echo, type EchoServer, startEchoServer } from "./helpers/tls-echo-server.ts";

describe("createTlsFetch (mutual TLS against a private CA)", () => {
  const rt = detectRuntime();
  let pki: Pki;
  let server: EchoServer;
  let named: EchoServer;
  const opened: TlsFetch[] = [];
  const open = (o: Parameters<typeof rt.createTlsFetch>[0]): TlsFetch => {
    const f = rt.createTlsFetch(o);
    opened.push(f);
    return f;
  };

  before(async () => {
    pki = makePki();
    server = await startEchoServer({ ...pki.server, ca: pki.ca });
    named = await startEchoServer({ ...pki.named, ca: pki.ca });
  });
  after(async () => {
    for (const f of opened) await f.close();
    await server?.close();
    await named?.close();
    pki?.cleanup();
  });

  test("trusts the CA and presents the client certificate", async () => {
    const { fetch } = open({ ca: pki.ca, ...pki.client });
    const res = await fetch(`${server.origin}/hello`);
    assert.equal(res.status, 200);
    assert.ok(res instanceof Response, "a global Response");
    assert.equal(res.url, `${server.origin}/hello`);
    const echo = (await res.json()) as Echo;
    assert.equal(echo.cn, "engram-client");
    assert.equal(echo.authorized, true);
    assert.equal(echo.path, "/hello");
  });

  test("sends request bodies from init and from a Request object", async () => {
    const { fetch } = open({ ca: pki.ca, ...pki.client });
    const a = (await (
      await fetch(`${server.origin}/a`, {
        method: "POST",
        body: '{"x":"é"}',
        headers: { "content-type": "application/json" },
      })
    ).json()) as Echo;
    assert.deepEqual([a.method, a.body, a.contentType], ["POST", '{"x":"é"}', "application/json"]);
    const req = new Request(`${server.origin}/b`, { method: "PUT", body: "from a Request" });
    const b = (await (await fetch(req)).json()) as Echo;
    assert.deepEqual([b.method, b.path, b.body], ["PUT", "/b", "from a Request"]);
    const c = (await (
      await fetch(`${server.origin}/c`, {
        method: "POST",
        body: new URLSearchParams({ k: "v w" }),
      })
    ).json()) as Echo;
    assert.equal(c.body, "k=v+w");
    assert.match(c.contentType ?? "", /^application\/x-www-form-urlencoded/);
  });

  test("a 204 response has a null body", async () => {
    const { fetch } = open({ ca: pki.ca, ...pki.client });
    const res = await fetch(`${server.origin}/no-content`);
    assert.equal(res.status, 204);
    assert.equal(res.body, null);
  });

  test("streams a chunked response line by line (watch style)", async () => {
    const { fetch } = open({ ca: pki.ca, ...pki.client });
    const res = await fetch(`${server.origin}/stream`);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    while (!seen.includes("line 2\n")) {
      const { value, done } = await reader.read();
      assert.equal(done, false, "stream ended before line 2");
      seen += value;
    }
    assert.equal(seen, "line 1\nline 2\n", "lines 1-2 arrive while the server holds line 3");
    server.release();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += value;
    }
    assert.equal(seen, "line 1\nline 2\nline 3\n");
  });

  test("accepts a CA bundle with several certificates", async () => {
    const { fetch } = open({ ca: pki.otherCa + pki.ca, ...pki.client });
    assert.equal((await fetch(`${server.origin}/`)).status, 200);
  });

  test("fails without a client certificate", async () => {
    const { fetch } = open({ ca: pki.ca });
    await assert.rejects(async () => {
      const res = await fetch(`${server.origin}/`);
      await res.text();
    });
  });

  test("fails with a CA that did not sign the server certificate", async () => {
    const { fetch } = open({ ca: pki.otherCa, ...pki.client });
    await assert.rejects(() => fetch(`${server.origin}/`), TypeError);
  });

  test("the default global fetch does not trust the private CA", async () => {
    await assert.rejects(() => fetch(`${server.origin}/`));
  });

  test("verifies the host name: a cert for api.kube.test fails at 127.0.0.1", async () => {
    const { fetch } = open({ ca: pki.ca, ...pki.client });
    await assert.rejects(() => fetch(`${named.origin}/`));
  });

  test("serverName sets the verified name (Node, Bun); Deno rejects the option", async () => {
    const options = { ca: pki.ca, ...pki.client, serverName: "api.kube.test" };
    if (runtimeName() === "deno") {
      assert.throws(() => rt.createTlsFetch(options), /serverName.*not supported on Deno/);
      return;
    }
    const res = await open(options).fetch(`${named.origin}/`);
    assert.equal(((await res.json()) as Echo).cn, "engram-client");
    const wrong = open({ ...options, serverName: "other.kube.test" });
    await assert.rejects(() => wrong.fetch(`${named.origin}/`));
  });

  test("an aborted signal rejects with AbortError", async () => {
    const { fetch } = open({ ca: pki.ca, ...pki.client });
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(() => fetch(`${server.origin}/`, { signal: ac.signal }), { name: "AbortError" });
  });

  test("close() is idempotent and later calls reject", async () => {
    const f = rt.createTlsFetch({ ca: pki.ca, ...pki.client });
    assert.equal((await f.fetch(`${server.origin}/`)).status, 200);
    await f.close();
    await f.close();
    await assert.rejects(() => f.fetch(`${server.origin}/`), /TlsFetch is closed/);
  });

  test("a plain http URL is sent without TLS (an http S3 endpoint while AWS_CA_BUNDLE is set)", async () => {
    const plain = createServer((req, res) => res.end(`plain ${req.method} ${req.url}`));
    await new Promise<void>((r) => plain.listen(0, "127.0.0.1", r));
    try {
      const { fetch } = open({ ca: pki.ca, ...pki.client });
      const origin = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
      const res = await fetch(`${origin}/bucket/key`, { method: "PUT", body: "x" });
      assert.equal(res.status, 200);
      assert.equal(await res.text(), "plain PUT /bucket/key");
      assert.equal(await (await fetch(new URL(`${origin}/u`))).text(), "plain GET /u");
    } finally {
      plain.closeAllConnections();
      await new Promise((r) => plain.close(r));
    }
  });

  test("follows a redirect by default (url and redirected say so); redirect: manual returns the 302", async () => {
    const { fetch } = open({ ca: pki.ca, ...pki.client });
    const res = await fetch(`${server.origin}/redirect?to=/moved`);
    assert.equal(res.status, 200);
    assert.equal(res.redirected, true);
    assert.equal(res.url, `${server.origin}/moved`);
    assert.equal(((await res.json()) as Echo).path, "/moved");
    const manual = await fetch(`${server.origin}/redirect?to=/moved`, { redirect: "manual" });
    assert.equal(manual.status, 302);
    await manual.body?.cancel();
  });

  test("exchange, where the adapter has it: text, bodies, 204, a streamed body, abort, TLS failure, closed", async (t) => {
    const f = open({ ca: pki.ca, ...pki.client });
    if (f.exchange === undefined) {
      t.diagnostic(`${runtimeName()}: no exchange (its fetch is used)`);
      assert.notEqual(runtimeName(), "node", "the Node adapter has exchange");
      return;
    }
    const get = await f.exchange({ method: "GET", url: `${server.origin}/x`, headers: { "user-agent": "ua" } });
    assert.equal(get.status, 200);
    assert.deepEqual(JSON.parse(await get.text()).path, "/x");
    const post = await f.exchange({
      method: "POST",
      url: `${server.origin}/p`,
      headers: { "content-type": "application/json" },
      body: '{"é":1}',
    });
    const echo = JSON.parse(await post.text()) as Echo;
    assert.deepEqual(
      [echo.method, echo.body, echo.contentType, echo.cn],
      ["POST", '{"é":1}', "application/json", "engram-client"],
    );
    const bytes = await f.exchange({
      method: "PUT",
      url: `${server.origin}/b`,
      headers: {},
      body: new TextEncoder().encode("raw"),
    });
    assert.equal((JSON.parse(await bytes.text()) as Echo).body, "raw");
    const empty = await f.exchange({ method: "GET", url: `${server.origin}/no-content`, headers: {} });
    assert.equal(empty.status, 204);
    assert.equal(empty.body, null);
    const redirect = await f.exchange({ method: "GET", url: `${server.origin}/redirect?to=/moved`, headers: {} });
    assert.equal(redirect.status, 302, "redirects are not followed");
    await redirect.cancel();

    const stream = await f.exchange({ method: "GET", url: `${server.origin}/stream`, headers: {} });
    const reader = stream.body!.getReader();
    const decoder = new TextDecoder();
    let seen = "";
    while (!seen.includes("line 2\n")) seen += decoder.decode((await reader.read()).value, { stream: true });
    server.release();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += decoder.decode(value, { stream: true });
    }
    assert.equal(seen, "line 1\nline 2\nline 3\n");

    const ac = new AbortController();
    ac.abort(new Error("stop"));
    await assert.rejects(
      () => f.exchange!({ method: "GET", url: `${server.origin}/`, headers: {}, signal: ac.signal }),
      /stop/,
    );
    const wrongCa = open({ ca: pki.otherCa, ...pki.client });
    await assert.rejects(
      () => wrongCa.exchange!({ method: "GET", url: `${server.origin}/`, headers: {} }),
      (err: unknown) => {
        assert.ok(err instanceof TypeError);
        assert.equal(typeof (err.cause as { code?: unknown }).code, "string", "the TLS error's code is kept");
        return true;
      },
    );
    await f.close();
    await assert.rejects(
      () => f.exchange!({ method: "GET", url: `${server.origin}/`, headers: {} }),
      /TlsFetch is closed/,
    );
  });

  test("rejects bad options up front", () => {
    assert.throws(() => rt.createTlsFetch({ cert: pki.client.cert }), /must be given together/);
    assert.throws(() => rt.createTlsFetch({ key: pki.client.key }), /must be given together/);
    assert.throws(() => rt.createTlsFetch({ ca: "/etc/ssl/ca.pem" }), /"ca" must be PEM text/);
    assert.throws(() => rt.createTlsFetch({ ca: pki.ca, serverName: "" }), /serverName/);
  });
});
