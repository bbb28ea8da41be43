import type { ProcessSignal } from "../types.ts";
import { nodeProcess } from "./builtins.ts";

/**
 * Registers `listener` with `process.on`; a registered listener replaces the default
 * termination. Each call gets its own wrapper, so the returned function removes exactly
 * this registration (idempotent). Bun implements the same `process` signal events.
 */
export function onSignal(signal: ProcessSignal, listener: () => void): () => void {
  const handler = (): void => listener();
  const process = nodeProcess();
  process.on(signal, handler);
  return () => {
    process.off(signal, handler);
  };
}
