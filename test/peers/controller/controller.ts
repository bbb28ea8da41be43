// A test stand-in for the BubuStack operator's StoryTrigger controller
// (bobrapet internal/controller/runs/storytrigger_controller.go): it watches StoryTriggers on the
// real API server and resolves each one the way the operator does — identity and name checks,
// Story lookup and version check, input-hash check, StoryRun creation under the derived name,
// Created / Reused / Rejected with the operator's reasons and messages. Tests can make it
// reject, delay or ignore chosen triggers.
import { computeTriggerInputHash, deriveStoryRunName, deriveStoryTriggerName } from "../../../src/impulse/names.ts";
import type { K8sPeer } from "../k8s/peer.ts";
import { Api, ApiError } from "./api.ts";

const RUNS = "/apis/runs.bubustack.io/v1alpha1";
const CORE = "/apis/bubustack.io/v1alpha1";

/** A StoryTrigger as the controller sees it. */
export interface Trigger {
  metadata: { name: string; namespace: string; uid: string; generation?: number; resourceVersion?: string };
  spec: {
    storyRef: { name: string; namespace?: string; version?: string };
    impulseRef?: { name: string; namespace?: string; version?: string };
    inputs?: unknown;
    deliveryIdentity: { mode?: string; key?: string; inputHash?: string; submissionId?: string };
  };
  status?: { decision?: string };
}

/** Behaviour knobs. */
export interface ControllerOptions {
  /** Only these namespaces (default: every namespace). */
  readonly namespaces?: readonly string[];
  /** Wait this long before resolving a trigger (ms). */
  readonly delayMs?: (t: Trigger) => number;
  /** Reject the trigger with this message (reason `Rejected`) instead of resolving it. */
  readonly reject?: (t: Trigger) => string | undefined;
  /** Never resolve the trigger (a controller that is down for it). */
  readonly ignore?: (t: Trigger) => boolean;
}

/** A running controller. */
export interface TestController {
  /** Decisions written so far, in order. */
  readonly decisions: { trigger: string; decision: string; reason: string; storyRun?: string }[];
  stop(): Promise<void>;
}

/** Starts the controller against `peer`; resolves once the initial list is processed. */
export async function startTestController(peer: K8sPeer, options: ControllerOptions = {}): Promise<TestController> {
  const api = new Api(peer);
  const stop = new AbortController();
  const decisions: TestController["decisions"] = [];
  const busy = new Set<string>();
  const inScope = (t: Trigger): boolean =>
    options.namespaces === undefined || options.namespaces.includes(t.metadata.namespace);

  const handle = (t: Trigger): void => {
    const key = `${t.metadata.namespace}/${t.metadata.name}`;
    const d = t.status?.decision;
    if (!inScope(t) || busy.has(key) || d === "Created" || d === "Reused" || d === "Rejected") return;
    if (options.ignore?.(t)) return;
    busy.add(key);
    void (async () => {
      try {
        const delay = options.delayMs?.(t) ?? 0;
        if (delay > 0) await new Promise((r) => setTimeout(r, delay));
        if (stop.signal.aborted) return;
        const result = await reconcile(api, t, options);
        if (result) decisions.push({ trigger: key, ...result });
      } catch (err) {
        if (!stop.signal.aborted) console.error(`test controller: ${key}: ${(err as Error).message}`);
      } finally {
        busy.delete(key);
      }
    })();
  };

  const list = async (): Promise<string> => {
    const body = await api.call<{ metadata: { resourceVersion: string }; items: Trigger[] }>(
      "GET",
      `${RUNS}/storytriggers`,
    );
    for (const t of body.items) handle(t);
    return body.metadata.resourceVersion;
  };

  let rv = await list();
  const loop = (async () => {
    while (!stop.signal.aborted) {
      try {
        await api.watch(
          `${RUNS}/storytriggers`,
          rv,
          (type, obj) => {
            const t = obj as unknown as Trigger;
            if (t.metadata?.resourceVersion) rv = t.metadata.resourceVersion;
            if (type === "ADDED" || type === "MODIFIED") handle(t);
          },
          stop.signal,
        );
        if (!stop.signal.aborted) rv = await list();
      } catch {
        if (stop.signal.aborted) break;
        await new Promise((r) => setTimeout(r, 100));
        try {
          rv = await list();
        } catch {
          /* retry */
        }
      }
    }
  })();

  return {
    decisions,
    async stop() {
      stop.abort();
      await loop;
      api.close();
    },
  };
}

type Decision = { decision: string; reason: string; storyRun?: string };

async function reconcile(api: Api, t: Trigger, options: ControllerOptions): Promise<Decision | undefined> {
  // Re-read: the event may be stale (another worker resolved it).
  let fresh: Trigger;
  try {
    fresh = await api.call<Trigger>(
      "GET",
      `${RUNS}/namespaces/${t.metadata.namespace}/storytriggers/${t.metadata.name}`,
    );
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return undefined;
    throw err;
  }
  const d = fresh.status?.decision;
  if (d === "Created" || d === "Reused" || d === "Rejected") return undefined;
  const forced = options.reject?.(fresh);
  if (forced !== undefined) return reject(api, fresh, "Rejected", forced);

  const identityProblem = checkIdentity(fresh);
  if (identityProblem) return reject(api, fresh, "ValidationFailed", identityProblem);
  const storyNs = fresh.spec.storyRef.namespace || fresh.metadata.namespace;
  const id = fresh.spec.deliveryIdentity;
  const expected = await deriveStoryTriggerName(
    storyNs,
    fresh.spec.storyRef.name,
    (id.key ?? "").trim(),
    (id.submissionId ?? "").trim(),
  );
  if (fresh.metadata.name !== expected) {
    return reject(
      api,
      fresh,
      "ValidationFailed",
      `metadata.name must be "${expected}" for StoryTrigger (got "${fresh.metadata.name}")`,
    );
  }
  if (fresh.spec.storyRef.namespace && fresh.spec.storyRef.namespace !== fresh.metadata.namespace) {
    return reject(api, fresh, "ValidationFailed", "cross-namespace StoryRef references are not allowed");
  }
  let story: { spec?: { version?: string } };
  try {
    story = await api.call("GET", `${CORE}/namespaces/${storyNs}/stories/${fresh.spec.storyRef.name}`);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) {
      return reject(
        api,
        fresh,
        "StoryNotFound",
        `referenced Story "${storyNs}/${fresh.spec.storyRef.name}" was not found`,
      );
    }
    throw err;
  }
  const wantVersion = (fresh.spec.storyRef.version ?? "").trim();
  if (wantVersion !== "" && (story.spec?.version ?? "").trim() !== wantVersion) {
    return reject(
      api,
      fresh,
      "StoryVersionMismatch",
      `referenced Story "${storyNs}/${fresh.spec.storyRef.name}" has version "${story.spec?.version ?? ""}", expected "${wantVersion}"`,
    );
  }
  const inputHash = await computeTriggerInputHash(
    fresh.spec.inputs === undefined ? "" : JSON.stringify(fresh.spec.inputs),
  );
  if ((id.inputHash ?? "").trim() !== "" && id.inputHash!.trim() !== inputHash) {
    return reject(api, fresh, "InputHashMismatch", "spec.deliveryIdentity.inputHash does not match spec.inputs");
  }

  const identity = (id.key ?? "").trim() || (id.submissionId ?? "").trim();
  const runName = await deriveStoryRunName(storyNs, fresh.spec.storyRef.name, identity);
  const annotations: Record<string, string> = {
    "storyrun.bubustack.io/trigger-request-name": fresh.metadata.name,
    "storyrun.bubustack.io/trigger-request-uid": fresh.metadata.uid,
  };
  if ((id.key ?? "").trim() !== "") {
    annotations["storyrun.bubustack.io/trigger-token"] = id.key!.trim();
    annotations["storyrun.bubustack.io/trigger-input-hash"] = inputHash;
  }
  const desired = {
    apiVersion: "runs.bubustack.io/v1alpha1",
    kind: "StoryRun",
    metadata: { name: runName, namespace: fresh.metadata.namespace, annotations },
    spec: {
      storyRef: fresh.spec.storyRef,
      ...(fresh.spec.impulseRef ? { impulseRef: fresh.spec.impulseRef } : {}),
      ...(fresh.spec.inputs !== undefined ? { inputs: fresh.spec.inputs } : {}),
    },
  };
  const runsPath = `${RUNS}/namespaces/${fresh.metadata.namespace}/storyruns`;
  try {
    const created = await api.call<{ metadata: { name: string; namespace: string; uid: string } }>(
      "POST",
      runsPath,
      desired,
    );
    return resolve(
      api,
      fresh,
      "Created",
      "StoryRunCreated",
      `created StoryRun "${fresh.metadata.namespace}/${runName}"`,
      created.metadata,
    );
  } catch (err) {
    if (!(err instanceof ApiError && err.reason === "AlreadyExists")) throw err;
  }
  const existing = await api.call<{
    metadata: { name: string; namespace: string; uid: string; annotations?: Record<string, string> };
    spec: {
      storyRef: { name: string; namespace?: string; version?: string };
      impulseRef?: { name: string; namespace?: string };
      inputs?: unknown;
    };
  }>("GET", `${runsPath}/${runName}`);
  const ann = existing.metadata.annotations ?? {};
  const existingHash =
    ann["storyrun.bubustack.io/trigger-input-hash"]?.trim() ||
    (await computeTriggerInputHash(existing.spec.inputs === undefined ? "" : JSON.stringify(existing.spec.inputs)));
  const sameStory =
    (existing.spec.storyRef.namespace || existing.metadata.namespace) === storyNs &&
    existing.spec.storyRef.name === fresh.spec.storyRef.name &&
    (existing.spec.storyRef.version ?? "").trim() === wantVersion;
  const sameImpulse =
    JSON.stringify(existing.spec.impulseRef ?? null) === JSON.stringify(fresh.spec.impulseRef ?? null);
  if (!sameStory || !sameImpulse || existingHash !== inputHash) {
    return reject(
      api,
      fresh,
      "StoryRunConflict",
      `existing StoryRun "${fresh.metadata.namespace}/${runName}" does not match StoryTrigger storyRef and inputs`,
    );
  }
  const ours =
    ann["storyrun.bubustack.io/trigger-request-name"] === fresh.metadata.name &&
    ann["storyrun.bubustack.io/trigger-request-uid"] === fresh.metadata.uid;
  return ours
    ? resolve(
        api,
        fresh,
        "Created",
        "StoryRunCreated",
        `recovered previously created StoryRun "${fresh.metadata.namespace}/${runName}"`,
        existing.metadata,
      )
    : resolve(
        api,
        fresh,
        "Reused",
        "StoryRunReused",
        `reused existing StoryRun "${fresh.metadata.namespace}/${runName}"`,
        existing.metadata,
      );
}

/** The operator's `requireStoryTriggerIdentity`. */
function checkIdentity(t: Trigger): string | undefined {
  if ((t.spec.storyRef?.name ?? "").trim() === "") return "spec.storyRef.name is required";
  const id = t.spec.deliveryIdentity ?? {};
  const mode = id.mode ?? "none";
  const key = (id.key ?? "").trim();
  if ((id.submissionId ?? "").trim() === "") return "spec.deliveryIdentity.submissionId is required";
  if (mode === "none" && key !== "")
    return `spec.deliveryIdentity.key must be empty when spec.deliveryIdentity.mode="none"`;
  if ((mode === "token" || mode === "key") && key === "")
    return `spec.deliveryIdentity.key is required when spec.deliveryIdentity.mode="${mode}"`;
  if (key !== "" && (id.inputHash ?? "").trim() === "")
    return "spec.deliveryIdentity.inputHash is required when spec.deliveryIdentity.key is set";
  return undefined;
}

function metaTime(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
}

async function writeStatus(api: Api, t: Trigger, status: Record<string, unknown>): Promise<void> {
  const now = metaTime();
  await api.call("PATCH", `${RUNS}/namespaces/${t.metadata.namespace}/storytriggers/${t.metadata.name}/status`, {
    status: { acceptedAt: now, completedAt: now, observedGeneration: t.metadata.generation ?? 1, ...status },
  });
}

async function resolve(
  api: Api,
  t: Trigger,
  decision: "Created" | "Reused",
  reason: string,
  message: string,
  run: { name: string; namespace: string; uid: string },
): Promise<Decision> {
  await writeStatus(api, t, {
    decision,
    reason,
    message,
    storyRunRef: { name: run.name, namespace: run.namespace, uid: run.uid },
  });
  return { decision, reason, storyRun: `${run.namespace}/${run.name}` };
}

async function reject(api: Api, t: Trigger, reason: string, message: string): Promise<Decision> {
  await writeStatus(api, t, { decision: "Rejected", reason, message, storyRunRef: null });
  return { decision: "Rejected", reason };
}
