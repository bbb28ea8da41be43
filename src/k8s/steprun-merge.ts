/**
 * The client-side merge of a partial StepRun status into the current one (`mergeStepRunStatus`
 * in Go) and the diff that is sent as the merge patch. Pure functions.
 * @module
 */

import { setEntry } from "../json/own-entry.ts";
import { createMergePatch, type JsonObject } from "./merge-patch.ts";
import { InvalidPhaseTransitionError, isValidPhaseTransition } from "./phase.ts";

/** One `status.signalEvents[]` entry: `{"seq","key","emittedAt","payload"}`. */
export interface SignalEvent {
  /** 0 asks the merge to assign `max+1`. */
  seq: number;
  key: string;
  emittedAt?: string;
  payload?: JsonObject | null;
  [extra: string]: unknown;
}

/** One `status.effects[]` entry: `{"seq","key","status","emittedAt","details"}`. */
export interface EffectRecord {
  /** 0 asks the merge to assign `max+1` (and to drop the record if its key exists). */
  seq: number;
  key: string;
  status?: string;
  emittedAt?: string;
  details?: JsonObject | null;
  [extra: string]: unknown;
}

/** `StepRun.status` as read from the API server (fields the SDK knows; others are kept as is). */
export interface StepRunStatus {
  observedGeneration?: number;
  phase?: string;
  startedAt?: string;
  finishedAt?: string;
  duration?: string;
  exitCode?: number;
  exitClass?: string;
  podName?: string;
  retries?: number;
  nextRetryAt?: string;
  lastFailureMsg?: string;
  output?: unknown;
  logs?: unknown;
  error?: unknown;
  conditions?: unknown[];
  needs?: string[];
  signals?: Record<string, unknown>;
  signalEvents?: SignalEvent[];
  effects?: EffectRecord[];
  [extra: string]: unknown;
}

/**
 * The SDK's partial status. Only the fields the merge copies are honoured; `conditions`,
 * `observedGeneration`, `trace`, `handoff`, schema refs and `lastOutputAt` are never copied.
 */
export interface StepRunStatusUpdate {
  /** Validated against the current phase; empty or absent skips validation. */
  phase?: string;
  startedAt?: string;
  finishedAt?: string;
  duration?: string;
  /** Copied only when non-zero: a success never resets an earlier failure code. */
  exitCode?: number;
  exitClass?: string;
  podName?: string;
  retries?: number;
  nextRetryAt?: string;
  /** Copied only when non-empty: a later success does not clear it. */
  lastFailureMsg?: string;
  output?: unknown;
  logs?: unknown;
  /** Copied only when present: a later success does not clear it. */
  error?: unknown;
  /** Replaces the list when present (an empty list clears it). */
  needs?: string[];
  /** Merged per key; `null` deletes the key (Go's empty `RawExtension`). */
  signals?: Record<string, unknown>;
  /** Appended by `seq` (`0` → `max+1`; an existing seq is dropped); capped at 256. */
  signalEvents?: SignalEvent[];
  /** As {@link signalEvents}, and a `seq: 0` record whose trimmed key exists is dropped. */
  effects?: EffectRecord[];
  /**
   * Removes `exitCode`, `lastFailureMsg` and `error` (sent as `null`): a success after a retried
   * failure should not show the earlier attempt's failure.
   */
  clearFailure?: boolean;
}

/** CRD `maxItems` of `status.signalEvents`. */
export const MAX_SIGNAL_EVENTS = 256;
/** CRD `maxItems` of `status.effects`. */
export const MAX_EFFECT_RECORDS = 256;

const present = (v: unknown): boolean => v !== undefined && v !== null;
const nonEmpty = (v: unknown): v is string => typeof v === "string" && v !== "";

/**
 * Merges `update` into a copy of `current`: a field that is set replaces the current one (an
 * empty string, or an exit code or retry count of 0, leaves it); `clearFailure` removes the
 * earlier failure fields; `signals` merge key by key (`null` deletes one); `signalEvents` and
 * `effects` are appended by `seq` (0 takes the next one; a taken `seq`, or an unnumbered effect
 * whose key is already recorded, is skipped) and capped, oldest dropped. Throws {@link InvalidPhaseTransitionError} for a forbidden phase change.
 * `current` is not modified.
 *
 * @remarks The Go SDK's merge rules, so either SDK leaves the same status.
 */
export function mergeStepRunStatus(current: StepRunStatus, update: StepRunStatusUpdate): StepRunStatus {
  const merged: StepRunStatus = structuredClone(current);
  const from = typeof current.phase === "string" ? current.phase : "";
  if (nonEmpty(update.phase)) {
    if (!isValidPhaseTransition(from, update.phase)) throw new InvalidPhaseTransitionError(from, update.phase);
    merged.phase = update.phase;
  }
  if (present(update.startedAt)) merged.startedAt = update.startedAt!;
  if (present(update.finishedAt)) merged.finishedAt = update.finishedAt!;
  if (nonEmpty(update.duration)) merged.duration = update.duration;
  if (typeof update.exitCode === "number" && update.exitCode !== 0) merged.exitCode = update.exitCode;
  if (nonEmpty(update.exitClass)) merged.exitClass = update.exitClass;
  if (nonEmpty(update.podName)) merged.podName = update.podName;
  if (typeof update.retries === "number" && update.retries !== 0) merged.retries = update.retries;
  if (present(update.nextRetryAt)) merged.nextRetryAt = update.nextRetryAt!;
  if (nonEmpty(update.lastFailureMsg)) merged.lastFailureMsg = update.lastFailureMsg;
  if (present(update.output)) merged.output = structuredClone(update.output);
  if (present(update.logs)) merged.logs = structuredClone(update.logs);
  if (present(update.error)) merged.error = structuredClone(update.error);
  if (update.clearFailure === true) {
    delete merged.exitCode;
    delete merged.lastFailureMsg;
    delete merged.error;
  }
  if (update.needs !== undefined && update.needs !== null) merged.needs = [...update.needs];
  if (update.signals !== undefined && update.signals !== null && Object.keys(update.signals).length > 0) {
    const signals: Record<string, unknown> = { ...(merged.signals ?? {}) };
    for (const [key, value] of Object.entries(update.signals)) {
      if (value === null || value === undefined) delete signals[key];
      else setEntry(signals, key, structuredClone(value));
    }
    merged.signals = signals;
  }
  if (update.signalEvents !== undefined && update.signalEvents.length > 0) {
    merged.signalEvents = appendBySeq(merged.signalEvents ?? [], update.signalEvents, MAX_SIGNAL_EVENTS, false);
  }
  if (update.effects !== undefined && update.effects.length > 0) {
    merged.effects = appendBySeq(merged.effects ?? [], update.effects, MAX_EFFECT_RECORDS, true);
  }
  return merged;
}

/** Go's `mergeSignalEvents` / `mergeEffects`. */
function appendBySeq<T extends { seq: number; key: string }>(
  existing: readonly T[],
  incoming: readonly T[],
  cap: number,
  dedupeKeys: boolean,
): T[] {
  const out = [...existing];
  const seqs = new Set<number>();
  const keys = new Set<string>();
  let maxSeq = 0;
  for (const e of existing) {
    const seq = seqOf(e);
    seqs.add(seq);
    if (seq > maxSeq) maxSeq = seq;
    const key = keyOf(e);
    if (dedupeKeys && key !== "") keys.add(key);
  }
  for (const original of incoming) {
    const key = keyOf(original);
    let seq = seqOf(original);
    if (dedupeKeys && seq === 0 && key !== "" && keys.has(key)) continue;
    if (seq === 0) {
      maxSeq++;
      seq = maxSeq;
    } else if (seq > maxSeq) {
      maxSeq = seq;
    }
    if (seqs.has(seq)) continue;
    out.push({ ...structuredClone(original), seq });
    seqs.add(seq);
    if (dedupeKeys && key !== "") keys.add(key);
  }
  if (out.length > cap) {
    out.sort((a, b) => seqOf(a) - seqOf(b));
    return out.slice(out.length - cap);
  }
  return out;
}

function seqOf(e: { seq: number }): number {
  return typeof e.seq === "number" && Number.isFinite(e.seq) && e.seq > 0 ? Math.trunc(e.seq) : 0;
}

function keyOf(e: { key: string }): string {
  return typeof e.key === "string" ? e.key.trim() : "";
}

/**
 * The status part of the merge patch: what changed between the status as read and the merged
 * status (`{}` when nothing did).
 */
export function statusDiff(before: StepRunStatus, after: StepRunStatus): JsonObject {
  return createMergePatch(before as JsonObject, after as JsonObject);
}
