/**
 * `buildStoryTriggerRequest`, as the Go SDK builds it: story version, delivery identity,
 * input offload or the inline-size check, Go-canonical `spec.inputs`, `inputHash`, the derived
 * name, parent labels and annotations.
 * @module
 */
import type { BubuEnv, TriggerDedupePolicy } from "../env/load.ts";
import { goJsonByteLength, goJsonStringify } from "../json/go-json.ts";
import type { KubeClient } from "../k8s/client.ts";
import { apiVersionOf, STORIES, STORY_TRIGGERS } from "../k8s/resources.ts";
import { type DeliveryMode, resolveRequestIdentity } from "./delivery.ts";
import { TriggerPolicyError } from "./errors.ts";
import { sha256Hex } from "./hash.ts";
import { computeTriggerInputHash, deriveStoryRunName, deriveStoryTriggerName, safeLabelValue } from "./names.ts";
import type { StoryTrigger } from "./types.ts";

/** Moves large inputs to storage and returns the (possibly) dehydrated value (the storage seam). */
export type DehydrateInputs = (
  inputs: Record<string, unknown>,
  options: {
    /** `<clientNs>/<storageKey>` (Go's `storage.NamespacedKey`). */
    readonly key: string;
    /** `bubu://story/<ns>/<story>/inputs`. */
    readonly schemaId: string;
    /** The Story's `spec.version`, `""` when unknown. */
    readonly schemaVersion: string;
    readonly signal: AbortSignal;
  },
) => Promise<unknown>;

/** Everything {@link buildStoryTriggerRequest} needs. */
export interface BuildRequestArgs {
  readonly kube: KubeClient;
  readonly env: BubuEnv;
  readonly storyName: string;
  /** The caller's argument, `""` for the default. */
  readonly storyNamespace: string;
  readonly inputs: Record<string, unknown>;
  /** The token after the delivery policy. */
  readonly resolvedToken: string;
  readonly dedupe: TriggerDedupePolicy | undefined;
  readonly signal: AbortSignal;
  readonly operationTimeoutMs: number;
  readonly dehydrateInputs?: DehydrateInputs;
}

/** The request plus the exact `spec.inputs` bytes used for identity comparison. */
export interface BuiltRequest {
  readonly trigger: StoryTrigger;
  readonly inputsJson: string;
  readonly mode: DeliveryMode;
}

const NAME_MAX = 253;

/** Builds the StoryTrigger for one `TriggerStory` call. */
export async function buildStoryTriggerRequest(args: BuildRequestArgs): Promise<BuiltRequest> {
  const { kube, env, storyName, storyNamespace } = args;
  const clientNs = kube.namespace;
  if (storyName.trim() === "") throw new TriggerPolicyError("story name is required");
  if (clientNs === "") {
    throw new TriggerPolicyError(
      "cannot submit a StoryTrigger: no namespace (set BUBU_TARGET_STORY_NAMESPACE, BUBU_IMPULSE_NAMESPACE, BUBU_STEPRUN_NAMESPACE or BUBU_POD_NAMESPACE)",
    );
  }
  const targetNs = storyNamespace.trim() || clientNs;
  const storyVersion = await resolveStoryVersion(kube, targetNs, storyName, args);

  const { mode, key } = resolveRequestIdentity(args.dedupe, args.resolvedToken);
  const submissionId = key !== "" ? key : crypto.randomUUID();
  const finalInputs = await offloadInputs(args, targetNs, key || submissionId, storyVersion);

  const inputsJson = goJsonStringify(finalInputs);
  const inputHash = await computeTriggerInputHash(inputsJson);
  const { labels, annotations } = await parentMetadata(env);

  const storyRef: StoryTrigger["spec"]["storyRef"] = { name: storyName };
  if (storyVersion !== "") storyRef.version = storyVersion;
  // Go sets the namespace from the raw argument, only when the caller passed one.
  if (storyNamespace !== "") storyRef.namespace = storyNamespace;

  const trigger: StoryTrigger = {
    apiVersion: apiVersionOf(STORY_TRIGGERS),
    kind: STORY_TRIGGERS.kind,
    metadata: {
      name: await deriveStoryTriggerName(targetNs, storyName, key, submissionId),
      namespace: clientNs,
      ...(labels ? { labels } : {}),
      ...(annotations ? { annotations } : {}),
    },
    spec: {
      storyRef,
      inputs: finalInputs,
      deliveryIdentity: { mode, submissionId, ...(key !== "" ? { key, inputHash } : {}) },
    },
  };
  const impulseName = env.identity.impulseName;
  if (impulseName !== "") {
    trigger.spec.impulseRef = { name: impulseName };
    if (env.identity.impulseNamespace !== "") trigger.spec.impulseRef.namespace = env.identity.impulseNamespace;
  }
  return { trigger, inputsJson, mode };
}

/**
 * `spec.version` of the Story; any error leaves it `""`, as in Go (an impulse's Role usually
 * cannot read Stories: a 403).
 */
async function resolveStoryVersion(
  kube: KubeClient,
  ns: string,
  name: string,
  args: BuildRequestArgs,
): Promise<string> {
  try {
    const signal = AbortSignal.any([args.signal, AbortSignal.timeout(args.operationTimeoutMs)]);
    const story = await kube.get<{ spec?: { version?: unknown } }>(STORIES, ns, name.trim(), { signal });
    return typeof story?.spec?.version === "string" ? story.spec.version.trim() : "";
  } catch {
    return "";
  }
}

/**
 * Go's `offloadInputsIfNecessary`. With a storage seam the inputs go through it under the
 * deterministic key; without one (storage disabled) inputs larger than `BUBU_MAX_INLINE_SIZE`
 * fail the submission with the storage manager's message.
 */
async function offloadInputs(
  args: BuildRequestArgs,
  targetNs: string,
  identity: string,
  storyVersion: string,
): Promise<unknown> {
  const { env, inputs } = args;
  if (args.dehydrateInputs) {
    const storageKey = await deriveStorageInputKey(targetNs, args.storyName, identity, inputs);
    return args.dehydrateInputs(inputs, {
      key: `${args.kube.namespace}/${storageKey}`,
      schemaId: storyInputSchemaId(targetNs, args.storyName),
      schemaVersion: storyVersion,
      signal: args.signal,
    });
  }
  const max = env.storage.maxInlineSize;
  const size = goJsonByteLength(inputs);
  if (size > max) {
    const why = env.storage.enabled
      ? "storage is enabled but no input offload is configured for StoryTriggers"
      : "storage is disabled";
    throw new TriggerPolicyError(
      `output size ${size} bytes exceeds inline limit ${max} and ${why}; either enable storage (BUBU_STORAGE_PROVIDER=s3|file), increase limit (BUBU_MAX_INLINE_SIZE=${size} or higher), or reduce output size`,
    );
  }
  return inputs;
}

/** `bubu://story/<ns>/<story>/inputs`, or without the namespace (Go's `storyInputSchemaID`). */
export function storyInputSchemaId(namespace: string, name: string): string {
  const n = name.trim();
  if (n === "") return "";
  const ns = namespace.trim();
  return ns === "" ? `bubu://story/${n}/inputs` : `bubu://story/${ns}/${n}/inputs`;
}

/**
 * Go's `deriveStorageInputKey`: `DeriveStoryRunName(ns, story, identity)` plus `-` and the first
 * 12 hex of sha256(Go JSON of the inputs) (nothing for empty inputs), within 253 characters.
 */
export async function deriveStorageInputKey(
  storyNamespace: string,
  storyName: string,
  identity: string,
  inputs: Record<string, unknown>,
): Promise<string> {
  const base = await deriveStoryRunName(storyNamespace, storyName, identity);
  if (Object.keys(inputs).length === 0) return base;
  const suffix = (await sha256Hex(goJsonStringify(inputs))).slice(0, 12);
  const joined = `${base}-${suffix}`;
  if (joined.length <= NAME_MAX) return joined;
  const maxPrefix = Math.max(NAME_MAX - 1 - suffix.length, 1);
  let prefix = base;
  if (prefix.length > maxPrefix) {
    prefix = prefix.slice(0, maxPrefix).replace(/^-+|-+$/g, "");
    if (prefix === "") prefix = suffix.slice(0, 1);
  }
  return `${prefix}-${suffix}`;
}

/** Go's `parentMetadataFromEnv`: labels through `SafeLabelValue`, annotations raw. */
async function parentMetadata(
  env: BubuEnv,
): Promise<{ labels?: Record<string, string>; annotations?: Record<string, string> }> {
  const labels: Record<string, string> = {};
  const annotations: Record<string, string> = {};
  const { storyRunID, stepName, stepRunID } = env.storyInfo;
  if (storyRunID !== "") {
    labels["bubustack.io/parent-storyrun"] = await safeLabelValue(storyRunID);
    annotations["bubustack.io/parent-storyrun"] = storyRunID;
  }
  if (stepName !== "") {
    labels["bubustack.io/parent-step"] = await safeLabelValue(stepName);
    annotations["bubustack.io/parent-step"] = stepName;
  }
  if (stepRunID !== "") {
    labels["bubustack.io/steprun"] = await safeLabelValue(stepRunID);
    annotations["bubustack.io/parent-steprun"] = stepRunID;
  }
  return Object.keys(labels).length === 0 ? {} : { labels, annotations };
}
