// Folder-level import cycles: the graph of "folder A imports from folder B", its cycles, and the
// comparison with an allowlist. Pure functions; scripts/check-import-cycles.ts feeds them the real graph.

/** One import of a file in folder `from` from a file in folder `to`. */
export interface FolderEdge {
  readonly from: string;
  readonly to: string;
  /** Where the import is, as `src/a/b.ts:12`. */
  readonly at: string;
  /** `import type` (or a type-only export): it still ties the folders together. */
  readonly typeOnly: boolean;
}

/** A cycle as its folders in order, starting from the smallest name (`["batch", "storage"]`). */
export type Cycle = readonly string[];

/** The cycle's canonical text: `batch → storage → batch`. */
export function cycleKey(cycle: Cycle): string {
  return [...cycle, cycle[0]].join(" → ");
}

/**
 * Every elementary cycle of the folder graph (each once, rotated to start at its smallest
 * folder), shortest first. Stops after `limit` cycles so that a tangled graph stays bounded.
 */
export function findCycles(edges: readonly FolderEdge[], limit = 1000): Cycle[] {
  const next = new Map<string, Set<string>>();
  for (const e of edges) {
    if (e.from === e.to) continue;
    let set = next.get(e.from);
    if (set === undefined) next.set(e.from, (set = new Set()));
    set.add(e.to);
  }
  const cycles: Cycle[] = [];
  const folders = [...next.keys()].sort();
  for (const start of folders) {
    // Only folders after `start` may appear inside the cycle: each cycle is found once, from its smallest folder.
    const path = [start];
    const onPath = new Set(path);
    const walk = (at: string): void => {
      for (const to of [...(next.get(at) ?? [])].sort()) {
        if (cycles.length >= limit) return;
        if (to === start) cycles.push([...path]);
        else if (to > start && !onPath.has(to)) {
          path.push(to);
          onPath.add(to);
          walk(to);
          path.pop();
          onPath.delete(to);
        }
      }
    };
    walk(start);
  }
  return cycles.sort((a, b) => a.length - b.length || cycleKey(a).localeCompare(cycleKey(b)));
}

/** One line per cycle: `batch → storage → batch via src/batch/x.ts:3, src/storage/y.ts:12 (type)`. */
export function describeCycle(cycle: Cycle, edges: readonly FolderEdge[]): string {
  const hops = cycle.map((from, i) => {
    const to = cycle[(i + 1) % cycle.length];
    const these = edges.filter((e) => e.from === from && e.to === to);
    // A runtime import is the stronger witness; otherwise the first type-only one.
    const witness = these.find((e) => !e.typeOnly) ?? these[0];
    if (witness === undefined) return `${from} → ${to}: ?`;
    const more = these.length > 1 ? ` (+${these.length - 1} more)` : "";
    return `${witness.at}${witness.typeOnly ? " (type)" : ""}${more}`;
  });
  return `${cycleKey(cycle)} via ${hops.join(", ")}`;
}

/** The allowlist's cycles as canonical keys: one `a → b → a` per line (`->` works too); `#` starts a comment. */
export function parseAllowlist(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.replace(/#.*/, "").trim())
    .filter((line) => line !== "")
    .map((line) => {
      const folders = line.split(/\s*(?:→|->)\s*/);
      if (folders.length > 1 && folders[0] === folders[folders.length - 1]) folders.pop();
      const first = folders.indexOf([...folders].sort()[0]!);
      return cycleKey([...folders.slice(first), ...folders.slice(0, first)]);
    });
}

export interface CycleVerdict {
  /** Cycles found that the allowlist does not list. */
  readonly unexpected: Cycle[];
  /** Allowlisted cycles that no longer exist: remove them from the allowlist. */
  readonly stale: string[];
  readonly allowed: Cycle[];
}

/** Compares the cycles found with the allowlist. */
export function judgeCycles(cycles: readonly Cycle[], allowlist: readonly string[]): CycleVerdict {
  const found = new Set(cycles.map(cycleKey));
  const allowed = new Set(allowlist);
  return {
    unexpected: cycles.filter((c) => !allowed.has(cycleKey(c))),
    stale: allowlist.filter((key) => !found.has(key)),
    allowed: cycles.filter((c) => allowed.has(cycleKey(c))),
  };
}
