import type { ProcessSignal } from "../types.ts";
import { deno } from "./globals.ts";

/**
 * Registers `listener` with `Deno.addSignalListener`; while registered, Deno does not
 * terminate on the signal. The returned function removes exactly this registration.
 * Deno supports SIGTERM only on Unix.
 */
export function onSignal(signal: ProcessSignal, listener: () => void): () => void {
  const handler = (): void => listener();
  deno().addSignalListener(signal, handler);
  let active = true;
  return () => {
    if (!active) return;
    active = false;
    deno().removeSignalListener(signal, handler);
  };
}
