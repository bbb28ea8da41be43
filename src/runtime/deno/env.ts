import { deno } from "./globals.ts";

/**
 * What a Deno run without `--allow-env` is told: which flags the SDK needs, not just the one the
 * first failed call named.
 */
const PERMISSIONS_HINT =
  "the BubuStack SDK reads its settings from the environment: run with -A, or name the permissions " +
  "(--allow-env on a laptop; in a cluster also --allow-read and --allow-net)";

function withHint<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    if ((err as { name?: unknown }).name === "NotCapable" || (err as { name?: unknown }).name === "PermissionDenied") {
      throw new Error(`${(err as Error).message}: ${PERMISSIONS_HINT}`, { cause: err });
    }
    throw err;
  }
}

/** One variable from `Deno.env`; without `--allow-env`, an error that says which flags to pass. */
export function env(name: string): string | undefined {
  return withHint(() => deno().env.get(name));
}

/** `Deno.env.toObject()`; without `--allow-env`, an error that says which flags to pass. */
export function envAll(): Record<string, string> {
  return withHint(() => deno().env.toObject());
}

/** `$HOME`, like Go's `os.UserHomeDir` on Unix; `undefined` when unset or empty. */
export function homeDir(): string | undefined {
  return withHint(() => deno().env.get("HOME")) || undefined;
}
