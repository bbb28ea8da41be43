/**
 * One StoryTrigger attempt (`triggerStoryOnce`) and the wait for the controller's decision
 * (`waitForStoryTriggerResolution`), as the Go SDK makes them.
 * @module
 */

import { goJsonStringify } from "../json/go-json.ts";
import type { KubeClient } from "../k8s/client.ts";
import { isAlreadyExists, KubernetesError } from "../k8s/errors.ts";
import { STORY_RUNS, STORY_TRIGGERS } from "../k8s/resources.ts";
import {
  RetryableTriggerError,
  StoryTriggerConflictError,
  StoryTriggerRejectedError,
  TriggerAbortedError,
} from "./errors.ts";
import type { BuiltRequest } from "./trigger-request.ts";
import type { StoryRun, StoryTrigger } from "./types.ts";

/** The StoryTrigger status poll interval: a GET every 50 ms until the controller decides (as in Go). */
export const STORY_TRIGGER_POLL_MS = 50;

/** How one attempt is bounded. */
export interface AttemptBounds {
  /** The caller's cancellation and deadline. */
  readonly caller: AbortSignal;
  /** Whether the caller set a deadline (then it alone bounds the wait). */
  readonly hasDeadline: boolean;
  readonly operationTimeoutMs: number;
}

/** POSTs the StoryTrigger (or adopts an identical existing one) and waits for its decision. */
export async function triggerStoryOnce(
  kube: KubeClient,
  request: BuiltRequest,
  bounds: AttemptBounds,
): Promise<StoryRun> {
  const { trigger } = request;
  const ns = trigger.metadata.namespace;
  const name = trigger.metadata.name;
  const signal = AbortSignal.any([bounds.caller, AbortSignal.timeout(bounds.operationTimeoutMs)]);
  let current: StoryTrigger;
  try {
    current = await kube.request<StoryTrigger>(
      "POST",
      `/apis/runs.bubustack.io/v1alpha1/namespaces/${encodeURIComponent(ns)}/storytriggers`,
      {
        // A string body is sent unchanged: spec.inputs stays in Go-canonical form.
        body: goJsonStringify(trigger),
        signal,
      },
    );
  } catch (err) {
    if (!isAlreadyExists(err))
      throw wrapKube(err, `failed to create storytrigger '${name}' in namespace '${ns}'`, bounds.caller, name);
    let existing: StoryTrigger;
    try {
      existing = await kube.get<StoryTrigger>(STORY_TRIGGERS, ns, name, { signal });
    } catch (getErr) {
      throw wrapKube(getErr, `storytrigger '${name}' already exists but could not be retrieved`, bounds.caller, name);
    }
    if (!sameRequest(existing, request)) throw new StoryTriggerConflictError(name);
    current = existing;
  }
  return waitForResolution(kube, current, bounds);
}

async function waitForResolution(kube: KubeClient, submitted: StoryTrigger, bounds: AttemptBounds): Promise<StoryRun> {
  const ns = submitted.metadata.namespace;
  const name = submitted.metadata.name;
  const wait = bounds.hasDeadline
    ? bounds.caller
    : AbortSignal.any([bounds.caller, AbortSignal.timeout(bounds.operationTimeoutMs)]);
  const pending = (): Error => {
    if (bounds.caller.aborted) return abortedError(bounds.caller, `storytrigger '${ns}/${name}' is still pending`);
    return new RetryableTriggerError(`storytrigger '${ns}/${name}' is still pending`);
  };
  let current = submitted;
  for (;;) {
    const status = current.status ?? {};
    if (status.decision === "Created" || status.decision === "Reused")
      return getResolvedStoryRun(kube, current, wait, bounds);
    if (status.decision === "Rejected") {
      const message = (status.message ?? "").trim() || `storytrigger ${ns}/${name} was rejected`;
      throw new StoryTriggerRejectedError(message, status.reason ?? "", `${ns}/${name}`);
    }
    if (!(await pause(STORY_TRIGGER_POLL_MS, wait))) throw pending();
    try {
      current = await kube.get<StoryTrigger>(STORY_TRIGGERS, ns, name, {
        signal: AbortSignal.any([wait, AbortSignal.timeout(bounds.operationTimeoutMs)]),
      });
    } catch (err) {
      if (wait.aborted) throw pending();
      throw wrapKube(err, `failed to get storytrigger '${name}' in namespace '${ns}'`, bounds.caller, name);
    }
  }
}

async function getResolvedStoryRun(
  kube: KubeClient,
  trigger: StoryTrigger,
  wait: AbortSignal,
  bounds: AttemptBounds,
): Promise<StoryRun> {
  const ref = trigger.status?.storyRunRef;
  const tns = trigger.metadata.namespace;
  if (ref?.name === undefined || ref.name === "") {
    throw new RetryableTriggerError(
      `storytrigger '${tns}/${trigger.metadata.name}' resolved without a storyrun reference`,
    );
  }
  const runNs = ref.namespace?.trim() || tns;
  try {
    return await kube.get<StoryRun>(STORY_RUNS, runNs, ref.name, {
      signal: AbortSignal.any([wait, AbortSignal.timeout(bounds.operationTimeoutMs)]),
    });
  } catch (err) {
    throw wrapKube(
      err,
      `failed to get resolved storyrun '${ref.name}' in namespace '${runNs}'`,
      bounds.caller,
      trigger.metadata.name,
    );
  }
}

/** Go's `storyTriggerRequestMatches`: the immutable identity and the exact input bytes. */
export function sameRequest(existing: StoryTrigger, desired: BuiltRequest): boolean {
  const a = existing.spec ?? ({} as Partial<StoryTrigger["spec"]>);
  const b = desired.trigger.spec;
  if (a.storyRef?.name !== b.storyRef.name) return false;
  if (trim(a.storyRef?.version) !== trim(b.storyRef.version)) return false;
  if (a.storyRef?.namespace !== b.storyRef.namespace) return false;
  if ((a.impulseRef === undefined) !== (b.impulseRef === undefined)) return false;
  if (a.impulseRef && b.impulseRef) {
    if (a.impulseRef.name !== b.impulseRef.name || trim(a.impulseRef.version) !== trim(b.impulseRef.version))
      return false;
    if (a.impulseRef.namespace !== b.impulseRef.namespace) return false;
  }
  const ai = a.deliveryIdentity;
  const bi = b.deliveryIdentity;
  if (ai?.mode !== bi.mode) return false;
  if (trim(ai?.key) !== trim(bi.key) || trim(ai?.inputHash) !== trim(bi.inputHash)) return false;
  if (trim(ai?.submissionId) !== trim(bi.submissionId)) return false;
  // The API server hands back its own encoding; compare the Go-canonical bytes of both.
  return a.inputs !== undefined && goJsonStringify(a.inputs) === desired.inputsJson;
}

function trim(s: string | undefined): string {
  return (s ?? "").trim();
}

/** Resolves `true` after `ms`, `false` as soon as `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** The error for a caller that gave up: its deadline or its cancellation. */
export function abortedError(caller: AbortSignal, message: string): TriggerAbortedError {
  const reason: unknown = caller.reason;
  const deadline = reason instanceof Error && reason.name === "TimeoutError";
  return new TriggerAbortedError(message, deadline, reason);
}

/**
 * `<context>: <cause>`, keeping the Kubernetes error as `cause` so the retry classification
 * still sees it; the caller's own abort becomes a {@link TriggerAbortedError}.
 */
function wrapKube(err: unknown, context: string, caller: AbortSignal, _name: string): Error {
  if (caller.aborted) return abortedError(caller, context);
  const text = err instanceof Error ? err.message : String(err);
  return new Error(`${context}: ${text}`, { cause: err });
}

/** Whether the trigger retry loop may try again after `err` (`ErrRetryable` or the shared classes). */
export function isRetryableTriggerError(err: unknown): boolean {
  let cur: unknown = err;
  for (let depth = 0; depth < 8 && cur instanceof Error; depth++) {
    if (cur instanceof TriggerAbortedError) return false;
    if (cur instanceof RetryableTriggerError) return true;
    if (cur instanceof KubernetesError) return cur.retryable;
    cur = cur.cause;
  }
  return false;
}
