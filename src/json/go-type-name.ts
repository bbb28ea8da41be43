/**
 * The Go type name (`%T`) of a value decoded from JSON, for error texts that must match the Go SDK's.
 * @module
 */

/** `<nil>`, `string`, `bool`, `float64`, `[]interface {}` or `map[string]interface {}`. */
export function goJsonTypeName(v: unknown): string {
  if (v === null || v === undefined) return "<nil>";
  switch (typeof v) {
    case "string":
      return "string";
    case "boolean":
      return "bool";
    case "number":
      return "float64";
    case "object":
      return Array.isArray(v) ? "[]interface {}" : "map[string]interface {}";
    default:
      return typeof v;
  }
}
