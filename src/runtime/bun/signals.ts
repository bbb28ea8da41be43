/** Bun emits `process` signal events like Node (measured: SIGTERM with async cleanup, Bun 1.4.5). */
export { onSignal } from "../node/signals.ts";
