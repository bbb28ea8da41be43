/**
 * Options and result of a collection LIST (`GET /apis/<group>/<version>/namespaces/<ns>/<resource>`),
 * and the query parameters they become.
 * @module
 */

/** Options of {@link KubeClient.list}. */
export interface ListOptions {
  /** A label selector, e.g. `app=web,tier!=db`. */
  readonly labelSelector?: string;
  /** A field selector, e.g. `metadata.name=x` (CRDs also allow their `selectableFields`). */
  readonly fieldSelector?: string;
  /** Page size: at most this many items; the answer then carries a `continue` token. */
  readonly limit?: number;
  /** The `metadata.continue` token of the previous page. */
  readonly continue?: string;
  /** `""` (default) reads the latest state; `"0"` accepts any cached state. */
  readonly resourceVersion?: string;
  /** Aborts the request (a {@link KubernetesError} of kind `canceled`). */
  readonly signal?: AbortSignal;
  /** Overrides the per-request timeout (`BUBU_K8S_TIMEOUT`). */
  readonly timeoutMs?: number;
}

/** Options of {@link KubeClient.listAll}: a list without a `continue` token (it follows them itself). */
export type ListAllOptions = Omit<ListOptions, "continue">;

/** The `metadata` of a list answer. */
export interface ListMeta {
  /** The resource version of the list's snapshot: watch from here to see every later change. */
  readonly resourceVersion: string;
  /** Present when more items follow: pass it as {@link ListOptions.continue}. */
  readonly continue?: string;
  /** The API server's estimate of the items after this page, when it sends one. */
  readonly remainingItemCount?: number;
}

/** One page of a collection. */
export interface ObjectList<T> {
  readonly items: T[];
  readonly metadata: ListMeta;
}

/** The query parameters of a list, after checking the numbers. */
export function listQuery(options: ListOptions): Record<string, string | undefined> {
  if (options.limit !== undefined && (!Number.isSafeInteger(options.limit) || options.limit <= 0)) {
    throw new RangeError(`list: limit must be a positive integer, got ${options.limit}`);
  }
  return {
    labelSelector: nonEmpty(options.labelSelector),
    fieldSelector: nonEmpty(options.fieldSelector),
    limit: options.limit === undefined ? undefined : String(options.limit),
    continue: nonEmpty(options.continue),
    resourceVersion: nonEmpty(options.resourceVersion),
  };
}

/**
 * The list answer as {@link ObjectList}. Core resources may send `"items": null` for an empty
 * list; it becomes `[]`. Anything that is not a list is `undefined` (the caller reports it).
 */
export function toObjectList<T>(body: unknown): ObjectList<T> | undefined {
  if (body === null || typeof body !== "object") return undefined;
  const raw = body as { items?: unknown; metadata?: unknown };
  if (raw.items !== null && raw.items !== undefined && !Array.isArray(raw.items)) return undefined;
  const meta = (raw.metadata !== null && typeof raw.metadata === "object" ? raw.metadata : {}) as Record<
    string,
    unknown
  >;
  const metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number } = {
    resourceVersion: typeof meta["resourceVersion"] === "string" ? meta["resourceVersion"] : "",
  };
  if (typeof meta["continue"] === "string" && meta["continue"] !== "") metadata.continue = meta["continue"];
  if (typeof meta["remainingItemCount"] === "number") metadata.remainingItemCount = meta["remainingItemCount"];
  return { items: (raw.items ?? []) as T[], metadata };
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === "" ? undefined : v;
}
