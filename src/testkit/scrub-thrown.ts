/**
 * What a harness rethrows or reports: the thrown value with the run's secret values taken out,
 * so a failing test's output (often a CI log) never shows a secret a real run would have hidden.
 * @module
 */
import { containsSecret, REDACTED, redactText, redactValue } from "../observability/redaction.ts";

const MAX_CAUSES = 8;

/**
 * Replaces registered secret values in an error's `message`, `stack` and other own fields (a
 * `BubuError`'s `structuredMessage` and `details`, say: test runners print them), and in its
 * causes, in place (so `instanceof` and identity checks still hold); a thrown string comes back
 * scrubbed. Call it while the run's secrets are still registered.
 */
export function scrubThrown(thrown: unknown): unknown {
  if (typeof thrown === "string") return redactText(thrown);
  let err: unknown = thrown;
  for (let depth = 0; err instanceof Error && depth < MAX_CAUSES; depth++) {
    const fields = new Set<PropertyKey>(["message", "stack", ...Object.keys(err)]);
    fields.delete("cause");
    for (const field of fields) scrubField(err, field);
    err = err.cause;
  }
  return thrown;
}

function scrubField(err: Error, field: PropertyKey): void {
  const fields = err as unknown as Record<PropertyKey, unknown>;
  const value = fields[field];
  let scrubbed: unknown;
  if (typeof value === "string") {
    if (!containsSecret(value)) return;
    scrubbed = redactText(value);
  } else if (value !== null && typeof value === "object" && !(value instanceof Error)) {
    scrubbed = redactValue(value);
    try {
      // Only a field that held a secret is replaced (by a scrubbed copy).
      if (!JSON.stringify(scrubbed).includes(REDACTED)) return;
    } catch {
      return; // not JSON (a bigint, say): left as it is
    }
  } else return;
  try {
    fields[field] = scrubbed;
  } catch {
    // A frozen error keeps its text; there is nothing safe to do in place.
  }
}
