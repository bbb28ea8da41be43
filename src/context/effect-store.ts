/**
 * Claims of `effects.once` outside a cluster. In a cluster an `EffectClaim` object is the lock;
 * on a laptop a file per effect in a state directory plays that part, so an effect that ran in
 * one local run is not run again in the next; in a test harness a map does.
 * @module
 */
import type { RuntimeFs } from "../runtime/types.ts";

/** A claim store: `begin` takes the claim, then `complete` or `release` ends it. */
export interface EffectStore {
  /** `run`: the caller holds the claim; `completed`: it ran before; `held`: another holder runs it now. */
  begin(key: string, leaseMs: number): Promise<"run" | "completed" | "held">;
  /** Marks the effect done with its result. */
  complete(key: string, result: unknown): Promise<void>;
  /** Gives the claim up (the effect failed), so a later attempt may run it. */
  release(key: string): Promise<void>;
}

/** A store in memory; share one between harness runs to test exactly-once across retries. */
export function memoryEffectStore(): EffectStore {
  const done = new Set<string>();
  const held = new Map<string, number>();
  return {
    begin(key, leaseMs) {
      if (done.has(key)) return Promise.resolve("completed");
      const until = held.get(key);
      if (until !== undefined && until > Date.now()) return Promise.resolve("held");
      held.set(key, Date.now() + leaseMs);
      return Promise.resolve("run");
    },
    complete(key) {
      held.delete(key);
      done.add(key);
      return Promise.resolve();
    },
    release(key) {
      held.delete(key);
      return Promise.resolve();
    },
  };
}

/**
 * A store in `dir`: `<hash>.done` once an effect completed, `<hash>.lock` while one runs (created
 * exclusively, so two local processes never both run it). A lock older than its lease is taken
 * over, as an expired `EffectClaim` is. `scope` separates runs that have an identity.
 */
export function fileEffectStore(fs: RuntimeFs, dir: string, scope: string): EffectStore {
  const file = async (key: string, ext: string): Promise<string> =>
    `${dir}/${await digest(`${scope}\u0000${key}`)}.${ext}`;
  return {
    async begin(key, leaseMs) {
      await fs.mkdir(dir);
      const done = await file(key, "done");
      if (await exists(fs, done)) return "completed";
      const lock = await file(key, "lock");
      const body = JSON.stringify({ key, scope, until: Date.now() + leaseMs });
      if (await fs.createNew(lock, body)) return "run";
      const until = await lockUntil(fs, lock);
      if (until !== undefined && until > Date.now()) return "held";
      // An expired (or unreadable) lock: take it over once; a racing process may win instead.
      await fs.remove(lock);
      return (await fs.createNew(lock, body)) ? "run" : "held";
    },
    async complete(key, result) {
      const done = await file(key, "done");
      const body = JSON.stringify({ key, scope, completedAt: new Date().toISOString(), result: safeJson(result) });
      await fs.writeFile(`${done}.tmp`, body);
      await fs.rename(`${done}.tmp`, done);
      await fs.remove(await file(key, "lock"));
    },
    async release(key) {
      await fs.remove(await file(key, "lock"));
    },
  };
}

async function exists(fs: RuntimeFs, path: string): Promise<boolean> {
  try {
    await fs.lstat(path);
    return true;
  } catch {
    return false;
  }
}

async function lockUntil(fs: RuntimeFs, path: string): Promise<number | undefined> {
  try {
    const parsed = JSON.parse(await fs.readTextFile(path)) as { until?: unknown };
    return typeof parsed.until === "number" ? parsed.until : undefined;
  } catch {
    return undefined;
  }
}

/** The result as JSON, or its type name when it cannot be serialized. */
function safeJson(value: unknown): unknown {
  try {
    return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as unknown);
  } catch {
    return `[${typeof value}]`;
  }
}

async function digest(text: string): Promise<string> {
  const bytes = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return Array.from(bytes.subarray(0, 16), (b) => b.toString(16).padStart(2, "0")).join("");
}
