/**
 * `recordEffect` and `hasEffect`: the effect ledger in `StepRun.status.effects`
 * (the Go SDK's `RecordEffect` and `HasEffect`).
 * @module
 */
import { ENV } from "../env/names.ts";
import type { KubeObject } from "../k8s/client.ts";
import { STEP_RUNS } from "../k8s/resources.ts";
import type { EffectRecord } from "../k8s/steprun-merge.ts";
import { patchStepRunStatus } from "../k8s/steprun-status.ts";
import { positiveIntEnv, type StepRunTarget } from "../k8s/steprun-target.ts";
import { k8sOperationRecorder } from "../observability/otel-gate.ts";
import { formatMetaTime } from "../signals/types.ts";
import { DEFAULT_EFFECT_MAX_DETAILS_BYTES, marshalEffectDetails } from "./details.ts";

/** The timeout of effect status writes and reads (the Go SDK's). */
export const EFFECT_PATCH_TIMEOUT_MS = 3000;

/** Options of {@link hasEffect}. */
export interface EffectCallOptions {
  /** Deadline (default 3s). */
  readonly timeoutMs?: number;
  /** Cancels the call. */
  readonly signal?: AbortSignal;
}

/** Options of {@link recordEffect}. */
export interface RecordEffectOptions extends EffectCallOptions {
  /** The record's `status`, e.g. `succeeded` (blank: none). */
  readonly status?: string;
  /** JSON details, capped at `BUBU_EFFECT_MAX_DETAILS_BYTES` (a summary replaces larger ones). */
  readonly details?: unknown;
}

/** What {@link recordEffect} did. */
export interface RecordEffectResult {
  /** False when a record with this key already existed (the new one is dropped). */
  readonly recorded: boolean;
  /** The record's sequence number (the existing record's when not recorded). */
  readonly seq: number;
}

/** The trimmed, non-empty key, or an error. */
export function effectKey(key: string): string {
  const k = key.trim();
  if (k === "") throw new Error("effect key is required");
  return k;
}

/** `BUBU_EFFECT_MAX_DETAILS_BYTES` of a target. */
export function effectMaxDetailsBytes(target: StepRunTarget): number {
  return positiveIntEnv(target, ENV.EFFECT_MAX_DETAILS_BYTES, DEFAULT_EFFECT_MAX_DETAILS_BYTES);
}

/**
 * Appends `{"seq":<max+1>,"key","status","emittedAt","details"}` to `status.effects`. A record
 * whose key already exists is not added (`recorded: false`).
 */
export async function recordEffect(
  target: StepRunTarget,
  key: string,
  options: RecordEffectOptions = {},
): Promise<RecordEffectResult> {
  const k = effectKey(key);
  const detailObject = await marshalEffectDetails(options.details, effectMaxDetailsBytes(target));
  const record: EffectRecord = { seq: 0, key: k, emittedAt: formatMetaTime(new Date()) };
  const trimmed = (options.status ?? "").trim();
  if (trimmed !== "") record.status = trimmed;
  if (detailObject !== undefined) record.details = detailObject;
  const result = await patchStepRunStatus(
    target.client,
    target.namespace,
    target.name,
    { effects: [record] },
    {
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
      timeoutMs: options.timeoutMs ?? EFFECT_PATCH_TIMEOUT_MS,
      onComplete: k8sOperationRecorder("PatchStepRunStatus"),
    },
  );
  const existing = effectsOf(result.stepRun).find((e) => typeof e.key === "string" && e.key.trim() === k);
  return { recorded: result.patched, seq: typeof existing?.seq === "number" ? existing.seq : 0 };
}

/** Whether the StepRun already records an effect with this key (one GET, 3s). */
export async function hasEffect(target: StepRunTarget, key: string, options: EffectCallOptions = {}): Promise<boolean> {
  const k = effectKey(key);
  const stepRun = await getStepRun(target, options.signal, options.timeoutMs ?? EFFECT_PATCH_TIMEOUT_MS);
  return effectsOf(stepRun).some((e) => typeof e.key === "string" && e.key.trim() === k);
}

/** GET the target StepRun within `timeoutMs`. */
export async function getStepRun(
  target: StepRunTarget,
  signal: AbortSignal | undefined,
  timeoutMs: number,
): Promise<KubeObject> {
  const deadline = AbortSignal.timeout(timeoutMs);
  try {
    return await target.client.get(STEP_RUNS, target.namespace, target.name, {
      signal: signal === undefined ? deadline : AbortSignal.any([signal, deadline]),
    });
  } catch (err) {
    throw new Error(`failed to fetch StepRun for effect lookup: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
}

/** `status.effects` of a StepRun object. */
export function effectsOf(stepRun: KubeObject): EffectRecord[] {
  const status = stepRun["status"] as { effects?: EffectRecord[] } | undefined;
  return Array.isArray(status?.effects) ? status.effects : [];
}
