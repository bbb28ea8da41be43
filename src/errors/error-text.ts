/**
 * One line of text for any thrown value, and wrapping an error with a prefix while keeping it as
 * the `cause` (so its classification survives).
 * @module
 */

/** One line of text for a thrown value of any kind. */
export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  if (typeof err === "string") return err;
  try {
    return `non-Error value thrown: ${JSON.stringify(err) ?? String(err)}`;
  } catch {
    return `non-Error value thrown: ${Object.prototype.toString.call(err)}`;
  }
}

/** `<prefix>: <cause text>`, keeping the cause (and any classification it carries). */
export function wrapError(prefix: string, cause: unknown): Error {
  return new Error(`${prefix}: ${errorText(cause)}`, { cause });
}
