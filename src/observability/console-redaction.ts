/**
 * `console` output scrubbed of secret values, like the SDK's own log lines: a handler that logs
 * `console.log(ctx.secrets.get("TOKEN"))` or an error carrying one must not print it.
 * @module
 */
import { hasSecretValues, redactText, redactValue } from "./redaction.ts";

/** The `console` methods that print their arguments. */
const METHODS = ["log", "info", "debug", "warn", "error", "trace", "dir"] as const;

type ConsoleMethod = (...args: unknown[]) => void;

/** An argument made safe to print; untouched while no secret is registered. */
function redactConsoleArg(arg: unknown): unknown {
  if (typeof arg === "string") return redactText(arg);
  if (arg instanceof Error) {
    const copy = new Error(redactText(arg.message));
    copy.name = redactText(arg.name);
    copy.stack = arg.stack === undefined ? undefined : redactText(arg.stack);
    return copy;
  }
  // Objects print as a scrubbed copy (a plain object: class names and Maps are lost, which only
  // happens while secrets are in use); numbers that spell a secret become the marker.
  return redactValue(arg);
}

/**
 * Wraps `target`'s printing methods so their arguments are scrubbed; `route` may send a method
 * elsewhere first (locally, `log`/`info`/`debug` to stderr). Returns the function that restores
 * the originals.
 */
export function redactConsole(
  target: Console,
  route: Partial<Record<(typeof METHODS)[number], ConsoleMethod>> = {},
): () => void {
  const c = target as unknown as Record<string, ConsoleMethod>;
  const saved = new Map<string, ConsoleMethod>();
  for (const name of METHODS) {
    const original = c[name];
    if (typeof original !== "function") continue;
    saved.set(name, original);
    const print = route[name] ?? original.bind(target);
    c[name] = (...args: unknown[]) => print(...(hasSecretValues() ? args.map(redactConsoleArg) : args));
  }
  return () => {
    for (const [name, original] of saved) c[name] = original;
  };
}

let holders = 0;
let restoreHeld: (() => void) | undefined;

/**
 * {@link redactConsole} on the global `console` for as long as any holder keeps it: harness runs
 * may overlap (concurrent tests), so the first hold wraps and the last release restores.
 * Returns the release, which is idempotent.
 */
export function holdConsoleRedaction(): () => void {
  if (holders++ === 0) restoreHeld = redactConsole(console);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--holders === 0) {
      restoreHeld?.();
      restoreHeld = undefined;
    }
  };
}
