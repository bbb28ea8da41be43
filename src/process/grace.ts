/**
 * The grace window: how long an aborted handler may keep running (after the step deadline, or
 * after SIGTERM) before the SDK reports and exits anyway. One parser for every kind.
 * @module
 */
import { formatGoDuration, parseGoDuration } from "../env/duration.ts";
import { EnvError } from "../env/errors.ts";

/** The variable that sets the grace window. */
export const GRACE_ENV = "BUBU_SDK_GRACEFUL_SHUTDOWN_TIMEOUT";

/** Default grace window: 10s. */
export const DEFAULT_GRACE_MS = 10_000;

/**
 * `BUBU_SDK_GRACEFUL_SHUTDOWN_TIMEOUT` in milliseconds (a Go duration such as `10s`), default
 * 10s. A malformed or non-positive value is an {@link EnvError}.
 *
 * @remarks The Go SDK documents this variable but never reads it; we implement the documented knob.
 */
export function readGraceMs(vars: Readonly<Record<string, string | undefined>>): number {
  const raw = (vars[GRACE_ENV] ?? "").trim();
  if (raw === "") return DEFAULT_GRACE_MS;
  let ns: bigint;
  try {
    ns = parseGoDuration(raw);
  } catch {
    throw EnvError.of(GRACE_ENV, `invalid Go duration ${JSON.stringify(raw)} (expected e.g. 30s, 5m, 1h30m)`);
  }
  if (ns <= 0n) throw EnvError.of(GRACE_ENV, `must be positive, got ${formatGoDuration(ns)}`);
  return Number(ns / 1_000_000n);
}
