/**
 * A {@link ReplayStore} on a Workers KV namespace: shared by every isolate and location, but
 * eventually consistent (a replay that reaches another location within about a minute may not
 * be seen; the StoryTrigger's token still makes it resolve to the same StoryRun).
 * @module
 */
import type { ReplayStore } from "../impulse/webhook/replay-store.ts";

/** The part of a Workers `KVNamespace` the store uses. */
export interface KvNamespaceLike {
  get(key: string): Promise<string | null>;
  put(key: string, value: string, options?: { expirationTtl?: number }): Promise<void>;
}

/** Options of {@link kvReplayStore}. */
export interface KvReplayStoreOptions {
  /** Prefix of every key, so one namespace can serve several webhooks. Default `bubu-replay:`. */
  readonly prefix?: string;
  /** Clock in milliseconds (tests). */
  readonly now?: () => number;
}

/** KV expires keys no sooner than this many seconds after they are written. */
const KV_MIN_TTL_SECONDS = 60;

/**
 * A store on `kv`. Each value carries its own expiry, checked on read, so an entry is never
 * returned after its time to live even when KV keeps it longer (KV's shortest expiry is 60 s).
 */
export function kvReplayStore(kv: KvNamespaceLike, options: KvReplayStoreOptions = {}): ReplayStore {
  const prefix = options.prefix ?? "bubu-replay:";
  const now = options.now ?? (() => Date.now());
  return {
    async get(key) {
      const raw = await kv.get(prefix + key);
      if (raw === null) return undefined;
      const cut = raw.indexOf(" ");
      const expires = Number(raw.slice(0, cut));
      if (cut < 0 || !Number.isFinite(expires) || expires <= now()) return undefined;
      return raw.slice(cut + 1);
    },
    async put(key, value, ttlMs) {
      const ms = Math.max(0, ttlMs);
      const expirationTtl = Math.max(KV_MIN_TTL_SECONDS, Math.ceil(ms / 1000));
      await kv.put(prefix + key, `${now() + ms} ${value}`, { expirationTtl });
    },
  };
}
