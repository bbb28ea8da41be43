/**
 * `executeEffectOnce`: run a side effect at most once per StepRun, across pod retries and
 * concurrent processes, with an `EffectClaim` as the lock.
 *
 * Steps: in-process gate → StepRun ledger check → create/take over the claim → `fn` while the
 * lease is renewed → on failure release the claim; on success complete the claim, then append the
 * `succeeded` record to `status.effects`.
 * @module
 */

import { sleep } from "../k8s/backoff.ts";
import { EFFECT_CLAIM_LEASE_SECONDS, EFFECT_CLAIM_OPERATION_TIMEOUT_MS, renewIntervalMs } from "../k8s/effectclaim.ts";
import type { StepRunTarget } from "../k8s/steprun-target.ts";
import { completeReservation, type Reservation, releaseReservation, renewReservation, reserveEffect } from "./claim.ts";
import { marshalEffectDetails } from "./details.ts";
import { EffectAlreadyRecordedError, EffectOutcomeError } from "./errors.ts";
import { acquireEffectGate } from "./gate.ts";
import { effectKey, effectMaxDetailsBytes, effectsOf, getStepRun, recordEffect } from "./record.ts";

/** Options of {@link executeEffectOnce}. */
export interface ExecuteEffectOnceOptions {
  /** `leaseDurationSeconds` of a new claim (default 600). Short leases are for tests. */
  readonly leaseDurationSeconds?: number;
  /** Renewal interval (default `clamp(lease / 3, 100ms, 30s)`). */
  readonly renewIntervalMs?: number;
  /** Deadline of each claim operation (default 3s). */
  readonly operationTimeoutMs?: number;
  /** Cancels the wait for the claim and aborts `fn`'s signal. */
  readonly signal?: AbortSignal;
}

/** The result of {@link executeEffectOnce}. */
export type EffectOutcome<T> =
  | { readonly already: false; readonly result: T }
  | {
      readonly already: true;
      /** `completed`: it ran before; `held`: another live holder owns the claim now. */
      readonly reason: "completed" | "held";
      readonly result?: undefined;
    };

/** The effect body: receives a signal that aborts when the caller cancels or the lease is lost. */
export type EffectFn<T> = (signal: AbortSignal) => T | Promise<T>;

/**
 * Runs `fn` unless the effect `key` already ran for this StepRun. Returns `{already: false,
 * result}` after `fn` succeeded and the claim and ledger record were written, or `{already: true,
 * reason}`. Throws `fn`'s error (after releasing the claim), `EffectsUnavailableError` outside a
 * StepRun, and {@link EffectOutcomeError} (with `result`) when `fn` succeeded but the lease was
 * lost or the completion could not be written.
 */
export async function executeEffectOnce<T>(
  target: StepRunTarget,
  key: string,
  fn: EffectFn<T>,
  options: ExecuteEffectOnceOptions = {},
): Promise<EffectOutcome<T>> {
  const k = effectKey(key);
  if (typeof fn !== "function") throw new Error("effect function is required");
  const gate = await acquireEffectGate(`${target.namespace}:${target.name}:${k}`);
  if (gate === undefined) return { already: true, reason: "completed" };
  let succeeded = false;
  try {
    const outcome = await runClaimed(target, k, fn, options.signal, options);
    succeeded = !outcome.already || outcome.reason === "completed";
    return outcome;
  } catch (err) {
    // fn succeeded but persisting failed: never run it again in this process.
    if (err instanceof EffectOutcomeError && err.stage !== "renew") succeeded = true;
    throw err;
  } finally {
    gate.release(succeeded);
  }
}

/** Throws {@link EffectAlreadyRecordedError} for an "already" outcome, else returns the result. */
export function effectResultOrThrow<T>(outcome: EffectOutcome<T>): T {
  if (outcome.already) throw new EffectAlreadyRecordedError(outcome.reason);
  return outcome.result;
}

function deadline(timeoutMs: number, signal: AbortSignal | undefined): AbortSignal {
  const t = AbortSignal.timeout(timeoutMs);
  return signal === undefined ? t : AbortSignal.any([signal, t]);
}

async function runClaimed<T>(
  target: StepRunTarget,
  key: string,
  fn: EffectFn<T>,
  signal: AbortSignal | undefined,
  options: ExecuteEffectOnceOptions,
): Promise<EffectOutcome<T>> {
  const opTimeout = options.operationTimeoutMs ?? EFFECT_CLAIM_OPERATION_TIMEOUT_MS;
  const lease =
    options.leaseDurationSeconds !== undefined && options.leaseDurationSeconds > 0
      ? Math.ceil(options.leaseDurationSeconds)
      : EFFECT_CLAIM_LEASE_SECONDS;

  const stepRun = await getStepRun(target, signal, opTimeout);
  if (effectsOf(stepRun).some((e) => typeof e.key === "string" && e.key.trim() === key)) {
    return { already: true, reason: "completed" };
  }
  const meta = (stepRun["metadata"] ?? {}) as { uid?: string };
  const spec = (stepRun["spec"] ?? {}) as { idempotencyKey?: string };
  const reserved = await reserveEffect(
    target.client,
    { name: target.name, namespace: target.namespace, uid: meta.uid ?? "", idempotencyKey: spec.idempotencyKey ?? "" },
    key,
    { leaseDurationSeconds: lease, signal: deadline(opTimeout, signal) },
  );
  if (reserved.kind === "already") return { already: true, reason: reserved.reason };
  const reservation = reserved.reservation;

  const exec = new AbortController();
  const onCallerAbort = (): void => exec.abort(signal?.reason);
  signal?.addEventListener("abort", onCallerAbort, { once: true });
  const renewal = startRenewal(reservation, options.renewIntervalMs ?? renewIntervalMs(lease), opTimeout, exec);

  let result: T;
  try {
    result = await fn(exec.signal);
  } catch (err) {
    const renewErr = await renewal.stop();
    signal?.removeEventListener("abort", onCallerAbort);
    await releaseReservation(reservation, AbortSignal.timeout(opTimeout)).catch(() => {});
    throw renewErr === undefined
      ? err
      : new AggregateError([err, renewErr], `${messageOf(err)}\n${messageOf(renewErr)}`);
  }
  const renewErr = await renewal.stop();
  signal?.removeEventListener("abort", onCallerAbort);
  if (renewErr !== undefined) {
    await releaseReservation(reservation, AbortSignal.timeout(opTimeout)).catch(() => {});
    throw new EffectOutcomeError("renew", messageOf(renewErr), result, renewErr);
  }

  try {
    const details = await marshalEffectDetails(result, effectMaxDetailsBytes(target));
    await completeReservation(reservation, details, AbortSignal.timeout(opTimeout));
  } catch (err) {
    throw new EffectOutcomeError("complete", messageOf(err), result, err);
  }
  try {
    await recordEffect(target, key, { status: "succeeded", details: result, timeoutMs: opTimeout });
  } catch (err) {
    throw new EffectOutcomeError("record", messageOf(err), result, err);
  }
  return { already: false, result };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The lease renewer: renews at a fixed rate of `intervalMs` (a slow renewal does not push the next
 * one back by its own duration; an overdue one starts at once); the first failure aborts `exec` and
 * stops it.
 */
function startRenewal(
  reservation: Reservation,
  intervalMs: number,
  opTimeoutMs: number,
  exec: AbortController,
): { stop(): Promise<unknown> } {
  const stopper = new AbortController();
  let failure: unknown;
  const loop = (async () => {
    let next = Date.now() + intervalMs;
    for (;;) {
      try {
        await sleep(Math.max(0, next - Date.now()), stopper.signal);
      } catch {
        return;
      }
      next += intervalMs;
      if (next < Date.now()) next = Date.now() + intervalMs;
      try {
        await renewReservation(reservation, AbortSignal.any([stopper.signal, AbortSignal.timeout(opTimeoutMs)]));
      } catch (err) {
        if (stopper.signal.aborted) return;
        failure = err;
        exec.abort(err);
        return;
      }
    }
  })();
  return {
    async stop(): Promise<unknown> {
      stopper.abort();
      await loop;
      return failure;
    },
  };
}
