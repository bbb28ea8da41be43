/**
 * `listAndWatch`: an informer without a cache. It lists a collection, then watches it from the
 * list's resource version; it resumes a watch the server ended from the last resource version
 * seen, lists again when that version expired (410), and backs off on retryable errors.
 * @module
 */

import { jitter, sleep } from "./backoff.ts";
import type { KubeClient, KubeObject } from "./client.ts";
import { isResourceExpired, isRetryableKubernetesError } from "./errors.ts";
import type { GroupVersionResource } from "./resources.ts";
import { eventResourceVersion, type WatchEvent } from "./watch-event.ts";

/**
 * A full snapshot of the collection. It comes first, and again after a re-list: the caller then
 * replaces what it knows (objects missing from it were deleted while no watch was open).
 */
export interface ListWatchSync<T> {
  readonly type: "SYNC";
  readonly items: readonly T[];
  readonly resourceVersion: string;
}

/** What {@link listAndWatch} yields: snapshots and changes (bookmarks are used, not yielded). */
export type ListWatchEvent<T> =
  | ListWatchSync<T>
  | (WatchEvent<T> & { readonly type: "ADDED" | "MODIFIED" | "DELETED" });

/** Options of {@link listAndWatch}. */
export interface ListWatchOptions {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** Page size of the lists (default 500). */
  readonly pageSize?: number;
  /** How long one watch request lasts before it is resumed (default 300 s). */
  readonly watchTimeoutSeconds?: number;
  /** First retry delay after a retryable error (default 100 ms; doubled per failure, jittered ±25%). */
  readonly initialBackoffMs?: number;
  /** Retry delay cap (default 30 s). */
  readonly maxBackoffMs?: number;
  /** Ends the iteration (no error). */
  readonly signal: AbortSignal;
}

/**
 * Lists, then watches, until `options.signal` aborts (the iterator then ends). Yields a
 * {@link ListWatchSync} after every list and the `ADDED`/`MODIFIED`/`DELETED` events in between.
 * Retryable errors (`isRetryableKubernetesError`) are retried with backoff; any other error is
 * thrown. A watch that ends without any event is resumed after a backoff delay too, so a server
 * that closes watches at once cannot make it spin.
 */
export async function* listAndWatch<T = KubeObject>(
  client: KubeClient,
  r: GroupVersionResource,
  namespace: string | undefined,
  options: ListWatchOptions,
): AsyncGenerator<ListWatchEvent<T>, void, undefined> {
  const { signal } = options;
  const initial = options.initialBackoffMs ?? 100;
  const max = options.maxBackoffMs ?? 30_000;
  const selectors = {
    ...(options.labelSelector !== undefined ? { labelSelector: options.labelSelector } : {}),
    ...(options.fieldSelector !== undefined ? { fieldSelector: options.fieldSelector } : {}),
  };
  let resourceVersion: string | undefined;
  let delay = initial;
  const pause = async (): Promise<boolean> => {
    try {
      await sleep(jitter(delay), signal);
    } catch {
      return false;
    }
    delay = Math.min(delay * 2, max);
    return true;
  };
  while (!signal.aborted) {
    let progressed = false;
    let listed = false;
    try {
      if (resourceVersion === undefined) {
        listed = true;
        const items: T[] = [];
        let listVersion = "";
        for await (const page of client.listAll<T>(r, namespace, {
          ...selectors,
          limit: options.pageSize ?? 500,
          signal,
        })) {
          items.push(...page.items);
          listVersion = page.metadata.resourceVersion;
        }
        resourceVersion = listVersion;
        delay = initial;
        yield { type: "SYNC", items, resourceVersion };
        if (signal.aborted) return;
      }
      const events = client.watch<T>(r, namespace, {
        ...selectors,
        resourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds: options.watchTimeoutSeconds ?? 300,
        signal,
      });
      for await (const event of events) {
        progressed = true;
        delay = initial;
        resourceVersion = eventResourceVersion(event.object) ?? resourceVersion;
        if (event.type !== "BOOKMARK") yield event as ListWatchEvent<T>;
      }
    } catch (err) {
      if (signal.aborted) return;
      if (isResourceExpired(err)) {
        // The version is gone from the server's history: only a new list is complete. A 410 right
        // after a fresh list waits first, so a server that keeps answering 410 cannot make it spin.
        resourceVersion = undefined;
        if (listed && !progressed && !(await pause())) return;
        continue;
      }
      if (!isRetryableKubernetesError(err)) throw err;
      if (!(await pause())) return;
      continue;
    }
    if (!progressed && !signal.aborted && !(await pause())) return;
  }
}
