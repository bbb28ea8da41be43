/**
 * The fetch-based Kubernetes client: configuration, requests (get, list, watch, create, update,
 * patch, delete), StepRun status writes and schema lookups. Re-exports only.
 * @module
 */

export { goJsonStringify } from "../json/go-json.ts";
export { KubeClient, type KubeClientDeps, type KubeObject, type RequestOptions } from "./client.ts";
export {
  type ConfigRuntime,
  type KubeConfig,
  kubeconfigPathFromEnv,
  type LoadKubeConfigOptions,
  loadKubeConfig,
} from "./config.ts";
export { type CreateKubeClientOptions, createKubeClient, type KubeRuntime } from "./create-client.ts";
export { type DeleteOptions, type PropagationPolicy } from "./delete-options.ts";
export { composeDns1123Name, DNS1123_MAX_LENGTH } from "./dns-name.ts";
export {
  hasStatus,
  isAlreadyExists,
  isConflict,
  isForbidden,
  isNotFound,
  isResourceExpired,
  isRetryableKubernetesError,
  KubernetesError,
  type KubernetesErrorKind,
  ResourceExpiredError,
} from "./errors.ts";
export { NotInClusterError, readInClusterConfig, SERVICE_ACCOUNT_DIR } from "./in-cluster.ts";
export { type KubeConnection, KubeconfigError, readKubeconfig } from "./kubeconfig.ts";
export { type ListAllOptions, type ListMeta, type ListOptions, type ObjectList } from "./list-options.ts";
export { type ListWatchEvent, type ListWatchOptions, type ListWatchSync, listAndWatch } from "./list-watch.ts";
export { buildLogsStatusUpdate, DEFAULT_LOG_CONTENT_TYPE, type LogsRef } from "./logs-patch.ts";
export { createMergePatch, type JsonObject, jsonEqual } from "./merge-patch.ts";
export { InvalidPhaseTransitionError, isValidPhaseTransition, type Phase } from "./phase.ts";
export {
  apiVersionOf,
  CONFIG_MAPS,
  EFFECT_CLAIMS,
  ENGRAM_TEMPLATES,
  ENGRAMS,
  type GroupVersionResource,
  IMPULSES,
  resourcePath,
  SECRETS,
  STEP_RUNS,
  STORIES,
  STORY_RUNS,
  STORY_TRIGGERS,
} from "./resources.ts";
export {
  type EngramTemplateLookup,
  fetchEngramTemplate,
  type ResolveTemplateSchemaOptions,
  resolveTemplateSchema,
  type SchemaLookupOptions,
  type TemplateSchema,
} from "./schema-lookup.ts";
export { DEFAULT_K8S_USER_AGENT, type EnvLookup, type K8sSettings, readK8sSettings } from "./settings.ts";
export {
  type EffectRecord,
  MAX_EFFECT_RECORDS,
  MAX_SIGNAL_EVENTS,
  mergeStepRunStatus,
  type SignalEvent,
  type StepRunStatus,
  type StepRunStatusUpdate,
  statusDiff,
} from "./steprun-merge.ts";
export {
  type PatchStepRunStatusOptions,
  type PatchStepRunStatusResult,
  patchBody,
  patchStepRunStatus,
  type StatusWriteRetry,
  StepRunStatusPatchError,
  ZombiePodFencedError,
} from "./steprun-status.ts";
export { createTokenKubeClient, type TokenKubeClientOptions } from "./token-client.ts";
export { type WatchEvent, type WatchEventType, type WatchOptions } from "./watch-event.ts";
