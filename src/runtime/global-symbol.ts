/**
 * Reads a property that a library keeps on `globalThis` under a registered symbol; here, so that
 * the core's one look at the global object stays in `src/runtime/`.
 * @module
 */

/** `globalThis[symbol]`, or `undefined`. */
export function globalSymbolValue(symbol: symbol): unknown {
  return (globalThis as Record<symbol, unknown>)[symbol];
}
