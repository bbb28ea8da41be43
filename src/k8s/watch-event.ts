/**
 * Watch events: the options of a WATCH, its query parameters, and the decoding of one event line
 * (`{"type":"ADDED","object":{…}}`). An `ERROR` event carries a `meta/v1 Status` and becomes a
 * thrown {@link KubernetesError} (a {@link ResourceExpiredError} for 410).
 * @module
 */

import { errorFromResponse, KubernetesError } from "./errors.ts";

/** The event types of the wire. `ERROR` is never yielded: it is thrown. */
export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";

/**
 * One change. For `BOOKMARK` the object carries only its kind and `metadata.resourceVersion`: a
 * point to resume from, not a change.
 */
export interface WatchEvent<T> {
  readonly type: Exclude<WatchEventType, "ERROR">;
  readonly object: T;
}

/** Options of {@link KubeClient.watch}. */
export interface WatchOptions {
  /**
   * Start after this version (usually a list's `metadata.resourceVersion`, or the last event's).
   * Unset: the API server first sends an `ADDED` for every existing object.
   */
  readonly resourceVersion?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** Ask for `BOOKMARK` events (resource versions to resume from on a quiet collection). */
  readonly allowWatchBookmarks?: boolean;
  /** The API server ends the watch after this many seconds (the iterator then ends normally). */
  readonly timeoutSeconds?: number;
  /** Ends the watch: the iterator returns and the response body is cancelled. */
  readonly signal: AbortSignal;
  /** Bounds the wait for the response headers (default `BUBU_K8S_TIMEOUT`); the stream itself is not bounded. */
  readonly timeoutMs?: number;
}

/** The query parameters of a watch, after checking the numbers. */
export function watchQuery(options: WatchOptions): Record<string, string | undefined> {
  const t = options.timeoutSeconds;
  if (t !== undefined && (!Number.isSafeInteger(t) || t < 0)) {
    throw new RangeError(`watch: timeoutSeconds must be a non-negative integer, got ${t}`);
  }
  return {
    watch: "true",
    resourceVersion: nonEmpty(options.resourceVersion),
    labelSelector: nonEmpty(options.labelSelector),
    fieldSelector: nonEmpty(options.fieldSelector),
    allowWatchBookmarks: options.allowWatchBookmarks === true ? "true" : undefined,
    timeoutSeconds: t === undefined ? undefined : String(t),
  };
}

const EVENT_TYPES: ReadonlySet<string> = new Set(["ADDED", "MODIFIED", "DELETED", "BOOKMARK"]);

/**
 * Decodes one line of a watch stream. Throws a {@link KubernetesError}: for an `ERROR` event the
 * API server's (status, reason, message), for anything that is not an event a `protocol` error.
 */
export function parseWatchEvent<T>(line: string, url: string): WatchEvent<T> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw protocolError(url, `a watch event is not JSON: ${line.slice(0, 200)}`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw protocolError(url, `a watch event is not an object: ${line.slice(0, 200)}`);
  }
  const { type, object } = parsed as { type?: unknown; object?: unknown };
  if (type === "ERROR") throw errorFromWatchStatus(url, object);
  if (typeof type !== "string" || !EVENT_TYPES.has(type)) {
    throw protocolError(url, `unknown watch event type ${JSON.stringify(type)}`);
  }
  if (object === null || typeof object !== "object" || Array.isArray(object)) {
    throw protocolError(url, `the ${type} watch event has no object`);
  }
  return { type: type as WatchEvent<T>["type"], object: object as T };
}

/** The `metadata.resourceVersion` of an event's object, when it has one. */
export function eventResourceVersion(object: unknown): string | undefined {
  if (object === null || typeof object !== "object") return undefined;
  const meta = (object as { metadata?: unknown }).metadata;
  if (meta === null || typeof meta !== "object") return undefined;
  const rv = (meta as { resourceVersion?: unknown }).resourceVersion;
  return typeof rv === "string" && rv !== "" ? rv : undefined;
}

/** The error an `ERROR` event stands for: its Status `code` (500 when absent), reason and message. */
function errorFromWatchStatus(url: string, status: unknown): KubernetesError {
  const code = status !== null && typeof status === "object" ? (status as { code?: unknown }).code : undefined;
  const httpStatus = typeof code === "number" && Number.isInteger(code) && code >= 400 && code <= 599 ? code : 500;
  return errorFromResponse("GET", url, httpStatus, JSON.stringify(status ?? null));
}

function protocolError(url: string, message: string): KubernetesError {
  return new KubernetesError({
    kind: "protocol",
    reason: "InvalidResponse",
    message: `WATCH ${url}: ${message}`,
    method: "GET",
    url,
  });
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === "" ? undefined : v;
}
