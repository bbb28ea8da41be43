/**
 * StepRun phases and the client-side transition table (`isValidPhaseTransition` in Go).
 * @module
 */

/** The `enums.Phase` values. */
export type Phase =
  | "Pending"
  | "Running"
  | "Succeeded"
  | "Failed"
  | "Canceled"
  | "Paused"
  | "Blocked"
  | "Scheduling"
  | "Timeout"
  | "Aborted"
  | "Finished"
  | "Skipped"
  | "Compensated";

const NONE: readonly string[] = [];

/** Allowed targets per current phase; phases missing here are unknown and reject everything. */
const TRANSITIONS: Readonly<Record<string, readonly string[]>> = {
  Pending: ["Running", "Failed", "Canceled", "Timeout"],
  Running: ["Succeeded", "Failed", "Canceled", "Paused", "Timeout", "Aborted"],
  Paused: ["Running", "Canceled", "Failed"],
  Failed: ["Running", "Succeeded"],
  Blocked: ["Pending", "Running", "Failed", "Canceled"],
  Scheduling: ["Running", "Failed", "Canceled"],
  Succeeded: NONE,
  Canceled: NONE,
  Timeout: NONE,
  Aborted: NONE,
  Finished: NONE,
  Skipped: NONE,
  Compensated: NONE,
};

/**
 * Whether `from → to` is allowed: an empty `from` or `from === to` always is; an unknown `from`
 * never is. `Pending → Succeeded` is rejected, so a step that finishes while its StepRun still
 * shows `Pending` fails its status write.
 *
 * @remarks The Go SDK's transition table; the `Pending → Succeeded` rejection is Go's too, kept
 * for parity.
 */
export function isValidPhaseTransition(from: string, to: string): boolean {
  if (from === "" || from === to) return true;
  const allowed = Object.hasOwn(TRANSITIONS, from) ? TRANSITIONS[from] : undefined;
  return allowed !== undefined && allowed.includes(to);
}

/** A status write whose phase change the state machine forbids. Never retried. */
export class InvalidPhaseTransitionError extends Error {
  override readonly name: string = "InvalidPhaseTransitionError";
  readonly from: string;
  readonly to: string;

  constructor(from: string, to: string) {
    // Go: fmt.Errorf("%w: %s → %s (not allowed by state machine)", ErrInvalidTransition, …)
    super(`invalid phase transition: ${from} → ${to} (not allowed by state machine)`);
    this.from = from;
    this.to = to;
  }
}
