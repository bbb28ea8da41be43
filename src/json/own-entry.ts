/**
 * Building JSON objects from data whose keys are not ours: `__proto__` must become an ordinary
 * member, never the object's prototype.
 * @module
 */

/**
 * `target[key] = value` as an own, enumerable data property for every key. Plain assignment of
 * `__proto__` would call `Object.prototype`'s setter instead: the member would vanish and the
 * object would inherit the value's properties. (`constructor` and `prototype` have no such
 * setter, so assigning them is already safe.)
 */
export function setEntry(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__")
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
