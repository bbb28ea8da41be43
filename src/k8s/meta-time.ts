/**
 * `metav1.Time` on the wire: RFC 3339 with whole seconds, UTC.
 * @module
 */

/** `2026-12-06T20:25:02Z` for a date. */
export function formatMetaTime(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, "Z");
}
