/**
 * `emitSignal` and its variants: the latest value per key in `status.signals` (the value itself
 * only for `SignalEnvelope`/`SignalMeta` within the cap, else a redacted summary) and an event
 * appended to `status.signalEvents`.
 *
 * Sequencing: `emitSignal` sends its event with `seq: 0`, and the client-side merge inside
 * `patchStepRunStatus` assigns `max(existing seq) + 1` on the StepRun as read; with the
 * `resourceVersion` precondition a concurrent writer makes us re-read and re-merge, so numbering
 * continues from the highest sequence in the status — across pod retries and across concurrent
 * processes of the same StepRun — and no event is dropped. The Go SDK restarts at 1 per process
 * (docs/go-differences.md, "Signal sequence numbers").
 * @module
 */
import { ENV } from "../env/names.ts";
import { utf8ByteLength } from "../json/go-json.ts";
import type { JsonObject } from "../k8s/merge-patch.ts";
import type { SignalEvent } from "../k8s/steprun-merge.ts";
import { patchStepRunStatus } from "../k8s/steprun-status.ts";
import { positiveIntEnv, type StepRunTarget } from "../k8s/steprun-target.ts";
import { k8sOperationRecorder } from "../observability/otel-gate.ts";
import { SignalTooLargeError } from "./errors.ts";
import { summarizeSignalValue } from "./summary.ts";
import { formatMetaTime, goMarshal, SequencedSignal, SignalEnvelope, SignalMeta } from "./types.ts";

/** Default of `BUBU_SIGNAL_MAX_PAYLOAD_BYTES`. */
export const DEFAULT_SIGNAL_MAX_PAYLOAD_BYTES = 8192;
/** The per-emit patch timeout (the Go SDK's). */
export const SIGNAL_PATCH_TIMEOUT_MS = 3000;

/** Options of {@link emitSignal}. */
export interface EmitSignalOptions {
  /**
   * A sequence number chosen by the caller: the value is stored as `{seq, emittedAt, value}` and
   * the event carries this `seq` (an event whose `seq` already exists is dropped). Without it the
   * SDK numbers events after the highest sequence already in the StepRun.
   */
  readonly seq?: number;
  /** Deadline of the status write (default 3s). */
  readonly timeoutMs?: number;
  /** Cancels the write. */
  readonly signal?: AbortSignal;
}

/** What an emit wrote. */
export interface EmitSignalResult {
  /** The event's sequence number. */
  readonly seq: number;
  /** How the latest value was stored in `status.signals[key]`. */
  readonly stored: "value" | "summary" | "deleted";
}

/**
 * Emits a signal on `target`: `status.signals[key]` becomes the value (or its summary), and an
 * event is appended to `status.signalEvents`. A `null`/`undefined` value deletes `signals[key]`
 * and appends an event without payload.
 *
 * @remarks Go's `EmitSignal`, `EmitSequencedSignal` (the `seq` option) and
 * `EmitSignalWithSequence` in one function.
 */
export async function emitSignal(
  target: StepRunTarget,
  key: string,
  value: unknown,
  options: EmitSignalOptions = {},
): Promise<EmitSignalResult> {
  const sequenced = sequencedValue(value, options.seq);
  return emitEvent(target, key, sequenced.value, sequenced.seq, options);
}

/** The status value: envelopes/metas as they are when `raw` fits, else the redacted summary. */
async function statusValue(value: unknown, raw: string, max: number): Promise<unknown> {
  const inner = value instanceof SequencedSignal ? value.value : value;
  const fits = utf8ByteLength(raw) <= max;
  if (fits && (inner instanceof SignalEnvelope || inner instanceof SignalMeta)) return inner;
  return { ...(await summarizeSignalValue(value, raw)), redacted: true };
}

/** One signal as it is written: the latest value of `key` and the event appended for it. */
export interface SignalEntry {
  readonly key: string;
  /** `status.signals[key]`: the value, its summary, or `null` (deleted). */
  readonly latest: unknown;
  readonly event: SignalEvent;
  readonly stored: EmitSignalResult["stored"];
}

/**
 * Builds the entry for `value` under `key` with `seq` (0: assigned on write), capping the stored
 * value at `max` bytes. Shared by the StepRun writer and the local and captured sinks, so a
 * laptop run or a test sees what the cluster would store.
 */
export async function buildSignalEntry(rawKey: string, value: unknown, seq: number, max: number): Promise<SignalEntry> {
  const key = rawKey.trim();
  if (key === "") throw new Error("signal key is required");
  let stored: EmitSignalResult["stored"] = "deleted";
  let latest: unknown = null;
  let payload: JsonObject | undefined;
  if (value !== undefined && value !== null) {
    let raw: string;
    try {
      raw = goMarshal(value);
    } catch (err) {
      throw new Error(`failed to marshal signal payload: ${err instanceof Error ? err.message : String(err)}`, {
        cause: err,
      });
    }
    latest = await statusValue(value, raw, max);
    const latestRaw = goMarshal(latest);
    if (utf8ByteLength(latestRaw) > max) throw new SignalTooLargeError(key, max);
    stored = latest instanceof SignalEnvelope || latest instanceof SignalMeta ? "value" : "summary";
    // Stored as plain JSON: the merge deep-copies values, which would drop class `toJSON`s.
    latest = JSON.parse(latestRaw) as unknown;
    payload = (await summarizeSignalValue(value, raw)) as unknown as JsonObject;
  }
  const event: SignalEvent = { seq, key, emittedAt: formatMetaTime(new Date()) };
  if (payload !== undefined) event.payload = payload;
  return { key, latest, event, stored };
}

/** The value to emit for `seq` (wrapped as `{seq, emittedAt, value}` when the caller chose one). */
export function sequencedValue(value: unknown, seq: number | undefined): { value: unknown; seq: number } {
  if (seq === undefined) return { value, seq: 0 };
  if (!Number.isSafeInteger(seq) || seq < 0)
    throw new RangeError(`signal sequence must be a non-negative integer, got ${seq}`);
  return { value: new SequencedSignal(seq, value), seq };
}

async function emitEvent(
  target: StepRunTarget,
  rawKey: string,
  value: unknown,
  seq: number,
  options: EmitSignalOptions,
): Promise<EmitSignalResult> {
  const max = positiveIntEnv(target, ENV.SIGNAL_MAX_PAYLOAD_BYTES, DEFAULT_SIGNAL_MAX_PAYLOAD_BYTES);
  const { key, latest, event, stored } = await buildSignalEntry(rawKey, value, seq, max);
  const result = await patchStepRunStatus(
    target.client,
    target.namespace,
    target.name,
    { signals: { [key]: latest }, signalEvents: [event] },
    {
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
      timeoutMs: options.timeoutMs ?? SIGNAL_PATCH_TIMEOUT_MS,
      onComplete: k8sOperationRecorder("PatchStepRunStatus"),
    },
  );
  return { seq: seq !== 0 ? seq : assignedSeq(result.stepRun, key), stored };
}

/** The sequence the merge gave our event: the highest in the StepRun right after our write. */
function assignedSeq(stepRun: Record<string, unknown>, key: string): number {
  const status = stepRun["status"] as { signalEvents?: SignalEvent[] } | undefined;
  let max = 0;
  for (const e of status?.signalEvents ?? [])
    if (e.key === key && typeof e.seq === "number" && e.seq > max) max = e.seq;
  return max;
}
