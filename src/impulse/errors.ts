/**
 * Errors of the story helpers and the dispatcher, with the Go SDK's texts.
 * @module
 */
import { BubuError } from "../errors/bubu-error.ts";

/** Go's `ErrStoryRunNotFound` text. */
export const STORYRUN_NOT_FOUND = "storyrun not found";

/** `StopStory` on a StoryRun that does not exist: `storyrun "<name>" not found: storyrun not found`. */
export class StoryRunNotFoundError extends Error {
  readonly storyRun: string;
  readonly namespace: string;
  constructor(storyRun: string, namespace: string, cause?: unknown) {
    super(
      `storyrun ${JSON.stringify(storyRun)} not found: ${STORYRUN_NOT_FOUND}`,
      cause === undefined ? undefined : { cause },
    );
    this.name = "StoryRunNotFoundError";
    this.storyRun = storyRun;
    this.namespace = namespace;
  }
}

/** `StoryDispatcher.trigger` with a session key that is already active (`ErrImpulseSessionExists`). */
export class ImpulseSessionExistsError extends Error {
  readonly key: string;
  constructor(key: string) {
    super("impulse session already active");
    this.name = "ImpulseSessionExistsError";
    this.key = key;
  }
}

/** `StoryDispatcher.stop` with an unknown session key (`ErrImpulseSessionNotFound`). */
export class ImpulseSessionNotFoundError extends Error {
  readonly key: string;
  constructor(key: string) {
    super("impulse session not found");
    this.name = "ImpulseSessionNotFoundError";
    this.key = key;
  }
}

/**
 * A trigger failure worth retrying with the same request (Go's `ErrRetryable`): the StoryTrigger
 * is still pending at the deadline, or it resolved without a StoryRun reference.
 */
export class RetryableTriggerError extends BubuError {
  constructor(message: string, cause?: unknown) {
    super("execution_error", message, { retryable: true, code: "TriggerPending", cause });
    this.name = "RetryableTriggerError";
  }
}

/** The controller rejected the StoryTrigger (`status.decision: Rejected`); never retried. */
export class StoryTriggerRejectedError extends BubuError {
  /** `status.reason` (for example `StoryNotFound`), `""` when absent. */
  readonly reason: string;
  readonly trigger: string;
  constructor(message: string, reason: string, trigger: string) {
    super("validation_error", message, { retryable: false, code: reason === "" ? "Rejected" : reason });
    this.name = "StoryTriggerRejectedError";
    this.reason = reason;
    this.trigger = trigger;
  }
}

/** A StoryTrigger of the same name exists with a different identity or different inputs. */
export class StoryTriggerConflictError extends BubuError {
  readonly trigger: string;
  constructor(trigger: string) {
    super(
      "validation_error",
      `storytrigger '${trigger}' already exists with different immutable request identity; reuse is not allowed`,
      { retryable: false, code: "TriggerIdentityMismatch" },
    );
    this.name = "StoryTriggerConflictError";
    this.trigger = trigger;
  }
}

/** The delivery policy or the call's arguments make the trigger impossible (never retried). */
export class TriggerPolicyError extends BubuError {
  constructor(message: string, cause?: unknown) {
    super("validation_error", message, { retryable: false, code: "TriggerPolicy", cause });
    this.name = "TriggerPolicyError";
  }
}

/**
 * The caller's signal or deadline ended the trigger (Go returns `ctx.Err()`): not retried. The
 * message names the StoryTrigger when one was submitted, so a slow controller is visible.
 */
export class TriggerAbortedError extends Error {
  /** `true` when the caller's deadline (`timeoutMs`) fired, `false` for cancellation. */
  readonly deadline: boolean;
  constructor(message: string, deadline: boolean, cause?: unknown) {
    super(
      `${message}: ${deadline ? "context deadline exceeded" : "context canceled"}`,
      cause === undefined ? undefined : { cause },
    );
    this.name = "TriggerAbortedError";
    this.deadline = deadline;
  }
}
