/**
 * The step graph the operator schedules by: explicit `needs` plus the steps a step's `if` and
 * `with` mention (`steps.a.`, `steps["a"]`, `(index .steps "a")`), so a step that reads
 * `steps.a.output` waits for `a` without listing it.
 *
 * @remarks bobrapet v0.1.13 `internal/controller/runs/dag.go`: `buildDependencyGraphs` (the same
 * regular expression; `with` is scanned only for Engram and `executeStory` steps; an alias with
 * `_` maps back to the step name), `validateRuntimeDependencyGraph` (unknown dependencies, then
 * cycles, over main, compensation and finally steps together) and `sanitizeStepIdentifier`.
 * @module
 */
import type { Step } from "./types.ts";

const STEP_REF =
  /steps\.([a-zA-Z0-9_\-]+)\.|steps\s*\[\s*['"]([a-zA-Z0-9_\-]+)['"]\s*\]|\(index\s+\.steps\s+["']([a-zA-Z0-9_\-]+)["']\)/g;

/** `sanitizeStepIdentifier`: every character outside `[A-Za-z0-9_]` becomes `_`. */
export function stepAlias(name: string): string {
  let out = "";
  for (const ch of name) out += /^[A-Za-z0-9_]$/.test(ch) ? ch : "_";
  return out;
}

/** The step names `text` mentions, in order of appearance (duplicates kept). */
export function mentionedSteps(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(STEP_REF)) {
    const name = m[3] || m[2] || m[1];
    if (name) out.push(name);
  }
  return out;
}

/** step → the steps it waits for. Aliases (`my_step`) are mapped back to `my-step`. */
export function dependencies(steps: readonly Step[]): Map<string, Set<string>> {
  const alias = new Map<string, string>();
  for (const s of steps) {
    const a = stepAlias(s.name);
    if (a !== s.name) alias.set(a, s.name);
  }
  const deps = new Map<string, Set<string>>();
  for (const s of steps) {
    const set = deps.get(s.name) ?? new Set<string>();
    deps.set(s.name, set);
    for (const n of s.needs ?? []) set.add(n);
    const texts: string[] = [];
    if (s.if !== undefined) texts.push(s.if);
    if (s.with !== undefined && (s.ref !== undefined || s.type === "executeStory")) texts.push(JSON.stringify(s.with));
    for (const t of texts) for (const n of mentionedSteps(t)) set.add(alias.get(n) ?? n);
  }
  return deps;
}

/**
 * `validateRuntimeDependencyGraph`: the operator fails the StoryRun (reason
 * `InvalidConfiguration`, "Invalid story dependency graph: …") when a step depends on a step
 * that does not exist, or when the dependencies form a cycle. Returns that error text or undefined.
 */
export function runtimeGraphError(steps: readonly Step[]): string | undefined {
  if (steps.length === 0) return undefined;
  const deps = dependencies(steps);
  const names = new Set(steps.map((s) => s.name));
  const unknown: string[] = [];
  for (const [step, set] of deps) for (const d of set) if (!names.has(d)) unknown.push(`${step}->${d}`);
  if (unknown.length > 0) return `unknown step dependencies: ${unknown.sort().join(", ")}`;
  const indegree = new Map<string, number>();
  for (const n of names) indegree.set(n, deps.get(n)?.size ?? 0);
  const pending = new Map([...deps].map(([k, v]) => [k, new Set(v)]));
  const ready = [...indegree]
    .filter(([, d]) => d === 0)
    .map(([n]) => n)
    .sort();
  let visited = 0;
  while (ready.length > 0) {
    const current = ready.shift()!;
    visited++;
    for (const [step, set] of pending) {
      if (!set.has(current)) continue;
      set.delete(current);
      indegree.set(step, indegree.get(step)! - 1);
      if (indegree.get(step) === 0) {
        ready.push(step);
        ready.sort();
      }
    }
  }
  if (visited === names.size) return undefined;
  const blocked = [...indegree]
    .filter(([, d]) => d > 0)
    .map(([n]) => n)
    .sort();
  return `dependency cycle detected involving step(s): ${blocked.join(", ")}`;
}
