/**
 * Local mode's command line: `--inputs` (batch) and `--config`, each JSON text or a path to a
 * JSON file, and `--story` (impulses). Only a laptop run reads it; a pod's arguments are never
 * parsed.
 * @module
 */

import { EnvError } from "../env/errors.ts";
import type { JsonObject } from "../env/payload.ts";
import { parseJsonObjectEnv } from "../env/payload.ts";
import { BubuError } from "../errors/bubu-error.ts";
import type { RuntimeFs } from "../runtime/types.ts";

/** What the flags asked for. `undefined` means the flag was not given. */
export interface LocalArgs {
  readonly inputs?: string;
  readonly config?: string;
  /** The Story an impulse starts (`BUBU_TARGET_STORY_NAME`). */
  readonly story?: string;
  readonly help: boolean;
}

/** The flags of a batch run; streaming engrams take `--config` only, impulses also `--story`. */
export type LocalFlag = "--inputs" | "--config" | "--story";

/** Parses `--inputs X`, `--inputs=X`, `--config …` and `--help`; unknown flags are errors. */
export function parseLocalArgs(
  args: readonly string[],
  flags: readonly LocalFlag[] = ["--inputs", "--config"],
): LocalArgs {
  const known: ReadonlySet<string> = new Set(flags);
  const out: { inputs?: string; config?: string; story?: string; help: boolean } = { help: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--help" || arg === "-h") {
      out.help = true;
      continue;
    }
    const eq = arg.indexOf("=");
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (!known.has(name)) {
      const hint = name === "--inputs" ? " (--inputs is for batch runs)" : suggestion(name, known);
      throw usageError(`unknown argument "${arg}"${hint}`);
    }
    const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined)
      throw usageError(
        `${name} needs a value${name === "--story" ? " (a Story name)" : " (JSON text or a file path)"}`,
      );
    if (name === "--inputs") out.inputs = value;
    else if (name === "--story") out.story = value;
    else out.config = value;
  }
  return out;
}

/** The help text of an engram run locally. */
export const LOCAL_USAGE: string = `Usage: <engram> [--inputs <json|file>] [--config <json|file>]

Runs the engram once on this machine (no cluster): inputs and config come from the flags,
else from BUBU_TRIGGER_DATA / BUBU_STEP_CONFIG. Prints the output JSON on stdout; on failure
prints the structured error on stderr and exits 1 (124 on timeout, 143 on SIGTERM; 2 for a
command line it cannot use).
`;

/** The help text of a streaming engram or an impulse run locally. */
export function localConfigUsage(kind: "streaming" | "impulse"): string {
  const what =
    kind === "streaming"
      ? "Runs the streaming engram on this machine (no cluster): one JSON message per line on stdin,\neach output message as a JSON line on stdout."
      : "Runs the impulse on this machine (no cluster): each Story it would start is printed, not sent.\n--story names the Story to start (else BUBU_TARGET_STORY_NAME).";
  return `Usage: <${kind === "streaming" ? "engram" : "impulse"}> [--config <json|file>]${kind === "impulse" ? " [--story <name>]" : ""}

${what} Config comes from --config, else from BUBU_STEP_CONFIG.
`;
}

/**
 * A flag's value (see {@link readFlagPayload}) as a JSON object: its text and the object (`null`
 * gives `undefined`, as for the variable). Anything else is a usage error naming the flag.
 */
export async function readFlagObject(
  flag: string,
  value: string,
  fs: RuntimeFs,
): Promise<{ readonly text: string; readonly object: JsonObject | undefined }> {
  const text = await readFlagPayload(flag, value, fs);
  try {
    return { text, object: parseJsonObjectEnv(flag, text) };
  } catch (err) {
    if (err instanceof EnvError) throw usageError(err.message);
    throw err;
  }
}

/**
 * Reads a flag value: JSON text when it starts with `{` or `[`, otherwise a file holding JSON.
 * Returns the raw JSON text; parsing (and its errors) stays with the payload loader.
 */
export async function readFlagPayload(flag: string, value: string, fs: RuntimeFs): Promise<string> {
  const trimmed = value.trim();
  // JSON text: an object or array (the loader then says what is wrong), or any other JSON value
  // that is no file name (`"Ada"`, `42`), which the loader refuses as not an object.
  if (trimmed.startsWith("{") || trimmed.startsWith("[") || trimmed.startsWith('"')) return value;
  try {
    return await fs.readTextFile(value);
  } catch (err) {
    const code = (err as { code?: string }).code ?? (err as Error).name;
    // Deno's permission system refuses the read (`NotCapable`): say which flag lets it.
    const hint = code === "NotCapable" ? ": run with --allow-read (or -A) to let the SDK read it" : "";
    throw usageError(`${flag}: cannot read file "${value}" (${code})${hint}`);
  }
}

/** ` (did you mean --inputs?)` for a near miss of a flag, else "". */
function suggestion(name: string, known: ReadonlySet<string>): string {
  const bare = name.replace(/^-+/, "");
  for (const flag of known) {
    const want = flag.slice(2);
    if (bare === want || editDistance(bare, want) <= 2) return ` (did you mean ${flag}?)`;
  }
  return "";
}

/** Levenshtein distance of two short strings. */
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

/** Whether `err` is a mistake in the command line (exit 2, with the usage). */
export function isUsageError(err: unknown): err is BubuError {
  return err instanceof BubuError && err.code === "usage";
}

function usageError(message: string): BubuError {
  return new BubuError("validation_error", message, { retryable: false, code: "usage" });
}
