/**
 * Templates that read offloaded step outputs (a `$bubuStorageRef` in `steps.<name>.output`).
 *
 * @remarks bobrapet v0.1.13 `internal/controller/runs/offloaded_refs.go` (the same patterns:
 * `steps.a.output`, `steps["a"].outputs`, `(index .steps "a").output`; a ref found at any depth up
 * to 8) and `templating_policy.go` with the default policy `inject`: a `with` block whose
 * `{{ … }}` applies a pipe (`|`) to such an output, an `if`, a `wait` condition, and the Story
 * output that read one at all, are resolved by a `materialize` StepRun (which needs an
 * EngramTemplate named `materialize`; without it the StoryRun stays Running). A plain reference
 * in `with` is left to the SDK, which hydrates the ref itself.
 * @module
 */
import type { JsonObject } from "./types.ts";

const OUTPUT_REF =
  /steps\s*\.\s*([a-zA-Z0-9_\-]+)\s*\.(output|outputs)\b|steps\s*\[\s*['"]([a-zA-Z0-9_\-]+)['"]\s*\]\s*\.(output|outputs)\b|\(index\s+\.steps\s+["']([a-zA-Z0-9_\-]+)["']\)\s*\.(output|outputs)\b/g;
const BLOCK = /\{\{-?\s*(.*?)\s*-?\}\}/g;
const REF_KEY = "$bubuStorageRef";

function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Whether `v` holds a storage ref within 8 levels. */
export function containsRef(v: unknown, depth = 0): boolean {
  if (depth > 8 || v === null || v === undefined) return false;
  if (Array.isArray(v)) return v.some((e) => containsRef(e, depth + 1));
  if (!isObject(v)) return false;
  if (Object.hasOwn(v, REF_KEY)) return true;
  return Object.values(v).some((e) => containsRef(e, depth + 1));
}

function stepHasRef(steps: JsonObject, name: string): boolean {
  const ctx = steps[name];
  if (!isObject(ctx)) return false;
  return containsRef(ctx.output) || containsRef(ctx.outputs);
}

function outputRefNames(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(OUTPUT_REF)) {
    const name = m[5] || m[3] || m[1];
    if (name) out.push(name);
  }
  return out;
}

function strings(node: unknown, out: string[] = []): string[] {
  if (typeof node === "string") {
    if (node.includes("{{")) out.push(node);
  } else if (Array.isArray(node)) node.forEach((n) => strings(n, out));
  else if (isObject(node)) Object.values(node).forEach((n) => strings(n, out));
  return out;
}

/**
 * The first step whose offloaded output `template` (a string, or a JSON value holding template
 * strings) reads; undefined when none (`detectOffloadedOutputRefs`).
 */
export function offloadedStepRead(template: unknown, steps: JsonObject): string | undefined {
  const texts = typeof template === "string" ? [template] : strings(template);
  for (const t of texts) for (const name of outputRefNames(t)) if (stepHasRef(steps, name)) return name;
  return undefined;
}

/** The first step whose offloaded output a `{{ … | … }}` block of `node` pipes (`detectOffloadedWithFunctions`). */
export function offloadedStepPiped(node: unknown, steps: JsonObject): string | undefined {
  for (const t of strings(node)) {
    for (const m of t.matchAll(BLOCK)) {
      const block = m[0];
      for (const name of outputRefNames(block)) if (stepHasRef(steps, name) && block.includes("|")) return name;
    }
  }
  return undefined;
}

/** The steps a template reads outputs of, with their `_` aliases (`extractReferencedSteps`). */
export function referencedOutputSteps(template: unknown): Set<string> {
  const set = new Set<string>();
  const texts = typeof template === "string" ? [template] : strings(template);
  for (const t of texts) {
    for (const name of outputRefNames(t)) {
      set.add(name);
      set.add(name.replace(/[^A-Za-z0-9_]/g, "_"));
    }
  }
  return set;
}
