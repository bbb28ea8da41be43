/**
 * Where the webhook remembers deliveries it already turned into a StoryRun: a small key/value
 * interface with a time to live, so the same handler can keep it in memory here and in a shared
 * store (a KV namespace, a Durable Object) on an edge runtime.
 * @module
 */

/**
 * A bounded key/value store with per-entry expiry. Keys are short fixed-size digests; values
 * are StoryRun names. A store may forget an entry early (eviction); it must never return one
 * after its time to live.
 */
export interface ReplayStore {
  /** The value stored under `key`, or `undefined` when absent or expired. */
  get(key: string): Promise<string | undefined>;
  /** Stores `value` under `key` for `ttlMs` milliseconds. */
  put(key: string, value: string, ttlMs: number): Promise<void>;
}

/** Options of {@link memoryReplayStore}. */
export interface MemoryReplayStoreOptions {
  /** Most entries kept; the oldest is evicted first. Default 10,000. */
  readonly maxEntries?: number;
  /** Clock in milliseconds (tests). */
  readonly now?: () => number;
}

/**
 * The default {@link ReplayStore}: an insertion-ordered map in this process, bounded by
 * `maxEntries` and by each entry's time to live. Expired entries are dropped on access and
 * from the oldest end on every `put`; no timer runs.
 */
export function memoryReplayStore(options: MemoryReplayStoreOptions = {}): ReplayStore & { readonly size: number } {
  const max = Math.max(1, options.maxEntries ?? 10_000);
  const now = options.now ?? (() => Date.now());
  const entries = new Map<string, { value: string; expires: number }>();
  return {
    get size() {
      return entries.size;
    },
    get(key) {
      const e = entries.get(key);
      if (e === undefined) return Promise.resolve(undefined);
      if (e.expires <= now()) {
        entries.delete(key);
        return Promise.resolve(undefined);
      }
      return Promise.resolve(e.value);
    },
    put(key, value, ttlMs) {
      const t = now();
      entries.delete(key);
      entries.set(key, { value, expires: t + Math.max(0, ttlMs) });
      // Oldest first: drop what expired, then what exceeds the bound.
      for (const [k, e] of entries) {
        if (entries.size > max || e.expires <= t) entries.delete(k);
        else break;
      }
      return Promise.resolve();
    },
  };
}
