/**
 * `emitSignal` and its variants (`contract/signals-effects.md`, "Signals"): the latest value per
 * key in `status.signals` (the value itself only for `SignalEnvelope`/`SignalMeta` within the
 * cap, else a redacted summary) and an event appended to `status.signalEvents`.
 *
 * Sequencing (DESIGN.md, quirk D1): `emitSignal` sends its event with `seq: 0`, and the
 * client-side merge inside `patchStepRunStatus` assigns `max(existing seq) + 1` on the StepRun as
 * read; with the `resourceVersion` precondition a concurrent writer makes us re-read and re-merge,
 * so numbering continues from the highest sequence in the status — across pod retries and across
 * concurrent processes of the same StepRun — and no event is dropped. Go restarts at 1 per process.
 * @module
 */
import { ENV } from "../env/names.ts";
import type { JsonObject } from "../k8s/merge-patch.ts";
import type { SignalEvent } from "../k8s/steprun-merge.ts";
import { patchStepRunStatus } from "../k8s/steprun-status.ts";
import { k8sOperationRecorder } from "../observability/instruments.ts";
import { utf8ByteLength } from "../json/go-json.ts";
import { SignalsUnavailableError, SignalTooLargeError } from "./errors.ts";
import { summarizeSignalValue } from "./summary.ts";
import { positiveIntEnv, resolveStepRunTarget, type StepRunContext } from "./target.ts";
import { formatMetaTime, goMarshal, SequencedSignal, SignalEnvelope, SignalMeta, type SignalSequence } from "./types.ts";

/** Default of `BUBU_SIGNAL_MAX_PAYLOAD_BYTES`. */
export const DEFAULT_SIGNAL_MAX_PAYLOAD_BYTES = 8192;
/** Go's per-emit patch timeout. */
export const SIGNAL_PATCH_TIMEOUT_MS = 3000;

/** Options of the emit functions. */
export interface EmitSignalOptions {
  /** Deadline of the status write (default 3s, as Go). */
  readonly timeoutMs?: number;
}

/** What an emit wrote. */
export interface EmitSignalResult {
  /** The event's sequence number. */
  readonly seq: number;
  /** How the latest value was stored in `status.signals[key]`. */
  readonly stored: "value" | "summary" | "deleted";
}

/**
 * Emits a signal: `status.signals[key]` becomes the value (or its summary), and an event is
 * appended to `status.signalEvents`. A `null`/`undefined` value deletes `signals[key]` and
 * appends an event without payload. Throws `SignalsUnavailableError` outside a StepRun.
 */
export function emitSignal(ctx: StepRunContext | undefined, key: string, value: unknown, options: EmitSignalOptions = {}): Promise<EmitSignalResult> {
  return emitEvent(ctx, key, value, 0, options);
}

/**
 * Emits `value` wrapped as `SequencedSignal{seq, emittedAt, value}` with the caller's `seq` as the
 * event sequence. An event whose `seq` already exists is dropped by the merge (as in Go); prefer
 * {@link emitSignal} unless the sequence is meaningful to the consumer.
 */
export function emitSequencedSignal(
  ctx: StepRunContext | undefined,
  key: string,
  seq: number,
  value: unknown,
  options: EmitSignalOptions = {},
): Promise<EmitSignalResult> {
  if (!Number.isSafeInteger(seq) || seq < 0) throw new RangeError(`signal sequence must be a non-negative integer, got ${seq}`);
  return emitEvent(ctx, key, new SequencedSignal(seq, value), seq, options);
}

/** `EmitSignalWithSequence`: the next value of `sequence`, or {@link emitSignal} without one. */
export function emitSignalWithSequence(
  ctx: StepRunContext | undefined,
  key: string,
  sequence: SignalSequence | undefined,
  value: unknown,
  options: EmitSignalOptions = {},
): Promise<EmitSignalResult> {
  if (sequence === undefined) return emitSignal(ctx, key, value, options);
  return emitSequencedSignal(ctx, key, sequence.next(), value, options);
}

/** The status value: envelopes/metas as they are when `raw` fits, else the redacted summary. */
async function statusValue(value: unknown, raw: string, max: number): Promise<unknown> {
  const inner = value instanceof SequencedSignal ? value.value : value;
  const fits = utf8ByteLength(raw) <= max;
  if (fits && (inner instanceof SignalEnvelope || inner instanceof SignalMeta)) return inner;
  return { ...(await summarizeSignalValue(value, raw)), redacted: true };
}

async function emitEvent(
  ctx: StepRunContext | undefined,
  rawKey: string,
  value: unknown,
  seq: number,
  options: EmitSignalOptions,
): Promise<EmitSignalResult> {
  const key = rawKey.trim();
  if (key === "") throw new Error("signal key is required");
  const target = await resolveStepRunTarget(ctx, () => new SignalsUnavailableError());
  const max = positiveIntEnv(target, ENV.SIGNAL_MAX_PAYLOAD_BYTES, DEFAULT_SIGNAL_MAX_PAYLOAD_BYTES);

  let stored: EmitSignalResult["stored"] = "deleted";
  let latest: unknown = null;
  let payload: JsonObject | undefined;
  if (value !== undefined && value !== null) {
    let raw: string;
    try {
      raw = goMarshal(value);
    } catch (err) {
      throw new Error(`failed to marshal signal payload: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
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

  const result = await patchStepRunStatus(
    target.client,
    target.namespace,
    target.name,
    { signals: { [key]: latest }, signalEvents: [event] },
    {
      ...(ctx?.signal !== undefined ? { signal: ctx.signal } : {}),
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
  for (const e of status?.signalEvents ?? []) if (e.key === key && typeof e.seq === "number" && e.seq > max) max = e.seq;
  return max;
}
