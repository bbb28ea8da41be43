/**
 * The detail a developer needs to fix an error: its stack, then each `cause` with its own stack.
 * Shown on a laptop and with `BUBU_DEBUG`, never written to a StepRun; secret values and
 * credentials are scrubbed like every error message.
 * @module
 */
import { sanitizeErrorMessage } from "./sanitize.ts";

/** Bounds the walk so a cyclic or hostile chain cannot loop forever. */
const MAX_CAUSES = 16;
/** Bounds the text (a stack can be long; a chain of them longer). */
const MAX_DETAIL_BYTES = 32 * 1024;

/**
 * `err`'s stack and its cause chain, one block each (`caused by: …`), or `""` when there is
 * nothing beyond the message (a thrown string, an error without a stack).
 */
export function errorDetail(err: unknown): string {
  const blocks: string[] = [];
  const seen = new Set<unknown>();
  let current: unknown = err;
  for (let i = 0; i < MAX_CAUSES && current !== undefined && current !== null && !seen.has(current); i++) {
    seen.add(current);
    blocks.push((i === 0 ? "" : "caused by: ") + describe(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  if (blocks.length === 1 && !(err instanceof Error && err.stack)) return "";
  return sanitizeErrorMessage(blocks.join("\n"), MAX_DETAIL_BYTES);
}

function describe(value: unknown): string {
  if (value instanceof Error) {
    // `stack` starts with "Name: message" on every runtime we support.
    return value.stack && value.stack.includes(value.message)
      ? value.stack
      : `${value.name}: ${value.message}\n${value.stack ?? ""}`.trimEnd();
  }
  try {
    return typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/**
 * Errors whose message says everything, where a stack (the SDK's own frames) adds nothing: what
 * was wrong with the input, a step that ran out of time or was stopped by a signal, and an
 * optional package to install.
 */
const INPUT_ERROR_NAMES = new Set([
  "EnvError",
  "MissingSecretError",
  "JsonPayloadError",
  "BatchTimeoutError",
  "BatchTerminatedError",
  "MissingPackageError",
]);

/**
 * Whether `err` (or an error in its cause chain) is a mistake in what the run was given: a
 * `validation_error` (bad inputs, config or flags), a malformed variable, a missing secret, bad
 * JSON; or the step's timeout. Their messages say everything; a stack trace under them only
 * buries the message.
 */
export function isInputError(err: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = err;
  for (let i = 0; i < MAX_CAUSES && current instanceof Error && !seen.has(current); i++) {
    seen.add(current);
    if (INPUT_ERROR_NAMES.has(current.name) || (current as { type?: unknown }).type === "validation_error") return true;
    current = current.cause;
  }
  return false;
}
