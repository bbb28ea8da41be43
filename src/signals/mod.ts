/**
 * Signals: live metadata written to `StepRun.status.signals` and `signalEvents`. Re-exports only.
 * @module
 */
export {
  DEFAULT_SIGNAL_MAX_PAYLOAD_BYTES,
  emitSignal,
  type EmitSignalOptions,
  type EmitSignalResult,
  SIGNAL_PATCH_TIMEOUT_MS,
} from "./emit.ts";
export { SignalsUnavailableError, SignalTooLargeError } from "./errors.ts";
export { replaySignals, type ReplaySignalsOptions } from "./replay.ts";
export { sha256Hex, type SignalSummary, signalTypeSummary, type SignalValueType, summarizeSignalValue } from "./summary.ts";
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
