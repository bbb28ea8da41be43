/**
 * Step references and the offloaded-data check: which `steps.<name>` a template reads, and
 * whether any of them holds a `$bubuStorageRef` anywhere (such templates cannot be rendered by
 * the SDK).
 * @module
 */
import type { FuncMap } from "./func-types.ts";
import type { ArgNode, CommandNode, Node, PipeNode } from "./nodes.ts";
import { parseTemplate } from "./parse.ts";
import { hasKey, isObject } from "./values.ts";

/** The step names a template references (sorted); `undefined` when it does not parse. */
export function extractStepReferences(text: string, funcs: FuncMap): string[] | undefined {
  if (!text.includes("{{")) return [];
  let root: Node | undefined;
  try {
    root = parseTemplate("refs", text, (n) => funcs.has(n)).trees.get("refs");
  } catch {
    return undefined;
  }
  const seen = new Set<string>();
  if (root !== undefined) walk(root, seen);
  return [...seen].sort();
}

function walk(node: Node, seen: Set<string>): void {
  switch (node.type) {
    case "list":
      for (const c of node.nodes) walk(c, seen);
      return;
    case "action":
      return walkPipe(node.pipe, seen);
    case "if":
    case "range":
    case "with":
      walkPipe(node.pipe, seen);
      walk(node.list, seen);
      if (node.elseList !== undefined) walk(node.elseList, seen);
      return;
  }
}

function walkPipe(pipe: PipeNode, seen: Set<string>): void {
  for (const c of pipe.cmds) walkCmd(c, seen);
}

function walkCmd(cmd: CommandNode, seen: Set<string>): void {
  const a = cmd.args;
  if (a.length >= 3 && a[0]!.type === "identifier" && a[0]!.ident === "index") {
    const f = a[1]!;
    const s = a[2]!;
    if (f.type === "field" && f.ident[0] === "steps" && s.type === "string") seen.add(s.text);
  }
  for (const arg of a as ArgNode[]) {
    if (arg.type === "field") {
      if (arg.ident.length >= 2 && arg.ident[0] === "steps") seen.add(arg.ident[1]!);
    } else if (arg.type === "chain") {
      const n = arg.node;
      if (n.type === "field" && n.ident[0] === "steps" && arg.field.length >= 1) seen.add(arg.field[0]!);
      if (n.type === "pipe") walkPipe(n, seen);
    } else if (arg.type === "pipe") walkPipe(arg, seen);
  }
}

/** True when any referenced step's data contains `$bubuStorageRef` (key presence, any depth). */
export function hasStorageRefsInStepVars(text: string, vars: Record<string, unknown>, funcs: FuncMap): boolean {
  const refs = extractStepReferences(text, funcs);
  if (refs === undefined || refs.length === 0) return false;
  if (!hasKey(vars, "steps")) return false;
  const steps = vars["steps"];
  if (!isObject(steps)) return false;
  return refs.some((r) => hasKey(steps, r) && containsStorageRef(steps[r], new Set()));
}

function containsStorageRef(v: unknown, visiting: Set<object>): boolean {
  if (typeof v !== "object" || v === null) return false;
  if (visiting.has(v)) return false;
  visiting.add(v);
  try {
    if (Array.isArray(v)) return v.some((x) => containsStorageRef(x, visiting));
    if (isObject(v)) {
      if (hasKey(v, "$bubuStorageRef")) return true;
      return Object.values(v).some((x) => containsStorageRef(x, visiting));
    }
    return false;
  } finally {
    visiting.delete(v);
  }
}
