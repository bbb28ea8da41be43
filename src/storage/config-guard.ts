/**
 * The config traversal guard (the Go SDK's `validateConfigTraversalSafety`): max depth, max
 * nodes, cycles.
 * @module
 */

/** Throws `config exceeds max depth N`, `config exceeds max nodes N` or `config contains cycle`. */
export function checkConfigTraversal(value: unknown, maxDepth: number, maxNodes: number): void {
  let nodes = 0;
  const stack = new Set<object>();
  const walk = (v: unknown, depth: number): void => {
    if (depth > maxDepth) throw new Error(`config exceeds max depth ${maxDepth}`);
    if (++nodes > maxNodes) throw new Error(`config exceeds max nodes ${maxNodes}`);
    if (typeof v !== "object" || v === null) return;
    // Empty arrays are not cycle-checked (Go's empty slices have no backing pointer).
    const tracked = !(Array.isArray(v) && v.length === 0);
    if (tracked) {
      if (stack.has(v)) throw new Error("config contains cycle");
      stack.add(v);
    }
    try {
      for (const child of Array.isArray(v) ? v : Object.values(v)) walk(child, depth + 1);
    } finally {
      if (tracked) stack.delete(v);
    }
  };
  walk(value, 0);
}
