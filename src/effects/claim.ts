/**
 * The EffectClaim lease of `executeEffectOnce`: create or take over, renew, release, complete.
 * Every write is a full PUT carrying the `resourceVersion` that was read; a PUT that conflicts
 * reads the claim again and decides again.
 * @module
 */
import type { KubeClient } from "../k8s/client.ts";
import {
  buildEffectClaim,
  claimMatchesStepRun,
  type EffectClaim,
  formatMicroTime,
  isClaimCompleted,
  isClaimFree,
  isClaimHeldBy,
  isClaimStale,
  newHolderIdentity,
} from "../k8s/effectclaim.ts";
import { isAlreadyExists, isConflict, isNotFound } from "../k8s/errors.ts";
import type { JsonObject } from "../k8s/merge-patch.ts";
import { EFFECT_CLAIMS } from "../k8s/resources.ts";
import { formatMetaTime } from "../signals/types.ts";

/**
 * Re-GETs after an update conflict. The operator writes a new claim's status (its conditions) a
 * moment after the create, so the first renew or completion often races it.
 */
const CONFLICT_RETRIES = 3;

/**
 * Runs `attempt` (a GET, a decision and a PUT) again while its PUT conflicts, up to
 * {@link CONFLICT_RETRIES} more times.
 *
 * @remarks The Go SDK (v0.1.5) sends each of these PUTs once: on the real operator its completion
 * of a new claim fails with a 409 when the operator's status write lands in between.
 */
async function retryOnConflict<T>(attempt: () => Promise<T>): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (n >= CONFLICT_RETRIES || !isConflict(err)) throw err;
    }
  }
}

/** A claim this process holds. */
export interface Reservation {
  readonly client: KubeClient;
  readonly namespace: string;
  readonly name: string;
  readonly holderIdentity: string;
  /** The claim as last written by us. */
  claim: EffectClaim;
}

/** What {@link reserveEffect} found. */
export type ReserveOutcome =
  | { readonly kind: "reserved"; readonly reservation: Reservation }
  | { readonly kind: "already"; readonly reason: "completed" | "held" };

/** The StepRun facts a claim needs. */
export interface ClaimStepRun {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
  readonly idempotencyKey: string;
}

/** Options of the claim calls. */
export interface ClaimOptions {
  readonly leaseDurationSeconds: number;
  /** Aborts the operation (its 3s deadline, plus the caller's signal). */
  readonly signal: AbortSignal;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Creates the claim, or takes over a released or stale one; "already" otherwise. */
export async function reserveEffect(
  client: KubeClient,
  stepRun: ClaimStepRun,
  key: string,
  options: ClaimOptions,
): Promise<ReserveOutcome> {
  const holderIdentity = await newHolderIdentity(stepRun.namespace, stepRun.name, key);
  const body = await buildEffectClaim({
    namespace: stepRun.namespace,
    stepRunName: stepRun.name,
    stepRunUid: stepRun.uid,
    effectKey: key,
    idempotencyKey: stepRun.idempotencyKey,
    holderIdentity,
    leaseDurationSeconds: options.leaseDurationSeconds,
    now: new Date(),
  });
  const name = body.metadata.name;
  const rq = { signal: options.signal };
  try {
    const created = await client.create<EffectClaim>(EFFECT_CLAIMS, stepRun.namespace, body, rq);
    return {
      kind: "reserved",
      reservation: { client, namespace: stepRun.namespace, name, holderIdentity, claim: created },
    };
  } catch (err) {
    if (!isAlreadyExists(err)) throw new Error(`failed to create effect reservation: ${message(err)}`, { cause: err });
  }
  let existing: EffectClaim;
  try {
    existing = await client.get<EffectClaim>(EFFECT_CLAIMS, stepRun.namespace, name, rq);
  } catch (err) {
    throw new Error(`failed to fetch effect reservation: ${message(err)}`, { cause: err });
  }
  if (!claimMatchesStepRun(existing, stepRun, key)) {
    throw new Error(`existing effect reservation ${stepRun.namespace}/${name} does not match StepRun/effect identity`);
  }
  if (isClaimCompleted(existing)) return { kind: "already", reason: "completed" };
  if (isClaimFree(existing)) return takeOver(client, stepRun, existing, holderIdentity, false, options);
  if (isClaimStale(existing, Date.now())) return takeOver(client, stepRun, existing, holderIdentity, true, options);
  return { kind: "already", reason: "held" };
}

async function takeOver(
  client: KubeClient,
  stepRun: ClaimStepRun,
  found: EffectClaim,
  holderIdentity: string,
  stale: boolean,
  options: ClaimOptions,
): Promise<ReserveOutcome> {
  let current = found;
  for (let i = 0; i < CONFLICT_RETRIES; i++) {
    if (isClaimCompleted(current)) return { kind: "already", reason: "completed" };
    if (!stale && !isClaimFree(current)) return { kind: "already", reason: "held" };
    if (stale && !isClaimStale(current, Date.now())) return { kind: "already", reason: "held" };
    const now = formatMicroTime(new Date());
    const spec = { ...current.spec, holderIdentity, acquireTime: now, renewTime: now };
    if ((spec.leaseDurationSeconds ?? 0) <= 0) spec.leaseDurationSeconds = options.leaseDurationSeconds;
    if (stale) spec.leaseTransitions = (current.spec.leaseTransitions ?? 0) + 1;
    const updated: EffectClaim = { ...current, spec };
    try {
      const written = await client.update<EffectClaim>(
        EFFECT_CLAIMS,
        stepRun.namespace,
        current.metadata.name,
        updated,
        {
          signal: options.signal,
        },
      );
      return {
        kind: "reserved",
        reservation: {
          client,
          namespace: stepRun.namespace,
          name: current.metadata.name,
          holderIdentity,
          claim: written,
        },
      };
    } catch (err) {
      if (!isConflict(err))
        throw new Error(`failed to recover stale effect reservation: ${message(err)}`, { cause: err });
    }
    try {
      current = await client.get<EffectClaim>(EFFECT_CLAIMS, stepRun.namespace, current.metadata.name, {
        signal: options.signal,
      });
    } catch (err) {
      throw new Error(`failed to refetch stale effect reservation: ${message(err)}`, { cause: err });
    }
  }
  // After three conflicts the call reports "already" (held), as the Go SDK does.
  return { kind: "already", reason: "held" };
}

async function read(r: Reservation, signal: AbortSignal): Promise<EffectClaim> {
  return r.client.get<EffectClaim>(EFFECT_CLAIMS, r.namespace, r.name, { signal });
}

/** GET, confirm we still hold it, PUT a fresh `renewTime` (and `acquireTime` if unset). */
export async function renewReservation(r: Reservation, signal: AbortSignal): Promise<void> {
  try {
    await retryOnConflict(() => renewOnce(r, signal));
  } catch (err) {
    if (isConflict(err)) throw new Error(`failed to renew effect reservation: ${message(err)}`, { cause: err });
    throw err;
  }
}

async function renewOnce(r: Reservation, signal: AbortSignal): Promise<void> {
  let current: EffectClaim;
  try {
    current = await read(r, signal);
  } catch (err) {
    throw new Error(`failed to fetch effect reservation for renewal: ${message(err)}`, { cause: err });
  }
  if (!isClaimHeldBy(current, r.holderIdentity)) {
    if (isClaimCompleted(current)) {
      r.claim = current;
      throw new Error("effect reservation completed by another holder before renewal");
    }
    throw new Error("effect reservation ownership lost before renewal");
  }
  const now = formatMicroTime(new Date());
  const spec = { ...current.spec, renewTime: now };
  if (spec.acquireTime === undefined || spec.acquireTime === null) spec.acquireTime = now;
  try {
    r.claim = await r.client.update<EffectClaim>(EFFECT_CLAIMS, r.namespace, r.name, { ...current, spec }, { signal });
  } catch (err) {
    if (isConflict(err)) throw err;
    throw new Error(`failed to renew effect reservation: ${message(err)}`, { cause: err });
  }
}

/** Gives the claim up after a failure: no holder, no lease times, `completionStatus: released`. */
export async function releaseReservation(r: Reservation, signal: AbortSignal): Promise<void> {
  try {
    await retryOnConflict(() => releaseOnce(r, signal));
  } catch (err) {
    if (isConflict(err)) throw new Error(`failed to release effect reservation: ${message(err)}`, { cause: err });
    throw err;
  }
}

async function releaseOnce(r: Reservation, signal: AbortSignal): Promise<void> {
  let current: EffectClaim;
  try {
    current = await read(r, signal);
  } catch (err) {
    if (isNotFound(err)) return;
    throw new Error(`failed to fetch effect reservation before release: ${message(err)}`, { cause: err });
  }
  if (!isClaimHeldBy(current, r.holderIdentity)) return;
  const spec = { ...current.spec, holderIdentity: "", completionStatus: "released" as const };
  delete spec.acquireTime;
  delete spec.renewTime;
  delete spec.completedAt;
  delete spec.details;
  try {
    r.claim = await r.client.update<EffectClaim>(EFFECT_CLAIMS, r.namespace, r.name, { ...current, spec }, { signal });
  } catch (err) {
    if (isNotFound(err)) return;
    if (isConflict(err)) throw err;
    throw new Error(`failed to release effect reservation: ${message(err)}`, { cause: err });
  }
}

/**
 * Marks the claim completed with the effect's details. Returns quietly when another holder
 * already completed it; throws when the claim was lost.
 */
export async function completeReservation(
  r: Reservation,
  details: JsonObject | undefined,
  signal: AbortSignal,
): Promise<void> {
  try {
    await retryOnConflict(() => completeOnce(r, details, signal));
  } catch (err) {
    if (isConflict(err)) throw new Error(`failed to complete effect reservation: ${message(err)}`, { cause: err });
    throw err;
  }
}

async function completeOnce(r: Reservation, details: JsonObject | undefined, signal: AbortSignal): Promise<void> {
  let current: EffectClaim;
  try {
    current = await read(r, signal);
  } catch (err) {
    throw new Error(`failed to fetch effect reservation before completion: ${message(err)}`, { cause: err });
  }
  if (!isClaimHeldBy(current, r.holderIdentity)) {
    if (isClaimCompleted(current)) {
      r.claim = current;
      return;
    }
    throw new Error("effect reservation ownership lost before completion");
  }
  const now = new Date();
  const spec = {
    ...current.spec,
    completionStatus: "completed" as const,
    completedAt: formatMetaTime(now),
    renewTime: formatMicroTime(now),
  };
  if (details === undefined) delete spec.details;
  else spec.details = details;
  try {
    r.claim = await r.client.update<EffectClaim>(EFFECT_CLAIMS, r.namespace, r.name, { ...current, spec }, { signal });
  } catch (err) {
    if (isConflict(err)) throw err;
    throw new Error(`failed to complete effect reservation: ${message(err)}`, { cause: err });
  }
}
