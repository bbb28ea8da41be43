/**
 * `UpdateImpulseTriggerStats`: GET the Impulse, add the delta, merge-patch `/status` with
 * absolute values.
 *
 * Unlike Go, the patch carries `metadata.resourceVersion`, so two replicas updating at once get a
 * 409 and re-read instead of losing an increment; the status body is Go's.
 * @module
 */

import { sleep } from "../k8s/backoff.ts";
import type { KubeClient } from "../k8s/client.ts";
import { isConflict } from "../k8s/errors.ts";
import { createMergePatch, type JsonObject } from "../k8s/merge-patch.ts";
import { formatMetaTime } from "../k8s/meta-time.ts";
import { IMPULSES } from "../k8s/resources.ts";

/** Counters to add to `Impulse.status` (Go's `TriggerStatsDelta`). Omitted counters are 0. */
export interface TriggerStatsDelta {
  readonly triggersReceived?: number;
  readonly storiesLaunched?: number;
  readonly failedTriggers?: number;
  readonly throttledTriggers?: number;
  readonly lastTrigger?: Date;
  readonly lastSuccess?: Date;
  readonly lastThrottled?: Date;
}

/** Options of {@link updateImpulseTriggerStats}. */
export interface UpdateStatsOptions {
  readonly signal?: AbortSignal;
  /** Per-attempt budget (`BUBU_K8S_OPERATION_TIMEOUT`). */
  readonly operationTimeoutMs: number;
}

const COUNTERS = ["triggersReceived", "storiesLaunched", "failedTriggers", "throttledTriggers"] as const;
const TIMES = ["lastTrigger", "lastSuccess", "lastThrottled"] as const;

/** client-go `retry.DefaultBackoff`: 4 steps from 10 ms, factor 5, jitter 0.1. */
const BACKOFF = { steps: 4, initialMs: 10, factor: 5 } as const;

/**
 * Applies `delta` to `impulses/<name>` in `namespace` (else the client namespace). A negative
 * counter is an error; an empty delta does nothing.
 */
export async function updateImpulseTriggerStats(
  kube: KubeClient,
  impulseName: string,
  namespace: string,
  delta: TriggerStatsDelta,
  options: UpdateStatsOptions,
): Promise<void> {
  const name = impulseName.trim();
  if (name === "") throw new Error("impulse name is required");
  for (const c of COUNTERS) {
    const v = delta[c] ?? 0;
    if (!Number.isInteger(v)) throw new Error(`trigger stats delta ${c} must be an integer`);
    if (v < 0) throw new Error(`trigger stats delta ${pascal(c)} must not be negative`);
  }
  if (COUNTERS.every((c) => (delta[c] ?? 0) === 0) && TIMES.every((t) => delta[t] === undefined)) return;
  const ns = namespace.trim() || kube.namespace;
  if (ns === "") throw new Error(`failed to resolve namespace for impulse ${JSON.stringify(name)}`);

  let delay: number = BACKOFF.initialMs;
  for (let step = 1; ; step++) {
    const signal = AbortSignal.any([
      ...(options.signal ? [options.signal] : []),
      AbortSignal.timeout(options.operationTimeoutMs),
    ]);
    try {
      await applyOnce(kube, name, ns, delta, signal);
      return;
    } catch (err) {
      if (!isConflict(err) || step >= BACKOFF.steps) {
        const text = err instanceof Error ? err.message : String(err);
        throw new Error(`failed to update trigger stats of impulse '${name}' in namespace '${ns}': ${text}`, {
          cause: err,
        });
      }
      await sleep(delay * (1 + Math.random() * 0.1), options.signal);
      delay *= BACKOFF.factor;
    }
  }
}

async function applyOnce(
  kube: KubeClient,
  name: string,
  ns: string,
  delta: TriggerStatsDelta,
  signal: AbortSignal,
): Promise<void> {
  let impulse: { metadata?: { generation?: number; resourceVersion?: string }; status?: JsonObject };
  impulse = await kube.get(IMPULSES, ns, name, { signal });
  const before: JsonObject = { ...(impulse.status ?? {}) };
  const after: JsonObject = { ...before };
  if (impulse.metadata?.generation !== undefined) after.observedGeneration = impulse.metadata.generation;
  for (const c of COUNTERS) {
    const add = delta[c] ?? 0;
    const cur = typeof before[c] === "number" ? (before[c] as number) : 0;
    if (add !== 0 || before[c] !== undefined) after[c] = cur + add;
  }
  for (const t of TIMES) {
    const next = advance(before[t], delta[t]);
    if (next !== undefined) after[t] = next;
  }
  const statusPatch = createMergePatch(before, after);
  if (Object.keys(statusPatch).length === 0) return;
  const patch: JsonObject = { status: statusPatch };
  // The precondition: a concurrent writer makes this a 409 and we re-read (see the module note).
  if (impulse.metadata?.resourceVersion) patch.metadata = { resourceVersion: impulse.metadata.resourceVersion };
  await kube.patchStatus(IMPULSES, ns, name, patch, { signal });
}

/** Go's `advanceTimestamp`: the newer of the stored time and the candidate, as `metav1.Time`. */
function advance(current: unknown, candidate: Date | undefined): string | undefined {
  if (candidate === undefined || Number.isNaN(candidate.getTime())) return undefined;
  const currentMs = typeof current === "string" ? Date.parse(current) : Number.NaN;
  if (Number.isNaN(currentMs) || currentMs < candidate.getTime()) return formatMetaTime(candidate);
  return undefined;
}

function pascal(s: string): string {
  return s[0]!.toUpperCase() + s.slice(1);
}

/**
 * Coalesces stats updates per Impulse: one write in flight at a time, later deltas summed into
 * the next write. A burst of triggers in one process then costs a few GET+PATCH pairs instead of
 * one each, and never conflicts with itself. Each caller's promise settles with the write that
 * carried its delta.
 */
export class ImpulseStatsWriter {
  readonly #kube: KubeClient;
  readonly #operationTimeoutMs: number;
  readonly #queues = new Map<string, Queue>();

  constructor(kube: KubeClient, operationTimeoutMs: number) {
    this.#kube = kube;
    this.#operationTimeoutMs = operationTimeoutMs;
  }

  /** Adds `delta` to the Impulse's status (see {@link updateImpulseTriggerStats}). */
  add(impulseName: string, namespace: string, delta: TriggerStatsDelta): Promise<void> {
    for (const c of COUNTERS) {
      const v = delta[c] ?? 0;
      if (!Number.isInteger(v) || v < 0)
        return updateImpulseTriggerStats(this.#kube, impulseName, namespace, delta, {
          operationTimeoutMs: this.#operationTimeoutMs,
        });
    }
    const key = `${namespace}\u0000${impulseName}`;
    let q = this.#queues.get(key);
    if (q === undefined) {
      q = { pending: undefined, waiters: [], running: false };
      this.#queues.set(key, q);
    }
    q.pending = merge(q.pending, delta);
    const done = new Promise<void>((resolve, reject) => q!.waiters.push({ resolve, reject }));
    if (!q.running) void this.#drain(q, impulseName, namespace);
    return done;
  }

  async #drain(q: Queue, name: string, namespace: string): Promise<void> {
    q.running = true;
    while (q.pending !== undefined) {
      const delta = q.pending;
      const waiters = q.waiters;
      q.pending = undefined;
      q.waiters = [];
      try {
        await updateImpulseTriggerStats(this.#kube, name, namespace, delta, {
          operationTimeoutMs: this.#operationTimeoutMs,
        });
        for (const w of waiters) w.resolve();
      } catch (err) {
        for (const w of waiters) w.reject(err);
      }
    }
    q.running = false;
  }
}

interface Queue {
  pending: TriggerStatsDelta | undefined;
  waiters: { resolve: () => void; reject: (err: unknown) => void }[];
  running: boolean;
}

function later(a: Date | undefined, b: Date | undefined): Date | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a.getTime() >= b.getTime() ? a : b;
}

function merge(a: TriggerStatsDelta | undefined, b: TriggerStatsDelta): TriggerStatsDelta {
  if (a === undefined) return b;
  const out: { -readonly [K in keyof TriggerStatsDelta]: TriggerStatsDelta[K] } = {};
  for (const c of COUNTERS) out[c] = (a[c] ?? 0) + (b[c] ?? 0);
  for (const t of TIMES) {
    const v = later(a[t], b[t]);
    if (v !== undefined) out[t] = v;
  }
  return out;
}
