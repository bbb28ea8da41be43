/**
 * Validators of the Go testkit (`ValidateStructuredError`), returning an Error or `undefined`.
 * @module
 */
import { ErrorType, ExitClass } from "../errors/structured-error.ts";

const TYPES: ReadonlySet<string> = new Set(Object.values(ErrorType));
const CLASSES: ReadonlySet<string> = new Set(Object.values(ExitClass));

/** Checks version `v1`, a known `type`, a non-blank `message` and, if set, a known `exitClass`. */
export function validateStructuredError(value: unknown): Error | undefined {
  if (typeof value !== "object" || value === null) return new Error("structured error must be an object");
  const e = value as Record<string, unknown>;
  const version = typeof e.version === "string" ? e.version.trim() : "";
  if (version === "") return new Error("structured error version is required");
  if (version !== "v1") return new Error(`unsupported structured error version "${version}"`);
  if (typeof e.type !== "string" || e.type === "") return new Error("structured error type is required");
  if (!TYPES.has(e.type)) return new Error(`unsupported structured error type "${e.type}"`);
  if (typeof e.message !== "string" || e.message.trim() === "") return new Error("structured error message is required");
  if (e.exitClass !== undefined && e.exitClass !== "" && !CLASSES.has(String(e.exitClass))) {
    return new Error(`unsupported structured error exitClass "${String(e.exitClass)}"`);
  }
  return undefined;
}

/** Throws when {@link validateStructuredError} finds a problem. */
export function requireStructuredError(value: unknown): void {
  const err = validateStructuredError(value);
  if (err) throw new Error(`invalid structured error: ${err.message}`);
}
