/**
 * Recently seen webhook delivery ids (a bounded, insertion-ordered set), so a replayed delivery
 * is answered without touching the cluster. Across restarts and replicas the trigger token
 * (the delivery id) makes the StoryTrigger itself idempotent.
 * @module
 */

/** Delivery id → the StoryRun it started. */
export class DeliveryLog {
  readonly #max: number;
  readonly #seen = new Map<string, string>();
  constructor(max: number = 10_000) {
    this.#max = max;
  }
  get(id: string): string | undefined {
    return this.#seen.get(id);
  }
  add(id: string, storyRun: string): void {
    this.#seen.delete(id);
    this.#seen.set(id, storyRun);
    if (this.#seen.size > this.#max) this.#seen.delete(this.#seen.keys().next().value as string);
  }
}

/** Headers that carry a delivery id, in order: GitHub, then common generic names. */
export const DELIVERY_ID_HEADERS: readonly string[] = ["X-GitHub-Delivery", "X-Delivery-Id", "Idempotency-Key", "X-Request-Id"];

/** The first non-empty delivery-id header, trimmed; `undefined` when there is none. */
export function defaultDeliveryId(headers: Headers): string | undefined {
  for (const name of DELIVERY_ID_HEADERS) {
    const v = headers.get(name)?.trim();
    if (v) return v;
  }
  return undefined;
}
