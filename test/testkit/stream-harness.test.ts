import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { StreamHarnessOptions } from "../../src/testkit/stream-harness.ts";

type Engram<C = Record<string, unknown>> = StreamHarnessOptions<C>["engram"];

import * as v from "valibot";
import type { Secrets } from "../../src/engram/secrets.ts";
import { defineStreaming } from "../../src/engram/streaming-engram.ts";
import { newStreamMessage, type StreamMessage, streamMessageJson } from "../../src/engram/streaming-message.ts";
import { BubuError } from "../../src/errors/bubu-error.ts";
import { StreamHarness } from "../../src/testkit/mod.ts";

const msgs: StreamMessage[] = [1, 2, 3].map((n) => newStreamMessage("data", { json: { n }, messageId: `m${n}` }));

/** Echoes every input and marks it done (twice, to show extra calls are ignored). */
const echo: Engram = {
  async stream(_signal, inbound, outbound) {
    for await (const msg of inbound) {
      await outbound.send({ kind: msg.kind, payload: msg.payload });
      msg.done();
      msg.done();
    }
  },
};

describe("StreamHarness", () => {
  test("delivers the inputs in order, ends inbound after the last, collects outputs", async () => {
    const processed: StreamMessage[] = [];
    const r = await new StreamHarness({ engram: echo, inputs: msgs, onInputProcessed: (m) => processed.push(m) }).run();
    assert.equal(r.failed, false);
    assert.equal(r.error, undefined);
    assert.deepEqual(
      r.outputs.map((m) => streamMessageJson(m)),
      [{ n: 1 }, { n: 2 }, { n: 3 }],
    );
    // Once per message despite two done() calls, with the original input.
    assert.deepEqual(processed, msgs);
    assert.equal(processed[0], msgs[0]);
  });

  test("heartbeats, noops and empty messages never reach the engram, as in a real run", async () => {
    const processed: (string | undefined)[] = [];
    const inputs: StreamMessage[] = [
      msgs[0]!,
      newStreamMessage("heartbeat", {}),
      newStreamMessage("noop", {}),
      { metadata: { "bubu-heartbeat": "true" } },
      {},
      msgs[1]!,
    ];
    const r = await new StreamHarness({ engram: echo, inputs, onInputProcessed: (m) => processed.push(m.kind) }).run();
    assert.equal(r.failed, false, String(r.error));
    assert.deepEqual(
      r.outputs.map((m) => streamMessageJson(m)),
      [{ n: 1 }, { n: 2 }],
    );
    assert.deepEqual(processed, ["data", "data"]);
  });

  test("without onInputProcessed done() is harmless; without inputs inbound is empty", async () => {
    assert.equal((await new StreamHarness({ engram: echo, inputs: msgs }).run()).outputs.length, 3);
    const empty = await new StreamHarness({ engram: echo }).run();
    assert.deepEqual([empty.outputs, empty.failed, empty.error, empty.signals], [[], false, undefined, []]);
  });

  test("done() is only counted when the engram calls it", async () => {
    let count = 0;
    const skipsOdd: Engram = {
      async stream(_s, inbound) {
        let i = 0;
        for await (const msg of inbound) if (i++ % 2 === 0) msg.done();
      },
    };
    await new StreamHarness({ engram: skipsOdd, inputs: msgs, onInputProcessed: () => count++ }).run();
    assert.equal(count, 2);
  });

  test("inbound is a closed channel: a second iteration yields nothing already delivered", async () => {
    const seen: string[] = [];
    const twice: Engram = {
      async stream(_s, inbound) {
        for await (const msg of inbound) {
          seen.push(msg.messageId ?? "");
          break;
        }
        for await (const msg of inbound) seen.push(msg.messageId ?? "");
        for await (const msg of inbound) seen.push(`again ${msg.messageId}`);
      },
    };
    await new StreamHarness({ engram: twice, inputs: msgs }).run();
    assert.deepEqual(seen, ["m1", "m2", "m3"]);
  });

  test("init gets the config, really expanded secrets and the signal; stream gets the signal", async () => {
    const dir = mkdtempSync(join(tmpdir(), "stream-harness-"));
    try {
      writeFileSync(join(dir, "API_KEY"), "from-file");
      const ac = new AbortController();
      let got: {
        config?: unknown;
        secrets?: Record<string, string>;
        initSignal?: AbortSignal;
        streamSignal?: AbortSignal;
      } = {};
      const engram: Engram<{ a: number }> = {
        init(ctx) {
          const secrets: Secrets = ctx.secrets;
          got = {
            config: ctx.config,
            secrets: Object.fromEntries(secrets.names().map((k) => [k, secrets.get(k) as string])),
            initSignal: ctx.signal,
          };
        },
        stream(ctx) {
          got.streamSignal = ctx.signal;
        },
      };
      const r = await new StreamHarness({
        engram,
        config: { a: 1 },
        secrets: { LIT: "plain", DB: "env:DB_", FILES: `file:${dir}` },
        env: { DB_USER: "ada", OTHER: "x" },
        signal: ac.signal,
      }).run();
      assert.equal(r.failed, false, String(r.error));
      assert.deepEqual(got.config, { a: 1 });
      assert.deepEqual(got.secrets, { API_KEY: "from-file", LIT: "plain", USER: "ada" });
      assert.equal(got.initSignal, ac.signal);
      assert.equal(got.streamSignal, ac.signal);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a bad secret descriptor fails before init", async () => {
    let inited = false;
    const r = await new StreamHarness({
      engram: { ...echo, init: () => void (inited = true) },
      secrets: { BAD: "env:" },
      env: {},
    }).run();
    assert.equal(r.failed, true);
    assert.match((r.error as Error).message, /^failed to expand secrets: /);
    assert.equal(inited, false);
    assert.deepEqual(r.outputs, []);
  });

  test("init's error is returned unwrapped and stream never runs", async () => {
    const boom = new TypeError("no init");
    let streamed = false;
    const r = await new StreamHarness({
      engram: { init: () => Promise.reject(boom), stream: () => void (streamed = true) },
      inputs: msgs,
    }).run();
    assert.deepEqual([r.outputs, r.failed, r.error], [[], true, boom]);
    assert.equal(streamed, false);
  });

  test("stream's Error is returned unwrapped, with the outputs sent before it", async () => {
    const boom = new Error("stream broke");
    const r = await new StreamHarness({
      engram: {
        async stream(_s, inbound, outbound) {
          for await (const msg of inbound) {
            await outbound.send({ kind: "data", payload: msg.payload });
            throw boom;
          }
        },
      },
      inputs: msgs,
    }).run();
    assert.equal(r.failed, true);
    assert.equal(r.error, boom);
    assert.equal(r.outputs.length, 1);
  });

  test("a thrown non-Error (sync or async) is reported like a Go panic", async () => {
    const syncThrow = await new StreamHarness({
      engram: {
        stream() {
          throw "kaboom";
        },
      },
    }).run();
    assert.equal(syncThrow.failed, true);
    assert.equal((syncThrow.error as Error).message, "engram stream threw a non-Error value: kaboom");
    const asyncThrow = await new StreamHarness({ engram: { stream: () => Promise.reject(42) } }).run();
    assert.equal((asyncThrow.error as Error).message, "engram stream threw a non-Error value: 42");
  });

  test("a missing engram is reported, not thrown", async () => {
    const r = await new StreamHarness({ engram: undefined as unknown as Engram }).run();
    assert.equal(r.failed, true);
    assert.equal((r.error as Error).message, "engram is required");
  });

  test("outputs are not validated (like Go's plain channel); a send after stream returned rejects", async () => {
    let late: ((m: StreamMessage) => Promise<void>) | undefined;
    const r = await new StreamHarness({
      engram: {
        async stream(_s, _in, outbound) {
          await outbound.send({ kind: "not a kind!" });
          late = (m) => outbound.send(m);
        },
      },
    }).run();
    assert.equal(r.failed, false);
    assert.deepEqual(r.outputs, [{ kind: "not a kind!" }]);
    await assert.rejects(late!({ kind: "data" }), /outbound is closed/);
    assert.equal(r.outputs.length, 1);
  });

  test("send rejects with the reason of an aborted send signal", async () => {
    const ac = new AbortController();
    ac.abort(new Error("stop"));
    const r = await new StreamHarness({
      engram: { stream: (_s, _in, outbound) => outbound.send({ kind: "data" }, ac.signal) },
    }).run();
    assert.equal(r.failed, true);
    assert.equal((r.error as Error).message, "stop");
    assert.deepEqual(r.outputs, []);
  });

  test("config is decoded through the engram's schema (defaults, violations), or passed as is with decode: false", async () => {
    let got: unknown;
    const engram = defineStreaming({
      config: v.object({ rate: v.optional(v.number(), 16000) }),
      init(ctx) {
        got = ctx.config;
      },
      async stream() {},
    });
    assert.equal((await new StreamHarness({ engram }).run()).failed, false);
    assert.deepEqual(got, { rate: 16000 });
    const bad = await new StreamHarness({ engram, config: { rate: "fast" } }).run();
    assert.equal(bad.failed, true);
    assert.ok(bad.error instanceof BubuError && bad.error.type === "validation_error", String(bad.error));
    assert.match((bad.error as Error).message, /config validation failed at rate/);
    await new StreamHarness({ engram, config: { rate: "fast" }, decode: false }).run();
    assert.deepEqual(got, { rate: "fast" });
  });
});
