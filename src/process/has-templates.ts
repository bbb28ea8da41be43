/**
 * Whether a payload has anything for the template engine to do, so the engine is loaded only
 * then (a payload without `{{` or `$bubuTemplate` comes out of resolution unchanged).
 * @module
 */

/** True when `value` contains a `{{` or a `$bubuTemplate` key anywhere. */
export function hasTemplates(value: unknown): boolean {
  const text = JSON.stringify(value) ?? "";
  return text.includes("{{") || text.includes('"$bubuTemplate');
}
