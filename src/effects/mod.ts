/**
 * Effects: at-most-once side effects per StepRun (`EffectClaim` lease plus the
 * `StepRun.status.effects` ledger). Re-exports only.
 * @module
 */
export { DEFAULT_EFFECT_MAX_DETAILS_BYTES, marshalEffectDetails } from "./details.ts";
export { EffectAlreadyRecordedError, EffectOutcomeError, EffectsUnavailableError } from "./errors.ts";
export {
  type EffectFn,
  type EffectOutcome,
  type ExecuteEffectOnceOptions,
  effectResultOrThrow,
  executeEffectOnce,
} from "./execute-once.ts";
export { resetEffectGates } from "./gate.ts";
export {
  EFFECT_PATCH_TIMEOUT_MS,
  type EffectCallOptions,
  hasEffect,
  type RecordEffectResult,
  recordEffect,
} from "./record.ts";
