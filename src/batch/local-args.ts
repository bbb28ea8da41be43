/**
 * Local mode's command line: `--inputs` and `--config`, each JSON text or a path to a JSON file.
 * @module
 */
import type { RuntimeFs } from "../runtime/types.ts";
import { BubuError } from "../errors/bubu-error.ts";

/** What the flags asked for. `undefined` means the flag was not given. */
export interface LocalArgs {
  readonly inputs?: string;
  readonly config?: string;
  readonly help: boolean;
}

const FLAGS = new Set(["--inputs", "--config"]);

/** Parses `--inputs X`, `--inputs=X`, `--config …` and `--help`; unknown flags are errors. */
export function parseLocalArgs(args: readonly string[]): LocalArgs {
  const out: { inputs?: string; config?: string; help: boolean } = { help: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--help" || arg === "-h") {
      out.help = true;
      continue;
    }
    const eq = arg.indexOf("=");
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (!FLAGS.has(name)) throw usageError(`unknown argument "${arg}"`);
    const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined) throw usageError(`${name} needs a value (JSON text or a file path)`);
    if (name === "--inputs") out.inputs = value;
    else out.config = value;
  }
  return out;
}

/** The help text of an engram run locally. */
export const LOCAL_USAGE: string = `Usage: <engram> [--inputs <json|file>] [--config <json|file>]

Runs the engram once on this machine (no cluster): inputs and config come from the flags,
else from BUBU_TRIGGER_DATA / BUBU_STEP_CONFIG. Prints the output JSON on stdout; on failure
prints the structured error on stderr and exits 1 (124 on timeout, 143 on SIGTERM).
`;

/**
 * Reads a flag value: JSON text when it starts with `{` or `[`, otherwise a file holding JSON.
 * Returns the raw JSON text; parsing (and its errors) stays with the payload loader.
 */
export async function readFlagPayload(flag: string, value: string, fs: RuntimeFs): Promise<string> {
  const trimmed = value.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) return value;
  try {
    return await fs.readTextFile(value);
  } catch (err) {
    const code = (err as { code?: string }).code ?? (err as Error).name;
    throw usageError(`${flag}: cannot read file "${value}" (${code})`);
  }
}

function usageError(message: string): BubuError {
  return new BubuError("validation_error", message, { retryable: false, code: "usage" });
}
