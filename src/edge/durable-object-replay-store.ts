/**
 * A {@link ReplayStore} in a Durable Object: one object (by name) holds every delivery, so all
 * isolates and locations see a replay at once (strongly consistent, unlike KV). The deployer
 * exports {@link ReplayStoreObject} as the object's class and binds its namespace.
 * @module
 */
import type { ReplayStore } from "../impulse/webhook/replay-store.ts";

/** The part of a Workers `DurableObjectNamespace` the store uses. */
export interface DurableObjectNamespaceLike {
  idFromName(name: string): unknown;
  get(id: never): { fetch(request: Request): Promise<Response> };
}

/** The part of a Durable Object's `state.storage` the object uses. */
export interface DurableObjectStorageLike {
  get<T = unknown>(key: string): Promise<T | undefined>;
  put<T>(key: string, value: T): Promise<void>;
  delete(keys: string[]): Promise<number>;
  list<T = unknown>(options?: { limit?: number; startAfter?: string }): Promise<Map<string, T>>;
  getAlarm(): Promise<number | null>;
  setAlarm(scheduledTime: number): Promise<void>;
}

/** Options of {@link durableObjectReplayStore}. */
export interface DurableObjectReplayStoreOptions {
  /** The object's name; one object per name. Default `bubu-webhook-replay`. */
  readonly name?: string;
}

/** Requests to the object go to this (never routed) URL. */
const ORIGIN = "https://replay-store.invalid";

/** A store kept by the Durable Object `namespace` names `options.name`. */
export function durableObjectReplayStore(
  namespace: DurableObjectNamespaceLike,
  options: DurableObjectReplayStoreOptions = {},
): ReplayStore {
  let id: unknown;
  const call = async (body: unknown): Promise<unknown> => {
    id ??= namespace.idFromName(options.name ?? "bubu-webhook-replay");
    // A stub belongs to the request that made it (Workers refuses its I/O from another): one per call.
    const response = await namespace
      .get(id as never)
      .fetch(new Request(ORIGIN, { method: "POST", body: JSON.stringify(body) }));
    const text = await response.text();
    if (!response.ok) throw new Error(`replay store object answered ${response.status}: ${text.slice(0, 200)}`);
    return JSON.parse(text) as unknown;
  };
  return {
    async get(key) {
      const { value } = (await call({ op: "get", key })) as { value?: string };
      return typeof value === "string" ? value : undefined;
    },
    async put(key, value, ttlMs) {
      await call({ op: "put", key, value, ttlMs });
    },
  };
}

interface Entry {
  readonly value: string;
  readonly expires: number;
}

/** Entries listed per page when sweeping. */
const SWEEP_PAGE = 512;
/** Keys per `storage.delete` (the platform's limit). */
const DELETE_BATCH = 128;
/** Sweeps run at most this often, however many entries expire. */
const SWEEP_SPACING_MS = 60_000;

/**
 * The Durable Object class behind {@link durableObjectReplayStore}: entries with an expiry in the
 * object's storage. A read never returns an expired entry; an alarm (at most once a minute)
 * deletes what expired, so the storage holds about one TTL's worth of deliveries.
 *
 * @example
 * ```ts
 * export { ReplayStoreObject } from "@bubustack/sdk/edge";   // wrangler.toml: class_name = "ReplayStoreObject"
 * ```
 */
export class ReplayStoreObject {
  readonly #storage: DurableObjectStorageLike;
  readonly #now: () => number;

  constructor(
    state: { readonly storage: DurableObjectStorageLike },
    _env?: unknown,
    now: () => number = () => Date.now(),
  ) {
    this.#storage = state.storage;
    this.#now = now;
  }

  /** One `get` or `put` as JSON. */
  async fetch(request: Request): Promise<Response> {
    let op: { op?: unknown; key?: unknown; value?: unknown; ttlMs?: unknown };
    try {
      op = (await request.json()) as typeof op;
    } catch {
      return Response.json({ error: "not JSON" }, { status: 400 });
    }
    if (typeof op.key !== "string" || op.key === "") return Response.json({ error: "key required" }, { status: 400 });
    const key = op.key;
    if (op.op === "get") {
      const entry = await this.#storage.get<Entry>(key);
      if (entry === undefined || entry.expires <= this.#now()) return Response.json({});
      return Response.json({ value: entry.value });
    }
    if (op.op === "put" && typeof op.value === "string" && typeof op.ttlMs === "number" && Number.isFinite(op.ttlMs)) {
      const expires = this.#now() + Math.max(0, op.ttlMs);
      await this.#storage.put<Entry>(key, { value: op.value, expires });
      if ((await this.#storage.getAlarm()) === null)
        await this.#storage.setAlarm(Math.max(expires, this.#now() + SWEEP_SPACING_MS));
      return Response.json({});
    }
    return Response.json({ error: "op must be get or put (with a string value and a numeric ttlMs)" }, { status: 400 });
  }

  /** Deletes expired entries; the next sweep is at the earliest remaining expiry, a minute from now at the soonest. */
  async alarm(): Promise<void> {
    const now = this.#now();
    let next = Number.POSITIVE_INFINITY;
    let startAfter: string | undefined;
    for (;;) {
      const page = await this.#storage.list<Entry>({
        limit: SWEEP_PAGE,
        ...(startAfter !== undefined ? { startAfter } : {}),
      });
      const expired: string[] = [];
      for (const [key, entry] of page) {
        if (entry.expires <= now) expired.push(key);
        else next = Math.min(next, entry.expires);
        startAfter = key;
      }
      for (let i = 0; i < expired.length; i += DELETE_BATCH)
        await this.#storage.delete(expired.slice(i, i + DELETE_BATCH));
      if (page.size < SWEEP_PAGE) break;
    }
    if (next !== Number.POSITIVE_INFINITY) await this.#storage.setAlarm(Math.max(next, now + SWEEP_SPACING_MS));
  }
}
