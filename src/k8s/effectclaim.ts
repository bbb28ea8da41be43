/**
 * The `EffectClaim` resource (`runs.bubustack.io/v1alpha1`): its name, the create body, lease
 * times and state checks, as the Go SDK writes them. Pure functions; the calls live in
 * `src/effects/claim.ts`.
 * @module
 */
import { apiVersionOf, EFFECT_CLAIMS } from "./resources.ts";

/** `leaseDurationSeconds` the SDK writes (10 minutes). */
export const EFFECT_CLAIM_LEASE_SECONDS = 600;
/** Timeout of each claim operation. */
export const EFFECT_CLAIM_OPERATION_TIMEOUT_MS = 3000;
/** Object names are limited to 253 characters. */
const MAX_NAME = 253;
/** `spec.holderIdentity` `maxLength`. */
const MAX_HOLDER = 253;

/** `spec.completionStatus` values. */
export type EffectClaimCompletionStatus = "completed" | "released" | "abandoned";

/** `EffectClaim.spec`. */
export interface EffectClaimSpec {
  stepRunRef: { name: string; namespace?: string; uid?: string };
  effectKey: string;
  idempotencyKey?: string;
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  leaseTransitions?: number;
  /** `metav1.MicroTime`. */
  acquireTime?: string;
  /** `metav1.MicroTime`. */
  renewTime?: string;
  completionStatus?: EffectClaimCompletionStatus;
  /** `metav1.Time`. */
  completedAt?: string;
  details?: Record<string, unknown>;
  [extra: string]: unknown;
}

/** An `EffectClaim` as JSON. */
export interface EffectClaim {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    creationTimestamp?: string;
    ownerReferences?: Record<string, unknown>[];
    [extra: string]: unknown;
  };
  spec: EffectClaimSpec;
  status?: Record<string, unknown>;
  [extra: string]: unknown;
}

async function sha1Hex8(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-1", new TextEncoder().encode(text)));
  return [...digest.subarray(0, 8)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * `DeriveEffectClaimName(ns, stepRun, key)`: `<stepRun>-effect-<hex of the first 8 bytes of
 * sha1(ns + "/" + stepRun + "/" + key)>`. Over 253 characters the StepRun prefix is cut (and a
 * trailing `-` removed; `s` if nothing is left). An empty key gives `""`.
 */
export async function deriveEffectClaimName(
  namespace: string,
  stepRunName: string,
  effectKey: string,
): Promise<string> {
  if (effectKey === "") return "";
  const hashed = await sha1Hex8(`${namespace}/${stepRunName}/${effectKey}`);
  const base = `${stepRunName}-effect-${hashed}`;
  if (base.length <= MAX_NAME) return base;
  const maxPrefix = Math.max(MAX_NAME - "-effect-".length - hashed.length, 1);
  let prefix = stepRunName;
  if (prefix.length > maxPrefix) {
    prefix = prefix.slice(0, maxPrefix).replace(/-+$/, "");
    if (prefix === "") prefix = "s";
  }
  return `${prefix}-effect-${hashed}`;
}

/**
 * `"<ns>:<stepRun>:<key>:<uuidv4>"`. When that would exceed the CRD's 253 characters (a long
 * key; Go's create then fails validation), the key part is replaced by the hex SHA-256 prefix of
 * the key so the claim can still be written.
 */
export async function newHolderIdentity(namespace: string, stepRunName: string, effectKey: string): Promise<string> {
  const uuid = crypto.randomUUID();
  const identity = `${namespace}:${stepRunName}:${effectKey}:${uuid}`;
  if (identity.length <= MAX_HOLDER) return identity;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(effectKey)));
  const short = [...digest.subarray(0, 8)].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${namespace}:${stepRunName}:${short}:${uuid}`.slice(0, MAX_HOLDER);
}

/** `metav1.MicroTime`: RFC3339 UTC with 6 fractional digits. */
export function formatMicroTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

/** Parses an RFC3339 time with any number of fractional digits; undefined when invalid. */
export function parseKubeTime(value: unknown): number | undefined {
  if (typeof value !== "string" || value === "") return undefined;
  const normalized = value.replace(/\.(\d{1,3})\d*(Z|[+-]\d{2}:\d{2})$/, ".$1$2");
  const ms = Date.parse(normalized);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Renewal interval: `clamp(lease / 3, 100ms, 30s)` (30s for the 600s lease). */
export function renewIntervalMs(leaseSeconds: number): number {
  const lease = leaseSeconds > 0 ? leaseSeconds : EFFECT_CLAIM_LEASE_SECONDS;
  return Math.max(Math.min((lease * 1000) / 3, 30_000), 100);
}

/** Inputs of {@link buildEffectClaim}. */
export interface EffectClaimInit {
  readonly namespace: string;
  readonly stepRunName: string;
  readonly stepRunUid: string;
  readonly effectKey: string;
  /** `StepRun.spec.idempotencyKey` (left out when empty). */
  readonly idempotencyKey: string;
  readonly holderIdentity: string;
  readonly leaseDurationSeconds: number;
  readonly now: Date;
}

/** The create body: metadata with the StepRun ownerReference, spec with the fresh lease. */
export async function buildEffectClaim(init: EffectClaimInit): Promise<EffectClaim> {
  const now = formatMicroTime(init.now);
  const apiVersion = apiVersionOf(EFFECT_CLAIMS);
  const spec: EffectClaimSpec = {
    stepRunRef: { name: init.stepRunName, uid: init.stepRunUid },
    effectKey: init.effectKey,
    holderIdentity: init.holderIdentity,
    leaseDurationSeconds: init.leaseDurationSeconds,
    acquireTime: now,
    renewTime: now,
  };
  const idem = init.idempotencyKey.trim();
  if (idem !== "") spec.idempotencyKey = idem;
  return {
    apiVersion,
    kind: EFFECT_CLAIMS.kind,
    metadata: {
      name: await deriveEffectClaimName(init.namespace, init.stepRunName, init.effectKey),
      namespace: init.namespace,
      ownerReferences: [{ apiVersion, kind: "StepRun", name: init.stepRunName, uid: init.stepRunUid }],
    },
    spec,
  };
}

/** When the lease ends: `(renewTime ‖ acquireTime ‖ creationTimestamp) + lease`, in epoch ms. */
export function claimExpiresAt(
  claim: EffectClaim,
  defaultLeaseSeconds: number = EFFECT_CLAIM_LEASE_SECONDS,
): number | undefined {
  const lease = (claim.spec.leaseDurationSeconds ?? 0) > 0 ? claim.spec.leaseDurationSeconds! : defaultLeaseSeconds;
  const from =
    parseKubeTime(claim.spec.renewTime) ??
    parseKubeTime(claim.spec.acquireTime) ??
    parseKubeTime(claim.metadata.creationTimestamp);
  return from === undefined ? undefined : from + lease * 1000;
}

/** Whether nobody has renewed the lease in time (`now ≥ expiry`). */
export function isClaimStale(claim: EffectClaim, nowMs: number, defaultLeaseSeconds?: number): boolean {
  const expires = claimExpiresAt(claim, defaultLeaseSeconds);
  return expires !== undefined && nowMs >= expires;
}

/** `completionStatus == "completed"`. */
export function isClaimCompleted(claim: EffectClaim): boolean {
  return claim.spec.completionStatus === "completed";
}

/** Released or never held: no holder and not completed. */
export function isClaimFree(claim: EffectClaim): boolean {
  return !isClaimCompleted(claim) && (claim.spec.holderIdentity ?? "").trim() === "";
}

/** Whether `holderIdentity` (non-empty) holds the claim. */
export function isClaimHeldBy(claim: EffectClaim, holderIdentity: string): boolean {
  const h = holderIdentity.trim();
  return h !== "" && (claim.spec.holderIdentity ?? "").trim() === h;
}

/**
 * Go's identity check of an existing claim: same effect key and StepRun name, same StepRun uid if
 * the claim has one, and a claim idempotency key that is empty or equal.
 */
export function claimMatchesStepRun(
  claim: EffectClaim,
  stepRun: { readonly name: string; readonly uid: string; readonly idempotencyKey: string },
  effectKey: string,
): boolean {
  const spec = claim.spec;
  if ((spec.effectKey ?? "").trim() !== effectKey.trim()) return false;
  if ((spec.stepRunRef?.name ?? "").trim() !== stepRun.name.trim()) return false;
  if (spec.stepRunRef?.uid !== undefined && spec.stepRunRef.uid !== stepRun.uid) return false;
  const claimKey = (spec.idempotencyKey ?? "").trim();
  return claimKey === "" || claimKey === stepRun.idempotencyKey.trim();
}
