// Delivery policy pieces without a server: identity modes, retry delays, the key template, the
// throttle's token bucket and semaphore, and the trigger context.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { durationFromNanos } from "../../src/env/duration.ts";
import { loadEnv } from "../../src/env/load.ts";
import {
  computeTriggerKey,
  resolveRequestIdentity,
  resolveTriggerToken,
  retryAttempts,
  retryDelayMs,
} from "../../src/impulse/delivery.ts";
import { sha256Hex } from "../../src/impulse/hash.ts";
import { evaluateKeyTemplate } from "../../src/impulse/key-template.ts";
import { TriggerThrottle, triggerThrottleFor } from "../../src/impulse/throttle.ts";

const ms = (n: number) => durationFromNanos(BigInt(n) * 1_000_000n);
const scope = {
  clientNamespace: "client-ns",
  storyName: "orders",
  storyNamespace: "",
  impulseName: "hook",
  impulseNamespace: "",
};

describe("delivery identity", () => {
  test("mode by policy and token (contract table)", () => {
    assert.deepEqual(resolveRequestIdentity(undefined, ""), { mode: "none", key: "" });
    assert.deepEqual(resolveRequestIdentity(undefined, " t "), { mode: "token", key: "t" });
    assert.deepEqual(resolveRequestIdentity({ mode: "none", keyTemplate: undefined }, ""), { mode: "none", key: "" });
    assert.deepEqual(resolveRequestIdentity({ mode: "none", keyTemplate: undefined }, "t"), {
      mode: "token",
      key: "t",
    });
    assert.deepEqual(resolveRequestIdentity({ mode: "token", keyTemplate: undefined }, "t"), {
      mode: "token",
      key: "t",
    });
    assert.deepEqual(resolveRequestIdentity({ mode: "key", keyTemplate: "x" }, "k"), { mode: "key", key: "k" });
  });

  test("key: template over inputs/story/impulse, namespaces default to the client namespace", async () => {
    const key = await computeTriggerKey(
      "{{ .story.namespace }}/{{ .impulse.namespace }}/{{ .inputs.id }}",
      { id: 7 },
      scope,
    );
    assert.equal(key, await sha256Hex("client-ns/client-ns/7"));
    // A non-string result is JSON-encoded the Go way (sorted keys).
    assert.equal(
      await computeTriggerKey("{{ .inputs.obj }}", { obj: { b: 1, a: "<" } }, scope),
      await sha256Hex('{"a":"\\u003c","b":1}'),
    );
    await assert.rejects(
      computeTriggerKey("{{ .inputs.blank }}", { blank: "   " }, scope),
      /trigger key resolved to empty value/,
    );
    // Sprig functions of the allow-list work (the real engine, deterministic mode).
    assert.equal(await computeTriggerKey("{{ .inputs.id | upper }}", { id: "a" }, scope), await sha256Hex("A"));
    await assert.rejects(computeTriggerKey("{{ .inputs.id", { id: "a" }, scope), /resolve trigger key template/);
  });

  test("token policy rules", async () => {
    await assert.rejects(
      resolveTriggerToken({ mode: "token", keyTemplate: undefined }, " ", {}, scope),
      /trigger token required/,
    );
    assert.equal(await resolveTriggerToken({ mode: "none", keyTemplate: undefined }, "t", {}, scope), "t");
    const key = await resolveTriggerToken({ mode: "key", keyTemplate: "{{ .inputs.id }}" }, "", { id: "a" }, scope);
    assert.equal(
      await resolveTriggerToken({ mode: "key", keyTemplate: "{{ .inputs.id }}" }, key, { id: "a" }, scope),
      key,
    );
    await assert.rejects(
      resolveTriggerToken({ mode: "key", keyTemplate: "{{ .inputs.id }}" }, "x", { id: "a" }, scope),
      /trigger token mismatch/,
    );
  });

  test("invalid delivery variables are errors at load", () => {
    assert.throws(() => loadEnv({ BUBU_TRIGGER_DEDUPE_MODE: "sometimes" }), /BUBU_TRIGGER_DEDUPE_MODE/);
    assert.throws(
      () => loadEnv({ BUBU_TRIGGER_DEDUPE_KEY_TEMPLATE: "{{ .inputs.id }}" }),
      /requires BUBU_TRIGGER_DEDUPE_MODE=key/,
    );
    assert.throws(() => loadEnv({ BUBU_TRIGGER_DEDUPE_MODE: "key" }), /BUBU_TRIGGER_DEDUPE_KEY_TEMPLATE/);
    assert.throws(() => loadEnv({ BUBU_TRIGGER_RETRY_BACKOFF: "fibonacci" }), /BUBU_TRIGGER_RETRY_BACKOFF/);
    assert.throws(
      () => loadEnv({ BUBU_TRIGGER_THROTTLE_RATE_PER_SECOND: "-1" }),
      /BUBU_TRIGGER_THROTTLE_RATE_PER_SECOND/,
    );
  });
});

describe("retry schedule", () => {
  const mid = () => 0.5; // jitter factor exactly 1
  const policy = (backoff: "exponential" | "linear" | "constant") => ({
    maxAttempts: 5,
    baseDelay: ms(100),
    maxDelay: ms(350),
    backoff,
  });
  test("exponential b, 2b, 4b… capped; linear b·n; constant b", () => {
    assert.deepEqual(
      [1, 2, 3, 4].map((n) => retryDelayMs(policy("exponential"), n, mid)),
      [100, 200, 350, 350],
    );
    assert.deepEqual(
      [1, 2, 3, 4].map((n) => retryDelayMs(policy("linear"), n, mid)),
      [100, 200, 300, 350],
    );
    assert.deepEqual(
      [1, 2, 3].map((n) => retryDelayMs(policy("constant"), n, mid)),
      [100, 100, 100],
    );
  });
  test("jitter stays within ±25%", () => {
    assert.equal(
      retryDelayMs(policy("constant"), 1, () => 0),
      75,
    );
    assert.ok(retryDelayMs(policy("constant"), 1, () => 0.999999) < 125);
  });
  test("attempts: 0 or unset means one", () => {
    assert.equal(retryAttempts(undefined), 1);
    assert.equal(retryAttempts({ ...policy("constant"), maxAttempts: 0 }), 1);
    assert.equal(retryAttempts(policy("constant")), 5);
  });
});

describe("key template (Go templating, deterministic mode)", () => {
  test("literal text, typed single path, mixed text, trim markers, bare roots", () => {
    const vars = { inputs: { n: 3, s: "x", o: { a: [1] } } };
    assert.equal(evaluateKeyTemplate("fixed", vars), "fixed");
    assert.equal(evaluateKeyTemplate("{{ .inputs.n }}", vars), 3);
    assert.deepEqual(evaluateKeyTemplate("{{ .inputs.o }}", vars), { a: [1] });
    assert.equal(evaluateKeyTemplate("id-{{ .inputs.s }}-{{- .inputs.n }}", vars), "id-x-3");
    assert.equal(evaluateKeyTemplate("{{ inputs.s }}", vars), "x");
    assert.throws(() => evaluateKeyTemplate("{{ .inputs.missing }}", vars), /missing key at inputs\.missing/);
    assert.throws(() => evaluateKeyTemplate("{{ .inputs.s", vars), /unclosed action/);
    // Deterministic mode: clock and randomness are not available to trigger keys.
    assert.throws(() => evaluateKeyTemplate("{{ now }}", vars), /function "now" not defined/);
    assert.throws(() => evaluateKeyTemplate("{{ randAlpha 3 }}", vars), /function "randAlpha" not defined/);
  });
});

describe("throttle", () => {
  test("token bucket: burst immediately, then one token per 1/rate", async () => {
    let now = 0;
    const t = new TriggerThrottle({ ratePerSecond: 10, burst: 2, maxInFlight: 0 }, () => now);
    const a = await t.acquire();
    const b = await t.acquire();
    assert.equal(a.waited || b.waited, false);
    const started = performance.now();
    const c = await t.acquire();
    assert.equal(c.waited, true);
    assert.ok(performance.now() - started >= 90, "third waits ~100 ms");
    now = 1000; // a second later the bucket is full again (capped at burst)
    assert.equal((await t.acquire()).waited, false);
    assert.equal((await t.acquire()).waited, false);
  });

  test("semaphore: waiters get slots in order; an aborted waiter holds nothing", async () => {
    const t = new TriggerThrottle({ ratePerSecond: 0, burst: 0, maxInFlight: 1 });
    const first = await t.acquire();
    const order: string[] = [];
    const ac = new AbortController();
    const aborted = t.acquire(ac.signal).then(
      () => order.push("aborted"),
      () => order.push("aborted-rejected"),
    );
    const second = t.acquire().then((tk) => {
      order.push("second");
      return tk;
    });
    ac.abort();
    await aborted;
    first.release();
    first.release(); // idempotent
    const tk = await second;
    assert.deepEqual(order, ["aborted-rejected", "second"]);
    assert.equal(tk.waited, true);
    assert.equal(t.inFlight, 1);
    tk.release();
    assert.equal(t.inFlight, 0);
  });

  test("one throttle per rate;burst;max; none when nothing is limited", () => {
    const p = { ratePerSecond: 5, burst: 5, maxInFlight: 0 };
    assert.equal(triggerThrottleFor(p), triggerThrottleFor({ ...p }));
    assert.notEqual(triggerThrottleFor(p), triggerThrottleFor({ ...p, maxInFlight: 2 }));
    assert.equal(triggerThrottleFor({ ratePerSecond: 0, burst: 0, maxInFlight: 0 }), undefined);
    assert.equal(triggerThrottleFor(undefined), undefined);
  });
});
