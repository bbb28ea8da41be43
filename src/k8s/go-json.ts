/**
 * Go `encoding/json` output for JSON values: object keys sorted by byte order at every level, no
 * whitespace, `<` `>` `&` U+2028 U+2029 escaped. The merge-patch diff is a Go map, so Go sends
 * its keys sorted; this reproduces those bytes.
 * @module
 */

const ESCAPES: Readonly<Record<string, string>> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

/** Compares by Unicode code point, which is UTF-8 byte order (Go's `strings.Compare`). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

/**
 * Serializes a JSON value the way Go's `json.Marshal` serializes the same decoded value
 * (`map[string]any`, `[]any`, `float64`, `string`, `bool`, `nil`). `undefined` object members
 * are skipped, as `JSON.stringify` does; non-finite numbers throw (Go refuses them too).
 */
export function goJsonStringify(value: unknown): string {
  return encode(value);
}

function encode(v: unknown): string {
  if (v === null || v === undefined) return "null";
  switch (typeof v) {
    case "string":
      return JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => ESCAPES[c]!);
    case "number":
      if (!Number.isFinite(v)) throw new TypeError(`json: unsupported value: ${v}`);
      return JSON.stringify(v);
    case "boolean":
      return v ? "true" : "false";
    case "bigint":
      return v.toString();
    case "object": {
      const withToJson = v as { toJSON?: () => unknown };
      if (typeof withToJson.toJSON === "function") return encode(withToJson.toJSON());
      if (Array.isArray(v)) return `[${v.map((item) => encode(item)).join(",")}]`;
      const obj = v as Record<string, unknown>;
      const keys = Object.keys(obj).filter((k) => obj[k] !== undefined && typeof obj[k] !== "function");
      keys.sort(compareCodePoints);
      return `{${keys.map((k) => `${encode(k)}:${encode(obj[k])}`).join(",")}}`;
    }
    default:
      throw new TypeError(`json: unsupported type: ${typeof v}`);
  }
}
