/**
 * When a StepRun status write or a schema lookup tries again: which failures are worth another
 * attempt, how long one attempt may take, and how the pause between attempts grows.
 * @module
 */

import { KubernetesError } from "./errors.ts";

/** What to do after a failed request. */
export type RetryDecision =
  /** Transient: the same request may work later. */
  | "retry"
  /** 409: someone else wrote first; read again, merge again, then write. */
  | "conflict"
  /** Retrying cannot help (bad request, forbidden, not found, TLS, not a Kubernetes error). */
  | "stop";

/** The longest one attempt may take, even when `BUBU_K8S_TIMEOUT` is longer. */
export const MAX_ATTEMPT_TIMEOUT_MS = 10_000;
/** The pause between attempts doubles from 100ms up to this. */
export const MAX_BACKOFF_MS = 5_000;

/**
 * Classifies a failed request.
 *
 * - 409 → `conflict`.
 * - 429, any 5xx, the API server's `Timeout`/`ServerTimeout` reasons → `retry`.
 * - No answer at all (connection refused or reset, the attempt timed out, a response that is not
 *   what the API server sends) → `retry`.
 * - Every other 4xx, TLS failures, a cancelled caller and non-Kubernetes errors → `stop`.
 *
 * @remarks The Go SDK retries GETs only on its shared transient list (which leaves out 5xx) and
 * retries every PATCH error, 4xx included; a 422 there is sent again until the attempts run out.
 */
export function retryDecision(err: unknown): RetryDecision {
  if (!(err instanceof KubernetesError)) return "stop";
  switch (err.kind) {
    case "status":
      if (err.status === 409) return "conflict";
      if (err.status === 429 || err.status >= 500) return "retry";
      return err.reason === "Timeout" || err.reason === "ServerTimeout" ? "retry" : "stop";
    case "timeout":
    case "connection":
    case "protocol":
      return "retry";
    case "canceled":
    case "tls":
      return "stop";
  }
}

/** One attempt's timeout: `BUBU_K8S_TIMEOUT`, at most {@link MAX_ATTEMPT_TIMEOUT_MS}. */
export function attemptTimeoutMs(requestTimeoutMs: number): number {
  return Math.min(requestTimeoutMs, MAX_ATTEMPT_TIMEOUT_MS);
}

/** The next pause: doubled, at most {@link MAX_BACKOFF_MS}. */
export function nextBackoff(ms: number): number {
  return Math.min(ms * 2, MAX_BACKOFF_MS);
}
