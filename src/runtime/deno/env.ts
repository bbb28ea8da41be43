import { deno } from "./globals.ts";

/** One variable from `Deno.env` (throws `NotCapable` without `--allow-env`). */
export function env(name: string): string | undefined {
  return deno().env.get(name);
}

/** `Deno.env.toObject()`. */
export function envAll(): Record<string, string> {
  return deno().env.toObject();
}

/** `$HOME`, like Go's `os.UserHomeDir` on Unix; `undefined` when unset or empty. */
export function homeDir(): string | undefined {
  return deno().env.get("HOME") || undefined;
}
