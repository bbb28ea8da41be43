/**
 * Reconnect delays: base × 2ⁿ capped at max, times a jitter in [0.8, 1.2), capped at max again
 * (the Go SDK's formula).
 * @module
 */

/** The delay before retry number `attempt` (0-based). */
export function reconnectDelay(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const backoff = Math.min(baseMs * 2 ** Math.min(attempt, 52), maxMs);
  const jitter = 0.8 + random() * 0.4;
  return Math.min(backoff * jitter, maxMs);
}
