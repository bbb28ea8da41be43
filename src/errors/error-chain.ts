/**
 * Walking an error's causes (`AggregateError` members, `cause`) in the order Go's `errors.As`
 * walks `Unwrap`, so a provider is found where the Go SDK would find it.
 * @module
 */

/** Bounds the walk so a hostile or cyclic chain cannot loop forever. */
const MAX_CHAIN_NODES = 256;

/**
 * Visits `err` and everything it wraps, depth first: the value itself, then each entry of an
 * `errors` array (as on `AggregateError`), then `cause`. Stops at the first value for which
 * `visit` returns something other than `undefined`, and returns it. Cycles are visited once.
 */
export function findInErrorChain<T>(err: unknown, visit: (value: unknown) => T | undefined): T | undefined {
  const seen = new Set<unknown>();
  const stack: unknown[] = [err];
  while (stack.length > 0 && seen.size < MAX_CHAIN_NODES) {
    const current = stack.pop();
    if (current === undefined || current === null) continue;
    if (typeof current === "object" || typeof current === "function") {
      if (seen.has(current)) continue;
      seen.add(current);
    }
    const found = visit(current);
    if (found !== undefined) return found;
    if (typeof current !== "object" && typeof current !== "function") continue;
    // Push in reverse so `errors[0]` is visited first and `cause` last.
    const cause = readProperty(current, "cause");
    if (cause !== undefined) stack.push(cause);
    const errors = readProperty(current, "errors");
    if (Array.isArray(errors)) {
      for (let i = errors.length - 1; i >= 0; i--) stack.push(errors[i]);
    }
  }
  return undefined;
}

/**
 * The text of an error: an `Error`'s message, a string as is; an `AggregateError` with an empty
 * message joins its errors' texts with `\n` (as Go's `errors.Join` does).
 * Other values are stringified defensively (a throwing `toString` cannot escape).
 */
export function errorMessage(err: unknown): string {
  if (typeof err === "string") return err;
  if (err instanceof Error) {
    if (err.message) return err.message;
    const errors = readProperty(err, "errors");
    if (Array.isArray(errors) && errors.length > 0) return errors.map((e) => errorMessage(e)).join("\n");
    return err.name || "Error";
  }
  if (err === null || err === undefined) return String(err);
  // Error-like objects from other realms or libraries that do not extend Error.
  const message = typeof err === "object" ? readProperty(err, "message") : undefined;
  if (typeof message === "string" && message !== "") return message;
  try {
    return String(err);
  } catch {
    return Object.prototype.toString.call(err);
  }
}

function readProperty(value: object | ((...args: never[]) => unknown), key: string): unknown {
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    // A throwing getter must not break error handling.
    return undefined;
  }
}
