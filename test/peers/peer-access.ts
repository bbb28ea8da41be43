// How a test reaches a peer: the peer or nothing, a `skip` reason, or the peer required. Outside
// CI an absent peer skips; under CI=true it fails the test (tests never silently skip in CI).

/** What a peer's lookup found. */
export type PeerLookup<P> = { peer: P } | { reason: string };

/** A test's handle for `t.skip` where the runtime has it. */
export interface SkipContext {
  skip?: (message?: string) => void;
}

/** The three ways a test asks for the peer that `lookup` finds. */
export interface PeerAccess<P> {
  /** The running peer, or undefined. */
  get(): P | undefined;
  /**
   * For a test's `skip` option: a reason when the peer is absent outside CI, else false.
   * (`{ skip }` is the one skip mechanism that Bun, Deno and Node's node:test all honour;
   * `t.skip()` in Deno still reports the test as passed.)
   */
  skip(): string | false;
  /**
   * The peer. When absent: under CI=true throws (the test fails); otherwise prints the reason,
   * marks the test skipped where the runtime supports `t.skip`, and returns undefined (the test
   * should return at once).
   */
  require(t?: SkipContext): P | undefined;
}

export function peerAccess<P>(lookup: () => PeerLookup<P>, missing: string): PeerAccess<P> {
  const mustHave = (): boolean => process.env.CI === "true";
  return {
    get() {
      const r = lookup();
      return "peer" in r ? r.peer : undefined;
    },
    skip() {
      const r = lookup();
      if ("peer" in r || mustHave()) return false;
      return `${missing} (${r.reason})`;
    },
    require(t) {
      const r = lookup();
      if ("peer" in r) return r.peer;
      const message = `${missing} (${r.reason})`;
      if (mustHave()) throw new Error(message);
      console.log(`skipped: ${message}`);
      t?.skip?.(message);
      return undefined;
    },
  };
}
