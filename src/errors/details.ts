/**
 * Structured error details are stored as JSON; values Go's `json.Marshal` would reject are
 * replaced by the same summary the Go SDK writes.
 * @module
 */

/**
 * Returns a JSON-clean deep copy of `details`, or, when they cannot be marshalled, the Go SDK's
 * fallback object `{"details":{"len":N},"marshalError":"…","type":"map","unserializable":true}`
 * (keys sorted, as Go marshals a map). `undefined` stays `undefined`.
 */
export function serializeErrorDetails(
  details: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  if (details === undefined || details === null) return undefined;
  try {
    assertMarshalable(details, new Set());
    const text = JSON.stringify(details);
    return JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    return {
      details: { len: Object.keys(details).length },
      marshalError: err instanceof Error ? err.message : String(err),
      type: "map",
      unserializable: true,
    };
  }
}

// JSON.stringify silently turns NaN into null and drops functions; Go's encoder fails on the
// equivalent values, so they are rejected here with Go-like messages. `undefined` members are
// dropped (Go has no undefined; an absent key is the closest).
function assertMarshalable(value: unknown, stack: Set<object>): void {
  switch (typeof value) {
    case "string":
    case "boolean":
    case "undefined":
      return;
    case "number":
      if (Number.isFinite(value)) return;
      throw new Error(`json: unsupported value: ${Number.isNaN(value) ? "NaN" : value > 0 ? "+Inf" : "-Inf"}`);
    case "bigint":
    case "function":
    case "symbol":
      throw new Error(`json: unsupported type: ${typeof value}`);
    default:
      break;
  }
  if (value === null) return;
  const object = value as object;
  if (stack.has(object)) throw new Error("json: unsupported value: encountered a cycle");
  if (typeof (object as { toJSON?: unknown }).toJSON === "function") return;
  stack.add(object);
  const members = Array.isArray(object) ? object : Object.values(object);
  for (const member of members) assertMarshalable(member, stack);
  stack.delete(object);
}
