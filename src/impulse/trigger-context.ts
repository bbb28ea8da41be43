/**
 * The per-call context of the story helpers: Go's `ctx` (cancellation, deadline and the
 * idempotency token stored by `WithTriggerToken`) as a plain object.
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
  /** The idempotency token (`WithTriggerToken`); wins over `BUBU_TRIGGER_TOKEN`. */
  readonly triggerToken?: string;
}

/** A context carrying `token` (Go's `WithTriggerToken`); an empty token leaves `ctx` unchanged. */
export function withTriggerToken(ctx: TriggerContext | undefined, token: string): TriggerContext {
  const base = ctx ?? {};
  return token === "" ? base : { ...base, triggerToken: token };
}

/** The token stored in `ctx`, or `""` (Go's `TriggerTokenFromContext`). */
export function triggerTokenFromContext(ctx: TriggerContext | undefined): string {
  return ctx?.triggerToken ?? "";
}
