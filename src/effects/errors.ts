/**
 * Errors of the effect functions.
 * @module
 */

/** No StepRun to write to (`BUBU_STEPRUN_NAME` unset). */
export class EffectsUnavailableError extends Error {
  override readonly name: string = "EffectsUnavailableError";
  constructor() {
    super("effect recording unavailable: not running inside a StepRun");
  }
}

/**
 * The effect already ran, or runs elsewhere. `executeEffectOnce` reports this as
 * `{ already: true }` rather than throwing; {@link EffectOutcomeError} carries it for callers that
 * prefer an exception (`outcome.throwIfAlready()`).
 */
export class EffectAlreadyRecordedError extends Error {
  override readonly name: string = "EffectAlreadyRecordedError";
  /** `completed`: done before; `held`: another live holder owns the claim right now. */
  readonly reason: "completed" | "held";
  constructor(reason: "completed" | "held" = "completed") {
    super(
      reason === "held" ? "effect already recorded (claim held by another live holder)" : "effect already recorded",
    );
    this.reason = reason;
  }
}

/**
 * `fn` ran (its result is in {@link result}) but the claim could not be kept, completed or the
 * effect recorded. Which step failed is in `stage`; the cause is attached.
 */
export class EffectOutcomeError extends Error {
  override readonly name: string = "EffectOutcomeError";
  readonly stage: "renew" | "complete" | "record";
  readonly result: unknown;
  constructor(stage: "renew" | "complete" | "record", message: string, result: unknown, cause: unknown) {
    super(message, { cause });
    this.stage = stage;
    this.result = result;
  }
}
