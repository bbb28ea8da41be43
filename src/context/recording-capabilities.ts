/**
 * Signals, effects and logs kept in memory, with the same rules as the StepRun writer (summaries,
 * size caps, sequence numbers, one record per effect key). The local sink (a laptop run) and the
 * test harness both build on it: what they record is what a cluster run would have stored.
 * @module
 */

import { marshalEffectDetails } from "../effects/details.ts";
import type { Effects, Logs, LogsRef, OnceOutcome, SignalReceipt, Signals } from "../engram/context.ts";
import type { EffectRecord, SignalEvent } from "../k8s/steprun-merge.ts";
import { buildSignalEntry, sequencedValue } from "../signals/emit.ts";
import { formatMetaTime } from "../signals/types.ts";
import type { EffectStore } from "./effect-store.ts";

/** A signal as it was recorded. */
export interface RecordedSignal {
  readonly key: string;
  /** What the StepRun's `status.signals[key]` would hold (the value, a summary, or `null`). */
  readonly latest: unknown;
  /** The value as the handler passed it. */
  readonly value: unknown;
  readonly event: SignalEvent;
  readonly stored: SignalReceipt["stored"];
}

/** A published log. */
export interface RecordedLog {
  readonly ref: LogsRef;
  readonly bytes: Uint8Array;
  /** The bytes as UTF-8 text. */
  readonly text: string;
}

/** Everything a run recorded, in order. */
export interface RunRecord {
  readonly signals: RecordedSignal[];
  /** The effect ledger (`status.effects`). */
  readonly effects: EffectRecord[];
  readonly logs: RecordedLog[];
}

/** A new, empty {@link RunRecord}. */
export function emptyRunRecord(): RunRecord {
  return { signals: [], effects: [], logs: [] };
}

/** What the recording capabilities need. */
export interface RecordingOptions {
  readonly record: RunRecord;
  /** Claims of `effects.once`; kept across runs by the caller when it should be. */
  readonly effectStore: EffectStore;
  readonly maxSignalBytes: number;
  readonly maxEffectDetailsBytes: number;
  /** Where a published log's bytes go; returns its ref. */
  storeLog(bytes: Uint8Array, contentType: string): Promise<LogsRef>;
  /** Called after each signal, effect record or log (the local sink prints them). */
  onRecord?(kind: "signal" | "effect" | "log", entry: RecordedSignal | EffectRecord | RecordedLog): void;
}

/** Signals, effects and logs that write into `options.record`. */
export function recordingCapabilities(options: RecordingOptions): { signals: Signals; effects: Effects; logs: Logs } {
  const { record } = options;
  const notify = options.onRecord ?? (() => {});
  const emit = async (key: string, value: unknown, seq?: number): Promise<SignalReceipt> => {
    const sequenced = sequencedValue(value, seq);
    const entry = await buildSignalEntry(key, sequenced.value, sequenced.seq, options.maxSignalBytes);
    if (entry.event.seq !== 0 && record.signals.some((s) => s.event.seq === entry.event.seq)) {
      // The StepRun merge drops an event whose sequence exists; so do we.
      return { seq: entry.event.seq, stored: entry.stored };
    }
    const assigned =
      entry.event.seq !== 0 ? entry.event.seq : 1 + Math.max(0, ...record.signals.map((s) => s.event.seq));
    const recorded: RecordedSignal = { ...entry, value, event: { ...entry.event, seq: assigned } };
    record.signals.push(recorded);
    notify("signal", recorded);
    return { seq: assigned, stored: entry.stored };
  };
  const recordEffect = async (
    key: string,
    status: string | undefined,
    details: unknown,
  ): Promise<{ recorded: boolean; seq: number }> => {
    const k = effectKeyOf(key);
    const existing = record.effects.find((e) => e.key === k);
    if (existing) return { recorded: false, seq: existing.seq };
    const entry: EffectRecord = {
      seq: 1 + Math.max(0, ...record.effects.map((e) => e.seq)),
      key: k,
      emittedAt: formatMetaTime(new Date()),
    };
    const trimmed = (status ?? "").trim();
    if (trimmed !== "") entry.status = trimmed;
    const detailObject = await marshalEffectDetails(details, options.maxEffectDetailsBytes);
    if (detailObject !== undefined) entry.details = detailObject;
    record.effects.push(entry);
    notify("effect", entry);
    return { recorded: true, seq: entry.seq };
  };
  const publish = async (
    payload: Uint8Array | string,
    contentType: string | undefined,
  ): Promise<LogsRef | undefined> => {
    const bytes = typeof payload === "string" ? new TextEncoder().encode(payload) : payload;
    if (bytes.length === 0) return undefined;
    const ref = await options.storeLog(bytes, (contentType ?? "").trim() || "text/plain; charset=utf-8");
    const log: RecordedLog = { ref, bytes, text: new TextDecoder().decode(bytes) };
    record.logs.push(log);
    notify("log", log);
    return ref;
  };
  return {
    signals: {
      emit: (key, value, opts) => emit(key, value, opts?.seq),
      async emitText(key, text, opts) {
        const { textSignalValue } = await import("../signals/text-signal.ts");
        return await emit(key, await textSignalValue(text, opts ?? {}));
      },
      replay: (opts) => {
        const since = opts?.sinceSeq ?? 0;
        return Promise.resolve(
          record.signals
            .map((s) => s.event)
            .filter((e) => e.seq > since)
            .sort((a, b) => a.seq - b.seq),
        );
      },
    },
    effects: {
      record: (key, opts) => recordEffect(key, opts?.status, opts?.details),
      has: (key) => Promise.resolve(record.effects.some((e) => e.key === effectKeyOf(key))),
      async once<T>(
        key: string,
        fn: (signal: AbortSignal) => T | Promise<T>,
        opts?: { leaseSeconds?: number; signal?: AbortSignal },
      ): Promise<OnceOutcome<T>> {
        const k = effectKeyOf(key);
        if (typeof fn !== "function") throw new Error("effect function is required");
        if (record.effects.some((e) => e.key === k)) return { already: true, reason: "completed" };
        const leaseMs = (opts?.leaseSeconds ?? 600) * 1000;
        const claim = await options.effectStore.begin(k, leaseMs);
        if (claim !== "run") return { already: true, reason: claim };
        let result: T;
        try {
          result = await fn(opts?.signal ?? new AbortController().signal);
        } catch (err) {
          await options.effectStore.release(k);
          throw err;
        }
        await options.effectStore.complete(k, result);
        await recordEffect(k, "succeeded", result);
        return { already: false, result };
      },
    },
    logs: {
      publish: (payload, opts) => publish(payload, opts?.contentType),
      publishFile: () =>
        Promise.reject(new Error("logs.publishFile needs a file system: use logs.publish with the bytes")),
    },
  };
}

function effectKeyOf(key: string): string {
  const k = key.trim();
  if (k === "") throw new Error("effect key is required");
  return k;
}
