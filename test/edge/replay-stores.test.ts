// The replay stores for Workers, in process: the KV adapter over a KV-like map (which, like KV,
// keeps a key at least 60 s) and the Durable Object class over a storage-like map with an alarm,
// reached through durableObjectReplayStore as a Worker would. Both keep the ReplayStore contract
// the memory store keeps: a value until its time to live, never after.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  type DurableObjectStorageLike,
  durableObjectReplayStore,
  kvReplayStore,
  memoryReplayStore,
  type ReplayStore,
  ReplayStoreObject,
} from "../../src/edge/mod.ts";

/** A clock the test moves. */
function clock(start = 1_000_000): { now: () => number; advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

/** KV as the platform behaves: a key expires `expirationTtl` seconds after its write, not sooner than 60 s. */
function fakeKv(now: () => number) {
  const data = new Map<string, { value: string; expires: number }>();
  const ttls: number[] = [];
  return {
    data,
    ttls,
    get(key: string): Promise<string | null> {
      const e = data.get(key);
      return Promise.resolve(e !== undefined && e.expires > now() ? e.value : null);
    },
    put(key: string, value: string, options?: { expirationTtl?: number }): Promise<void> {
      const ttl = options?.expirationTtl ?? Number.POSITIVE_INFINITY;
      if (ttl < 60) return Promise.reject(new Error("expirationTtl must be at least 60"));
      ttls.push(ttl);
      data.set(key, { value, expires: now() + ttl * 1000 });
      return Promise.resolve();
    },
  };
}

/** A Durable Object's storage: a sorted map and one alarm. */
function fakeStorage() {
  const data = new Map<string, unknown>();
  let alarm: number | null = null;
  const storage: DurableObjectStorageLike & { readonly data: Map<string, unknown>; readonly alarmAt: number | null } = {
    data,
    get alarmAt() {
      return alarm;
    },
    get: <T>(key: string) => Promise.resolve(structuredClone(data.get(key)) as T | undefined),
    put: <T>(key: string, value: T) => Promise.resolve(void data.set(key, structuredClone(value))),
    delete: (keys: string[]) => {
      if (keys.length > 128) return Promise.reject(new Error("at most 128 keys per delete"));
      return Promise.resolve(keys.filter((k) => data.delete(k)).length);
    },
    list: <T>(options: { limit?: number; startAfter?: string } = {}) => {
      const keys = [...data.keys()].sort().filter((k) => options.startAfter === undefined || k > options.startAfter);
      return Promise.resolve(
        new Map(keys.slice(0, options.limit ?? keys.length).map((k) => [k, structuredClone(data.get(k)) as T])),
      );
    },
    getAlarm: () => Promise.resolve(alarm),
    setAlarm: (t: number) => Promise.resolve(void (alarm = t)),
  };
  return storage;
}

/** durableObjectReplayStore over one ReplayStoreObject, the way a Worker reaches it. */
function objectStore(now: () => number) {
  const storage = fakeStorage();
  const object = new ReplayStoreObject({ storage }, {}, now);
  const names: string[] = [];
  const namespace = {
    idFromName: (name: string) => (names.push(name), { name }),
    get: () => ({ fetch: (request: Request) => object.fetch(request) }),
  };
  return { store: durableObjectReplayStore(namespace), storage, object, names };
}

const stores: [string, (now: () => number) => ReplayStore][] = [
  ["memory", (now) => memoryReplayStore({ now })],
  ["KV", (now) => kvReplayStore(fakeKv(now), { now })],
  ["Durable Object", (now) => objectStore(now).store],
];

describe("replay stores keep the contract", () => {
  for (const [name, make] of stores) {
    test(`${name}: a value until its time to live, never after; keys are independent`, async () => {
      const c = clock();
      const store = make(c.now);
      assert.equal(await store.get("body:a"), undefined);
      await store.put("body:a", "ns/run-a", 5_000);
      await store.put("id:b", "ns/run-b", 120_000);
      assert.equal(await store.get("body:a"), "ns/run-a");
      c.advance(4_999);
      assert.equal(await store.get("body:a"), "ns/run-a");
      c.advance(1);
      assert.equal(await store.get("body:a"), undefined, "expired at its TTL, even where the backend keeps it longer");
      assert.equal(await store.get("id:b"), "ns/run-b");
      await store.put("id:b", "ns/run-b2", 1_000);
      assert.equal(await store.get("id:b"), "ns/run-b2");
    });
  }
});

describe("kvReplayStore", () => {
  test("prefixes keys, rounds the TTL up to KV's 60 s floor, and ignores values it did not write", async () => {
    const c = clock();
    const kv = fakeKv(c.now);
    const store = kvReplayStore(kv, { prefix: "hook1:", now: c.now });
    await store.put("body:x", "ns/run", 1_500);
    await store.put("body:y", "ns/run", 90_500);
    assert.deepEqual([...kv.data.keys()], ["hook1:body:x", "hook1:body:y"]);
    assert.deepEqual(kv.ttls, [60, 91]);
    await kv.put("hook1:body:z", "not ours", { expirationTtl: 60 });
    assert.equal(await store.get("body:z"), undefined);
  });
});

describe("ReplayStoreObject", () => {
  test("one object by name; a sweep alarm at most once a minute deletes what expired (in batches the platform accepts)", async () => {
    const c = clock();
    const { store, storage, object, names } = objectStore(c.now);
    for (let i = 0; i < 300; i++) await store.put(`body:${String(i).padStart(3, "0")}`, `ns/run-${i}`, 1_000);
    await store.put("body:late", "ns/run-late", 600_000);
    assert.deepEqual([...new Set(names)], ["bubu-webhook-replay"]);
    assert.equal(storage.alarmAt, c.now() + 60_000, "the first put sets the sweep a minute out");
    c.advance(60_000);
    await object.alarm();
    assert.deepEqual([...storage.data.keys()], ["body:late"]);
    assert.equal(storage.alarmAt, c.now() + 540_000, "the next sweep is at the earliest remaining expiry");
    assert.equal(await store.get("body:late"), "ns/run-late");
  });

  test("answers 400 to anything but a well-formed get or put", async () => {
    const object = new ReplayStoreObject({ storage: fakeStorage() });
    const call = (body: string) => object.fetch(new Request("https://replay-store.invalid", { method: "POST", body }));
    for (const body of [
      "not json",
      "{}",
      '{"op":"get"}',
      '{"op":"put","key":"k","value":1,"ttlMs":5}',
      '{"op":"drop","key":"k"}',
    ]) {
      const res = await call(body);
      assert.equal(res.status, 400, body);
    }
    assert.deepEqual(await (await call('{"op":"get","key":"k"}')).json(), {});
  });
});
