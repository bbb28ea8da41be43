/**
 * The resources the SDK touches and their paths.
 * @module
 */

/** A group/version/resource with its scope. */
export interface GroupVersionResource {
  /** API group; `""` is the core group (`/api/v1`). */
  readonly group: string;
  readonly version: string;
  /** Plural resource name. */
  readonly resource: string;
  readonly kind: string;
  readonly namespaced: boolean;
}

function gvr(group: string, resource: string, kind: string, namespaced: boolean = true): GroupVersionResource {
  return Object.freeze({ group, version: "v1alpha1", resource, kind, namespaced });
}

/** `runs.bubustack.io/v1alpha1` StepRun. */
export const STEP_RUNS: GroupVersionResource = gvr("runs.bubustack.io", "stepruns", "StepRun");
/** `runs.bubustack.io/v1alpha1` StoryRun. */
export const STORY_RUNS: GroupVersionResource = gvr("runs.bubustack.io", "storyruns", "StoryRun");
/** `runs.bubustack.io/v1alpha1` StoryTrigger. */
export const STORY_TRIGGERS: GroupVersionResource = gvr("runs.bubustack.io", "storytriggers", "StoryTrigger");
/** `runs.bubustack.io/v1alpha1` EffectClaim. */
export const EFFECT_CLAIMS: GroupVersionResource = gvr("runs.bubustack.io", "effectclaims", "EffectClaim");
/** `bubustack.io/v1alpha1` Story. */
export const STORIES: GroupVersionResource = gvr("bubustack.io", "stories", "Story");
/** `bubustack.io/v1alpha1` Engram. */
export const ENGRAMS: GroupVersionResource = gvr("bubustack.io", "engrams", "Engram");
/** `bubustack.io/v1alpha1` Impulse. */
export const IMPULSES: GroupVersionResource = gvr("bubustack.io", "impulses", "Impulse");
/** `catalog.bubustack.io/v1alpha1` EngramTemplate (cluster-scoped). */
export const ENGRAM_TEMPLATES: GroupVersionResource = gvr(
  "catalog.bubustack.io",
  "engramtemplates",
  "EngramTemplate",
  false,
);
/** Core `v1` ConfigMap. */
export const CONFIG_MAPS: GroupVersionResource = Object.freeze({
  group: "",
  version: "v1",
  resource: "configmaps",
  kind: "ConfigMap",
  namespaced: true,
});
/** Core `v1` Secret. */
export const SECRETS: GroupVersionResource = Object.freeze({
  group: "",
  version: "v1",
  resource: "secrets",
  kind: "Secret",
  namespaced: true,
});

/** `apiVersion` of a resource (`group/version`, or `v1` for core). */
export function apiVersionOf(r: GroupVersionResource): string {
  return r.group === "" ? r.version : `${r.group}/${r.version}`;
}

/**
 * The REST path of a collection or object, e.g.
 * `/apis/runs.bubustack.io/v1alpha1/namespaces/ns/stepruns/name/status`.
 * `namespace` is required for namespaced resources and ignored for cluster-scoped ones.
 */
export function resourcePath(
  r: GroupVersionResource,
  namespace: string | undefined,
  name?: string,
  subresource?: string,
): string {
  let path = r.group === "" ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
  if (r.namespaced) {
    if (namespace === undefined || namespace === "") {
      throw new Error(`${r.resource}: a namespace is required (set BUBU_STEPRUN_NAMESPACE or BUBU_POD_NAMESPACE)`);
    }
    path += `/namespaces/${encodeURIComponent(namespace)}`;
  }
  path += `/${r.resource}`;
  if (name !== undefined) {
    if (name === "") throw new Error(`${r.resource}: empty object name`);
    path += `/${encodeURIComponent(name)}`;
    if (subresource !== undefined) path += `/${subresource}`;
  }
  return path;
}
