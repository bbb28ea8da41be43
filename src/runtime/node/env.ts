import { nodeProcess } from "./builtins.ts";

/** One environment variable from `process.env`. */
export function env(name: string): string | undefined {
  return nodeProcess().env[name];
}

/** A copy of `process.env` without unset entries. */
export function envAll(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(nodeProcess().env)) if (v !== undefined) out[k] = v;
  return out;
}

/** `$HOME`, like Go's `os.UserHomeDir` on Unix; `undefined` when unset or empty. */
export function homeDir(): string | undefined {
  return nodeProcess().env.HOME || undefined;
}
