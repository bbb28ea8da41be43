// The webhook fetch handler on its own (no server, no cluster): seeded forgeries, replays with a
// new or missing delivery id, signed timestamps outside the window, the concurrency bound (bodies
// of waiting deliveries stay unread), the replay store's bounds, and the plain error answers.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, test } from "node:test";
import { Secrets } from "../../src/engram/secrets.ts";
import { RetryableTriggerError, StoryTriggerRejectedError } from "../../src/impulse/errors.ts";
import { readBody } from "../../src/impulse/webhook/read-body.ts";
import { memoryReplayStore } from "../../src/impulse/webhook/replay-store.ts";
import { timestampedSignature } from "../../src/impulse/webhook/timestamped-signature.ts";
import { githubSignature, sharedSecretHeader, type WebhookVerifier } from "../../src/impulse/webhook/verify.ts";
import { createWebhookHandler, type WebhookHandlerOptions } from "../../src/impulse/webhook/webhook-handler.ts";
import { FakeTrigger, githubSig, prng, push, SECRET, timestampedSig } from "./webhook-support.ts";

const URL_ = "http://hook.test/webhook";
const NOW = 1_800_000_000_000;

async function prepared(v: WebhookVerifier): Promise<WebhookVerifier> {
  await v.prepare(new Secrets({}));
  return v;
}

async function setup(extra: Partial<WebhookHandlerOptions> = {}, scheme: "github" | "timestamped" = "github") {
  const trigger = new FakeTrigger();
  const verify =
    scheme === "github"
      ? await prepared(githubSignature({ secret: SECRET }))
      : await prepared(timestampedSignature({ secret: SECRET, now: () => NOW }));
  const handler = createWebhookHandler({
    verify,
    toInputs: (p) => p as Record<string, unknown>,
    trigger: trigger.fn,
    ...extra,
  });
  return { trigger, handler };
}

function post(
  handler: (r: Request) => Promise<Response>,
  body: string | Uint8Array,
  headers: Record<string, string>,
): Promise<Response> {
  return handler(
    new Request(URL_, {
      method: "POST",
      body: body as BodyInit,
      headers: { "content-type": "application/json", ...headers },
    }),
  );
}

/** Waits (at most 5 s) for `cond`; the assertions after it say what was expected. */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
}

const sha256 = (b: string): string => createHash("sha256").update(b).digest("hex");

describe("webhook handler: forgeries", () => {
  test("600 seeded mutations of signed requests are all refused and none reaches the trigger", async () => {
    const seed = 0x7e57;
    const r = prng(seed);
    const pick = (n: number): number => Math.floor(r() * n);
    const hexDigitOtherThan = (c: string): string => "0123456789abcdef".replace(c.toLowerCase(), "")[pick(15)]!;
    const t = Math.floor(NOW / 1000);
    for (const scheme of ["github", "timestamped"] as const) {
      const { trigger, handler } = await setup({}, scheme);
      const header = scheme === "github" ? "x-hub-signature-256" : "x-webhook-signature";
      const body = push("forge");
      const good = scheme === "github" ? githubSig(body) : timestampedSig(body, t);
      const statuses = new Map<number, number>();
      for (let i = 0; i < 300; i++) {
        let b: string | Uint8Array = body;
        let sig: string | undefined = good;
        const bytes = new TextEncoder().encode(body);
        const hexAt = good.length - 1 - pick(64);
        switch (pick(9)) {
          case 0: // one bit of the body
            bytes[pick(bytes.length)]! ^= 1 << pick(8);
            b = bytes;
            break;
          case 1: // one hex digit of the signature
            sig = good.slice(0, hexAt) + hexDigitOtherThan(good[hexAt]!) + good.slice(hexAt + 1);
            break;
          case 2: // a truncated body
            b = body.slice(0, pick(body.length));
            break;
          case 3: // trailing bytes
            b = body + " \n".slice(0, 1 + pick(2));
            break;
          case 4: // no signature
            sig = undefined;
            break;
          case 5: // a truncated signature
            sig = good.slice(0, good.length - 1 - pick(63));
            break;
          case 6: // the right body signed with another secret
            sig = scheme === "github" ? githubSig(body, SECRET + pick(9)) : timestampedSig(body, t, SECRET + pick(9));
            break;
          case 7: // another body's valid signature
            sig = scheme === "github" ? githubSig(push(`other-${i}`)) : timestampedSig(push(`other-${i}`), t);
            break;
          default: // the scheme's framing: another time under the same MAC, or a wrong prefix
            sig =
              scheme === "github"
                ? good.replace("sha256=", ["sha1=", "sha512=", "", "SHA256="][pick(4)]!)
                : good.replace(`t=${t}`, `t=${t + 1 + pick(100)}`);
        }
        const res = await post(handler, b, {
          ...(sig !== undefined ? { [header]: sig } : {}),
          "x-delivery-id": `forged-${i}`,
        });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        assert.ok(res.status === 401 || res.status === 403, `${scheme} forgery ${i} (seed ${seed}) got ${res.status}`);
      }
      assert.equal(trigger.calls.length, 0, `${scheme}: ${[...statuses].join(" ")}`);
      // The unmutated request passes: the refusals above are not a handler that refuses everything.
      assert.equal((await post(handler, body, { [header]: good })).status, 202);
      assert.equal(trigger.calls.length, 1);
    }
  });
});

describe("webhook handler: replays", () => {
  test("GitHub: the same signed body with 10 new and 10 missing delivery ids starts one Story", async () => {
    const { trigger, handler } = await setup();
    const body = push("replay");
    const first = await post(handler, body, { "x-hub-signature-256": githubSig(body), "x-github-delivery": "d-1" });
    assert.equal(first.status, 202);
    const { storyRun } = (await first.json()) as { storyRun: string };
    for (let i = 0; i < 20; i++) {
      const res = await post(handler, body, {
        "x-hub-signature-256": githubSig(body),
        ...(i < 10 ? { "x-github-delivery": `new-${i}` } : {}),
      });
      assert.equal(res.status, 200, `replay ${i}`);
      assert.deepEqual(await res.json(), { storyRun, ...(i < 10 ? { deliveryId: `new-${i}` } : {}), replayed: true });
    }
    assert.equal(trigger.calls.length, 1);
    // The token is the body's digest, so the StoryTrigger itself is idempotent too.
    assert.equal(trigger.calls[0]!.triggerToken, sha256(body));
    assert.equal(trigger.calls[0]!.deliveryId, "d-1");
    // A repeated delivery id counts as a replay even with another (validly signed) body…
    const other = push("other");
    assert.equal(
      (await post(handler, other, { "x-hub-signature-256": githubSig(other), "x-github-delivery": "d-1" })).status,
      200,
    );
    // …while another body under a new id is a new delivery.
    assert.equal(
      (await post(handler, other, { "x-hub-signature-256": githubSig(other), "x-github-delivery": "d-2" })).status,
      202,
    );
    assert.equal(trigger.calls.length, 2);
  });

  test("20 copies at once start one Story: the others wait for the first and answer as replays", async () => {
    const { trigger, handler } = await setup();
    trigger.hold();
    const body = push("burst");
    const all = Array.from({ length: 20 }, (_, i) =>
      post(handler, body, { "x-hub-signature-256": githubSig(body), "x-github-delivery": `burst-${i}` }),
    );
    await until(() => trigger.calls.length === 1);
    await new Promise((r) => setTimeout(r, 20));
    trigger.release();
    const statuses = (await Promise.all(all)).map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 202).length, 1);
    assert.equal(statuses.filter((s) => s === 200).length, 19);
    assert.equal(trigger.calls.length, 1);
  });

  test("timestamped: a replay within the window and a sender retry with a new time are the same delivery", async () => {
    const { trigger, handler } = await setup({}, "timestamped");
    const body = push("ts");
    const t = Math.floor(NOW / 1000);
    assert.equal((await post(handler, body, { "x-webhook-signature": timestampedSig(body, t) })).status, 202);
    assert.equal(
      (await post(handler, body, { "x-webhook-signature": timestampedSig(body, t), "x-delivery-id": "new" })).status,
      200,
    );
    assert.equal((await post(handler, body, { "x-webhook-signature": timestampedSig(body, t - 30) })).status, 200);
    assert.equal(trigger.calls.length, 1);
  });

  test("a failed trigger is not remembered: the retry triggers again", async () => {
    let fail: Error | undefined = new RetryableTriggerError("storytrigger is still pending");
    const trigger = new FakeTrigger();
    const handler = createWebhookHandler({
      verify: await prepared(githubSignature({ secret: SECRET })),
      toInputs: (p) => p as Record<string, unknown>,
      trigger: async (req) => {
        if (fail) {
          const e = fail;
          fail = undefined;
          throw e;
        }
        return trigger.fn(req);
      },
    });
    const body = push("retry");
    const h = { "x-hub-signature-256": githubSig(body), "x-github-delivery": "r-1" };
    const first = await post(handler, body, h);
    assert.equal(first.status, 503);
    assert.equal(first.headers.get("retry-after"), "5");
    assert.equal((await post(handler, body, h)).status, 202);
    assert.equal((await post(handler, body, h)).status, 200);
    assert.equal(trigger.calls.length, 1);
  });

  test("a shared store: a second handler (another replica) sees the first one's deliveries", async () => {
    const store = memoryReplayStore();
    const a = await setup({ replay: { store } });
    const b = await setup({ replay: { store } });
    const body = push("replica");
    assert.equal((await post(a.handler, body, { "x-hub-signature-256": githubSig(body) })).status, 202);
    assert.equal(
      (await post(b.handler, body, { "x-hub-signature-256": githubSig(body), "x-github-delivery": "x" })).status,
      200,
    );
    assert.equal(a.trigger.calls.length + b.trigger.calls.length, 1);
  });

  test("without a verifier the body digest still catches replays", async () => {
    const trigger = new FakeTrigger();
    const handler = createWebhookHandler({ toInputs: (p) => p as Record<string, unknown>, trigger: trigger.fn });
    for (let i = 0; i < 5; i++) await post(handler, push("anon"), i % 2 ? { "x-request-id": `id-${i}` } : {});
    assert.equal(trigger.calls.length, 1);
  });
});

describe("webhook handler: signed timestamps", () => {
  test("older or newer than the tolerance → 401; inside it → accepted; the wrong secret → 403", async () => {
    const { trigger, handler } = await setup({}, "timestamped");
    const t = Math.floor(NOW / 1000);
    const cases: [number, number][] = [
      [-301, 401],
      [301, 401],
      [-86_400, 401],
      [3_600, 401],
      [-299, 202],
      [299, 202],
      [0, 202],
    ];
    for (const [skew, status] of cases) {
      const body = push(`skew${skew}`);
      const res = await post(handler, body, { "x-webhook-signature": timestampedSig(body, t + skew) });
      assert.equal(res.status, status, `skew ${skew}s`);
      if (status === 401)
        assert.deepEqual(await res.json(), { error: "signature timestamp outside the accepted window" });
    }
    assert.equal(trigger.calls.length, 3);
    const body = push("stale-and-wrong");
    assert.equal(
      (await post(handler, body, { "x-webhook-signature": timestampedSig(body, t - 1000, "nope") })).status,
      403,
    );
    const none = await post(handler, body, {});
    assert.equal(none.status, 401);
    assert.deepEqual(await none.json(), { error: "missing signature" });
    for (const bad of [
      "t=,v1=00",
      `v1=${"0".repeat(64)}`,
      `t=${t}`,
      `t=${t},v1=xyz`,
      `t=${t},t=${t},v1=${"0".repeat(64)}`,
      "garbage",
    ]) {
      assert.equal((await post(handler, body, { "x-webhook-signature": bad })).status, 403, bad);
    }
  });

  test("a rotated secret: any one matching v1 passes; a custom header and tolerance", async () => {
    const trigger = new FakeTrigger();
    const verify = timestampedSignature({
      secret: { secretKey: "HOOK" },
      header: "X-Sig",
      toleranceSeconds: 10,
      now: () => NOW,
    });
    await verify.prepare(new Secrets({ HOOK: SECRET }));
    const handler = createWebhookHandler({
      verify,
      toInputs: (p) => p as Record<string, unknown>,
      trigger: trigger.fn,
    });
    const t = Math.floor(NOW / 1000);
    const body = push("rotated");
    const old = timestampedSig(body, t, "old secret").split(",v1=")[1];
    assert.equal((await post(handler, body, { "x-sig": `${timestampedSig(body, t)},v1=${old}` })).status, 202);
    const body2 = push("rotated-2");
    assert.equal((await post(handler, body2, { "x-sig": timestampedSig(body2, t - 11) })).status, 401);
  });
});

describe("webhook handler: concurrency bound", () => {
  test("50 at once with 4 in flight and 8 queued: 38 get 503 + Retry-After at once, queued bodies stay unread", async () => {
    const { trigger, handler } = await setup({ concurrency: { maxInFlight: 4, maxQueued: 8, retryAfterSeconds: 3 } });
    trigger.hold();
    const pulled = new Set<number>();
    const requests = Array.from({ length: 50 }, (_, i) => {
      const body = new TextEncoder().encode(push(`c${i}`));
      const stream = new ReadableStream<Uint8Array>(
        {
          pull(c) {
            pulled.add(i);
            c.enqueue(body);
            c.close();
          },
        },
        { highWaterMark: 0 },
      );
      return handler(
        new Request(URL_, {
          method: "POST",
          body: stream,
          headers: { "x-hub-signature-256": githubSig(body) },
          duplex: "half",
        } as RequestInit),
      );
    });
    const settled = new Map<number, Response>();
    requests.forEach((p, i) => void p.then((r) => settled.set(i, r)));
    await until(() => settled.size >= 38 && trigger.inFlight === 4);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(settled.size, 38);
    for (const r of settled.values()) {
      assert.equal(r.status, 503);
      assert.equal(r.headers.get("retry-after"), "3");
      assert.equal(r.headers.get("connection"), "close");
      assert.deepEqual(await r.json(), { error: "too many deliveries in progress" });
    }
    assert.equal(trigger.inFlight, 4);
    // Of the 12 admitted, only the 4 holding a slot have read their body; a refused body is
    // read only to be dropped (so the sender sees the 503 before the connection closes).
    const waiting = [...Array(50).keys()].filter((i) => !settled.has(i));
    assert.equal(waiting.length, 12);
    assert.equal(waiting.filter((i) => pulled.has(i)).length, 4);
    trigger.release();
    const all = await Promise.all(requests);
    assert.equal(all.filter((r) => r.status === 202).length, 12);
    assert.equal(trigger.maxInFlight, 4);
  });

  test("a delivery that waits longer than the queue timeout gets 503", async () => {
    const { trigger, handler } = await setup({ concurrency: { maxInFlight: 1, maxQueued: 5, queueTimeoutMs: 30 } });
    trigger.hold();
    const a = push("qa");
    const b = push("qb");
    const first = post(handler, a, { "x-hub-signature-256": githubSig(a) });
    const second = await post(handler, b, { "x-hub-signature-256": githubSig(b) });
    assert.equal(second.status, 503);
    assert.equal(second.headers.get("retry-after"), "2");
    trigger.release();
    assert.equal((await first).status, 202);
  });
});

describe("webhook handler: bodies and errors", () => {
  test("declared or streamed bodies over the limit → 413 without reading past it; a stalled body → 408", async () => {
    const { trigger, handler } = await setup({ maxBodyBytes: 1000, bodyTimeoutMs: 50 });
    let pulled = 0;
    let cancelled = false;
    const endless = new ReadableStream<Uint8Array>(
      {
        pull(c) {
          pulled++;
          c.enqueue(new Uint8Array(300));
        },
        cancel() {
          cancelled = true;
        },
      },
      { highWaterMark: 0 },
    );
    const streamed = await handler(new Request(URL_, { method: "POST", body: endless, duplex: "half" } as RequestInit));
    assert.equal(streamed.status, 413);
    // The rest settles (up to 64 KiB read and dropped, then a wait up to the body timeout,
    // here 50 ms) before the response ends and the body is cancelled.
    assert.deepEqual(await streamed.json(), { error: "request body exceeds 1000 bytes" });
    assert.ok(cancelled);
    assert.ok(pulled > 4);
    // readBody itself stops at the first chunk past the limit and keeps none of it.
    let counted = 0;
    const counting = new ReadableStream<Uint8Array>(
      {
        pull(c) {
          counted++;
          c.enqueue(new Uint8Array(300));
        },
      },
      { highWaterMark: 0 },
    );
    const read = await readBody(new Request(URL_, { method: "POST", body: counting, duplex: "half" } as RequestInit), {
      maxBytes: 1000,
      timeoutMs: 1000,
    });
    assert.equal(read.ok, false);
    assert.equal(!read.ok && read.status, 413);
    assert.equal(counted, 4);
    const declared = await post(handler, "x".repeat(1001), {});
    assert.equal(declared.status, 413);
    let stalledCancelled = false;
    const stalled = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode("{"));
      },
      cancel() {
        stalledCancelled = true;
      },
    });
    const slow = await handler(new Request(URL_, { method: "POST", body: stalled, duplex: "half" } as RequestInit));
    assert.equal(slow.status, 408);
    assert.equal(slow.headers.get("connection"), "close");
    assert.match(await slow.text(), /not received within 50 ms/);
    assert.ok(stalledCancelled);
    assert.equal(trigger.calls.length, 0);
  });

  test("health endpoints, 404, 405, malformed JSON, rejected payloads, ignored deliveries, trigger errors", async () => {
    let ready = true;
    const trigger = new FakeTrigger();
    const handler = createWebhookHandler({
      path: "/hook",
      verify: await prepared(sharedSecretHeader({ secret: SECRET })),
      ready: () => ready,
      toInputs: (p) => {
        const o = p as { kind?: string };
        if (o.kind === "ignore") return undefined;
        if (o.kind === "bad") throw new Error("kind is bad");
        return { kind: o.kind };
      },
      trigger: async (req) => {
        if (req.inputs.kind === "reject") throw new StoryTriggerRejectedError("story is gone", "StoryNotFound", "ns/t");
        if (req.inputs.kind === "boom") throw new Error("api down");
        return trigger.fn(req);
      },
    });
    const get = (p: string): Promise<Response> => handler(new Request(`http://hook.test${p}`));
    for (const p of ["/healthz", "/livez", "/readyz"]) assert.equal(await (await get(p)).text(), "ok\n");
    ready = false;
    assert.equal((await get("/readyz")).status, 503);
    assert.equal((await get("/nope")).status, 404);
    const wrong = await get("/hook");
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get("allow"), "POST");
    const send = (body: string, token = SECRET): Promise<Response> =>
      handler(new Request("http://hook.test/hook", { method: "POST", body, headers: { "x-webhook-token": token } }));
    assert.equal((await send("{}", "wrong")).status, 403);
    const malformed = await send('{"kind":');
    assert.equal(malformed.status, 400);
    // The SDK's own words, identical on Bun, Deno and Node (their JSON.parse messages differ).
    assert.deepEqual(await malformed.json(), {
      error: "malformed JSON at line 1, column 9 (offset 8): unexpected end of input, expected a value",
    });
    const notUtf8 = await handler(
      new Request("http://hook.test/hook", {
        method: "POST",
        body: new Uint8Array([0x7b, 0xff, 0x7d]),
        headers: { "x-webhook-token": SECRET },
      }),
    );
    assert.equal(notUtf8.status, 400);
    assert.deepEqual(await notUtf8.json(), { error: "malformed JSON: the body is not valid UTF-8" });
    const infinite = await send('{"n":1e999}');
    assert.equal(infinite.status, 400);
    assert.match(
      ((await infinite.json()) as { error: string }).error,
      /^malformed JSON: JSON number at .* is not a finite 64-bit float$/,
    );
    assert.equal((await send(JSON.stringify({ kind: "bad" }))).status, 400);
    const ignored = await send(JSON.stringify({ kind: "ignore" }));
    assert.equal(ignored.status, 202);
    assert.deepEqual(await ignored.json(), { ignored: true });
    assert.equal((await send(JSON.stringify({ kind: "reject" }))).status, 422);
    assert.equal((await send(JSON.stringify({ kind: "boom" }))).status, 502);
    assert.equal((await send(JSON.stringify({ kind: "go" }))).status, 202);
    assert.equal(trigger.calls.length, 1);
  });
});

describe("memoryReplayStore", () => {
  test("entries expire after their TTL and the oldest go beyond maxEntries", async () => {
    let now = 0;
    const store = memoryReplayStore({ maxEntries: 3, now: () => now });
    await store.put("a", "1", 100);
    await store.put("b", "2", 1000);
    now = 50;
    assert.equal(await store.get("a"), "1");
    now = 100;
    assert.equal(await store.get("a"), undefined);
    for (const k of ["c", "d", "e"]) await store.put(k, k, 1000);
    assert.equal(store.size, 3);
    assert.equal(await store.get("b"), undefined);
    assert.equal(await store.get("e"), "e");
    for (let i = 0; i < 1000; i++) await store.put(`k${i}`, "v", 1000);
    assert.equal(store.size, 3);
    now = 5000;
    await store.put("late", "v", 10);
    assert.equal(store.size, 1);
  });
});
