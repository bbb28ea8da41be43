/**
 * The per-call context of a story call: cancellation, deadline and idempotency token.
 * @module
 */

/** Cancellation, deadline and trigger token of one call. Every field is optional. */
export interface TriggerContext {
  /** Aborts the call (Go's context cancellation). */
  readonly signal?: AbortSignal;
  /**
   * The caller's deadline in milliseconds from the start of the call (Go's context deadline).
   * With a deadline, waiting for the StoryTrigger decision is bounded by it alone; without one,
   * by `BUBU_K8S_OPERATION_TIMEOUT`.
   */
  readonly timeoutMs?: number;
  /** The idempotency token; wins over `BUBU_TRIGGER_TOKEN`. */
  readonly triggerToken?: string;
}
