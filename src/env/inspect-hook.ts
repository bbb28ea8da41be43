/**
 * Custom inspection for values that must never print their contents.
 * @module
 */

// Registered symbols, so no runtime import is needed: Node's and Bun's util.inspect (and so
// console.log) call the first; Deno's console.log and Deno.inspect call the second.
const INSPECT_HOOKS: readonly symbol[] = [Symbol.for("nodejs.util.inspect.custom"), Symbol.for("Deno.customInspect")];

/**
 * Makes every runtime's inspector show `render()` for instances of a class. Installed on the
 * prototype (non-enumerable) rather than declared as computed methods, which declaration emit
 * (JSR "no slow types") cannot describe and which would widen the public type.
 */
export function installInspectHook<T extends object>(prototype: T, render: (this: T) => string): void {
  for (const hook of INSPECT_HOOKS) {
    Object.defineProperty(prototype, hook, { value: render, enumerable: false, writable: false, configurable: false });
  }
}
