/**
 * Options of a DELETE and the `meta/v1 DeleteOptions` body they become.
 * @module
 */

/** How dependents (objects whose `ownerReferences` name the deleted one) are handled. */
export type PropagationPolicy = "Orphan" | "Background" | "Foreground";

/** Options of {@link KubeClient.delete}. */
export interface DeleteOptions {
  readonly propagationPolicy?: PropagationPolicy;
  /**
   * Delete only if the object still has this `resourceVersion` / `uid`; otherwise the API server
   * answers 409 Conflict (`isConflict`).
   */
  readonly preconditions?: { readonly resourceVersion?: string; readonly uid?: string };
  /** Seconds before the object is deleted; 0 means at once. Only some resources use it. */
  readonly gracePeriodSeconds?: number;
  /** Aborts the request (a {@link KubernetesError} of kind `canceled`). */
  readonly signal?: AbortSignal;
  /** Overrides the per-request timeout (`BUBU_K8S_TIMEOUT`). */
  readonly timeoutMs?: number;
}

const POLICIES: ReadonlySet<string> = new Set(["Orphan", "Background", "Foreground"]);

/** The `DeleteOptions` body, or `undefined` when no option is set (the DELETE then has no body). */
export function deleteOptionsBody(options: DeleteOptions): Record<string, unknown> | undefined {
  const body: Record<string, unknown> = {};
  if (options.propagationPolicy !== undefined) {
    if (!POLICIES.has(options.propagationPolicy)) {
      throw new RangeError(
        `delete: propagationPolicy must be Orphan, Background or Foreground, got ${String(options.propagationPolicy)}`,
      );
    }
    body["propagationPolicy"] = options.propagationPolicy;
  }
  if (options.gracePeriodSeconds !== undefined) {
    const g = options.gracePeriodSeconds;
    if (!Number.isSafeInteger(g) || g < 0)
      throw new RangeError(`delete: gracePeriodSeconds must be a non-negative integer, got ${g}`);
    body["gracePeriodSeconds"] = g;
  }
  const pre = options.preconditions;
  if (pre !== undefined) {
    const p: Record<string, string> = {};
    if (pre.resourceVersion !== undefined && pre.resourceVersion !== "") p["resourceVersion"] = pre.resourceVersion;
    if (pre.uid !== undefined && pre.uid !== "") p["uid"] = pre.uid;
    if (Object.keys(p).length > 0) body["preconditions"] = p;
  }
  if (Object.keys(body).length === 0) return undefined;
  return { apiVersion: "meta.k8s.io/v1", kind: "DeleteOptions", ...body };
}
