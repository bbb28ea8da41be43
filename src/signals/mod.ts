/**
 * Signals: live metadata written to `StepRun.status.signals` and `signalEvents`. Re-exports only.
 * @module
 */
export {
  DEFAULT_SIGNAL_MAX_PAYLOAD_BYTES,
  type EmitSignalOptions,
  type EmitSignalResult,
  emitSignal,
  SIGNAL_PATCH_TIMEOUT_MS,
} from "./emit.ts";
export { SignalsUnavailableError, SignalTooLargeError } from "./errors.ts";
export { type ReplaySignalsOptions, replaySignals } from "./replay.ts";
export {
  type SignalSummary,
  type SignalValueType,
  sha256Hex,
  signalTypeSummary,
  summarizeSignalValue,
} from "./summary.ts";
export { DEFAULT_SIGNAL_SAMPLE_BYTES, emitTextSignal, type TextSignalOptions } from "./text-signal.ts";
export {
  formatMetaTime,
  formatRfc3339Nano,
  goMarshal,
  SequencedSignal,
  SignalEnvelope,
  SignalMeta,
  type SignalMetaInit,
  SignalSequence,
} from "./types.ts";
