/**
 * Jittered backoff and abortable sleep for the retry loops.
 * @module
 */
import { sleep } from "../async/sleep.ts";

/** Go's `jitterDuration`: `ms × U[0.75, 1.25)`. */
export function jitter(ms: number, random: () => number = Math.random): number {
  return ms <= 0 ? ms : ms * (0.75 + random() * 0.5);
}

export { sleep };

/** A signal that aborts when any of `signals` does, or after `timeoutMs` (a `TimeoutError`). */
export function withTimeout(timeoutMs: number | undefined, ...signals: (AbortSignal | undefined)[]): AbortSignal {
  const all = signals.filter((s): s is AbortSignal => s !== undefined);
  if (timeoutMs !== undefined) all.push(AbortSignal.timeout(timeoutMs));
  if (all.length === 0) return new AbortController().signal;
  return all.length === 1 ? all[0]! : AbortSignal.any(all);
}

/** Go's context error text for an aborted signal. */
export function abortText(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  return reason instanceof Error && reason.name === "TimeoutError" ? "context deadline exceeded" : "context canceled";
}
