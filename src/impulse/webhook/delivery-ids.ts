/**
 * The delivery id a sender puts in a header. It is not covered by any signature, so it only
 * ever adds to replay protection (a repeated id is a replay), never replaces the body digest.
 * @module
 */

/** Headers that carry a delivery id, in order: GitHub, then common generic names. */
export const DELIVERY_ID_HEADERS: readonly string[] = [
  "X-GitHub-Delivery",
  "X-Delivery-Id",
  "Idempotency-Key",
  "X-Request-Id",
];

/** The first non-empty delivery-id header, trimmed; `undefined` when there is none. */
export function defaultDeliveryId(headers: Headers): string | undefined {
  for (const name of DELIVERY_ID_HEADERS) {
    const v = headers.get(name)?.trim();
    if (v) return v;
  }
  return undefined;
}
