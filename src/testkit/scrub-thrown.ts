/**
 * What a harness rethrows or reports: the thrown value with the run's secret values taken out,
 * so a failing test's output (often a CI log) never shows a secret a real run would have hidden.
 * @module
 */
import { containsSecret, redactText } from "../observability/redaction.ts";

const MAX_CAUSES = 8;

/**
 * Replaces registered secret values in an error's `message` and `stack`, and in its causes, in
 * place (so `instanceof` and identity checks still hold); a thrown string comes back scrubbed.
 * Call it while the run's secrets are still registered.
 */
export function scrubThrown(thrown: unknown): unknown {
  if (typeof thrown === "string") return redactText(thrown);
  let err: unknown = thrown;
  for (let depth = 0; err instanceof Error && depth < MAX_CAUSES; depth++) {
    scrubField(err, "message");
    scrubField(err, "stack");
    err = err.cause;
  }
  return thrown;
}

function scrubField(err: Error, field: "message" | "stack"): void {
  const text = err[field];
  if (typeof text !== "string" || !containsSecret(text)) return;
  try {
    err[field] = redactText(text);
  } catch {
    // A frozen error keeps its text; there is nothing safe to do in place.
  }
}
