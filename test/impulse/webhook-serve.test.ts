// The webhook handler served by the runtime under test (bun test → Bun.serve, deno test →
// Deno.serve, node --test → node:http) and probed over sockets. In another process (a server in
// the test's own process never closes a connection while the client is mid-write, so it cannot
// show a reset): oversize bodies, chunked or not, from a raw socket, fetch and node:http, get 413.
// In process: a body trickling in gets 408 and its connection closed while other deliveries go
// through; a burst of concurrent deliveries stays within the concurrency bound.

import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { after, before, describe, test } from "node:test";
import { Secrets } from "../../src/engram/secrets.ts";
import { githubSignature } from "../../src/impulse/webhook/verify.ts";
import { createWebhookHandler } from "../../src/impulse/webhook/webhook-handler.ts";
import { detectRuntime } from "../../src/runtime/detect.ts";
import type { HttpServer } from "../../src/runtime/types.ts";
import { currentRuntime, type RunResult, runScript } from "../support/spawn.ts";
import { FakeTrigger, githubSig, MAX_BODY, push, rawPost, rawRequest, SECRET } from "./webhook-support.ts";

/**
 * Whether the server closes a connection whose request body it answered without reading.
 * Deno.serve (2.9.6) sends `connection: close` but keeps the socket until the client has sent
 * the declared body or left, and has no read timeout of its own (denoland/deno#3515); the
 * handler's slot is free either way, which the deliveries sent meanwhile show.
 */
const closesUnreadBodies = currentRuntime() !== "deno";
const BIG = 32 * 1024 * 1024;
const signedHead = (extra: string): string => {
  const body = push("big");
  return `POST /webhook HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\nx-hub-signature-256: ${githubSig(body)}\r\n${extra}\r\n`;
};

describe("webhook served by the runtime in this process: slow clients and bursts", () => {
  let server: HttpServer;
  let port = 0;
  const trigger = new FakeTrigger();

  before(async () => {
    const verify = githubSignature({ secret: SECRET });
    await verify.prepare(new Secrets({}));
    const handler = createWebhookHandler({
      verify,
      toInputs: (p) => p as Record<string, unknown>,
      trigger: trigger.fn,
      maxBodyBytes: MAX_BODY,
      bodyTimeoutMs: 500,
      concurrency: { maxInFlight: 8, maxQueued: 32, retryAfterSeconds: 1 },
    });
    server = await detectRuntime().serve(handler, { port: 0, hostname: "127.0.0.1" });
    port = server.port;
  });

  after(async () => {
    await server?.close();
  });

  test("a body trickling 1 byte per 100 ms gets 408 and its connection closed; deliveries meanwhile succeed", async () => {
    const calls = trigger.calls.length;
    let trickled = 0;
    const slow = rawRequest(
      port,
      signedHead("content-length: 100\r\n"),
      async (put) => {
        for (let i = 0; i < 100; i++) {
          if (!(await put("x"))) return;
          trickled++;
          await new Promise((r) => setTimeout(r, 100));
        }
      },
      15_000,
    );
    const meanwhile = [];
    for (let i = 0; i < 5; i++) {
      const body = push(`meanwhile-${i}`);
      meanwhile.push(
        (await rawPost(port, body, { "x-hub-signature-256": githubSig(body), connection: "close" })).status,
      );
    }
    assert.deepEqual(meanwhile, [202, 202, 202, 202, 202]);
    const answer = await slow;
    assert.equal(answer.status, 408, `slow client: ${answer.status} after ${trickled} bytes`);
    assert.ok(trickled < 100, "answered before the body was complete");
    if (closesUnreadBodies) assert.equal(await answer.closed, "closed");
    else answer.destroy();
    assert.equal(trigger.calls.length, calls + 5);
  });

  test("300 concurrent deliveries: 8 in flight, 32 queued, the rest 503 with Retry-After; all are accepted on retry", async () => {
    trigger.hold();
    const before = trigger.calls.length;
    trigger.maxInFlight = 0;
    const bodies = Array.from({ length: 300 }, (_, i) => push(`burst-${i}`));
    const sendAll = (bs: string[]) =>
      Promise.all(
        bs.map((b) => rawPost(port, b, { "x-hub-signature-256": githubSig(b), connection: "close" }, 20_000)),
      );
    const firstP = sendAll(bodies);
    // Hold the trigger until every refusal is out, then let the admitted ones finish.
    for (let i = 0; i < 500 && trigger.inFlight < 8; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 300));
    trigger.release();
    const first = await firstP;
    const accepted = first.filter((a) => a.status === 202).length;
    const refused = first.filter((a) => a.status === 503);
    assert.equal(accepted + refused.length, 300, first.map((a) => a.status).join(","));
    assert.ok(accepted >= 8 && refused.length > 0, `accepted ${accepted}, refused ${refused.length}`);
    assert.ok(
      refused.every((a) => /\r\nretry-after: 1\r\n/i.test(a.headers)),
      "every 503 says when to retry",
    );
    assert.equal(trigger.maxInFlight, 8);
    let pending = bodies.filter((_, i) => first[i]!.status !== 202);
    for (let round = 0; round < 20 && pending.length > 0; round++) {
      const again = await sendAll(pending);
      pending = pending.filter((_, i) => again[i]!.status !== 202);
    }
    assert.equal(pending.length, 0);
    assert.equal(trigger.calls.length - before, 300);
    assert.ok(trigger.maxInFlight <= 8);
  });
});

describe("webhook served by the runtime in another process: oversize bodies", () => {
  let child: { kill(sig: NodeJS.Signals): void } | undefined;
  let exited: Promise<RunResult> | undefined;
  let childPort = 0;
  const childCalls = async (): Promise<number> =>
    Number(await (await fetch(`http://127.0.0.1:${childPort}/calls`)).text());

  before(async () => {
    let onPort!: (p: number) => void;
    const port = new Promise<number>((r) => (onPort = r));
    exited = runScript("test/impulse/webhook-server.ts", {
      timeoutMs: 60_000,
      onOutput: (text, c) => {
        child = c;
        const m = /listening (\d+)/.exec(text);
        if (m) onPort(Number(m[1]));
      },
    });
    childPort = await Promise.race([
      port,
      exited.then((r) => Promise.reject(new Error(`server exited: ${r.code}\n${r.stderr}`))),
    ]);
  });
  after(async () => {
    child?.kill("SIGKILL");
    await exited;
  });

  test("a 32 MiB body with Content-Length and a chunked one both get 413 after at most a few MiB", async () => {
    const calls = await childCalls();
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    const sized = await rawRequest(
      childPort,
      signedHead(`content-length: ${BIG}\r\n`),
      async (put) => {
        for (let sent = 0; sent < BIG; sent += chunk.length) if (!(await put(chunk))) return;
      },
      20_000,
    );
    assert.equal(sized.status, 413, `content-length: ${sized.status} after ${sized.sent} bytes`);
    const chunked = await rawRequest(
      childPort,
      signedHead("transfer-encoding: chunked\r\n"),
      async (put) => {
        for (let sent = 0; sent < BIG; sent += chunk.length) {
          if (!(await put(`${chunk.length.toString(16)}\r\n`)) || !(await put(chunk)) || !(await put("\r\n"))) return;
        }
        await put("0\r\n\r\n");
      },
      20_000,
    );
    assert.equal(chunked.status, 413, `chunked: ${chunked.status} after ${chunked.sent} bytes`);
    assert.ok(chunked.sent < BIG / 2, `chunked: the server read ${chunked.sent} bytes before answering`);
    // The server closes both connections rather than drain the rest (see closesUnreadBodies).
    if (closesUnreadBodies) {
      assert.equal(await sized.closed, "closed");
      assert.equal(await chunked.closed, "closed");
    } else {
      sized.destroy();
      chunked.destroy();
    }
    assert.equal(await childCalls(), calls);
  });

  test("clients that send the whole 16 MiB body before reading (fetch, node:http) get the 413, not a reset", async () => {
    const size = 16 * 1024 * 1024;
    const viaFetch = async (streamed: boolean): Promise<string> => {
      let left = size;
      const body = streamed
        ? new ReadableStream<Uint8Array>({
            pull(c) {
              if (left <= 0) return c.close();
              left -= 64 * 1024;
              c.enqueue(new Uint8Array(64 * 1024));
            },
          })
        : new Uint8Array(size);
      try {
        const res = await fetch(`http://127.0.0.1:${childPort}/webhook`, {
          method: "POST",
          body,
          duplex: "half",
        } as RequestInit);
        return `${res.status} ${JSON.stringify(await res.json())}`;
      } catch (err) {
        return `fetch failed: ${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}`;
      }
    };
    const viaHttp = (chunked: boolean): Promise<string> =>
      new Promise((resolve) => {
        const req = httpRequest(
          {
            host: "127.0.0.1",
            port: childPort,
            path: "/webhook",
            method: "POST",
            headers: chunked ? {} : { "content-length": String(size) },
          },
          (res) => {
            let text = "";
            res.on("data", (d: Uint8Array) => (text += new TextDecoder().decode(d)));
            res.on("end", () => resolve(`${res.statusCode} ${text.trim()}`));
          },
        );
        req.on("error", (err) => resolve(`request failed: ${err.message}`));
        const chunk = new Uint8Array(64 * 1024);
        let sent = 0;
        const pump = (): void => {
          while (sent < size && !req.destroyed) {
            sent += chunk.length;
            if (!req.write(chunk)) return void req.once("drain", pump);
          }
          req.end();
        };
        pump();
      });
    const expected = `413 ${JSON.stringify({ error: `request body exceeds ${MAX_BODY} bytes` })}`;
    for (let round = 0; round < 2; round++) {
      assert.deepEqual(
        [await viaFetch(false), await viaFetch(true), await viaHttp(false), await viaHttp(true)],
        [expected, expected, expected, expected],
        `round ${round}: fetch bytes, fetch stream, node:http sized, node:http chunked`,
      );
    }
  });
});
