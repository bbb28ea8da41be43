/**
 * Loads a component module for `bubu run` and `bubu template`: imports the file and finds the
 * engram or impulse it exports.
 * @module
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { parseDebugFlag } from "../env/flags.ts";
import type { Component } from "../start.ts";
import { UsageError } from "./args.ts";
import { describeLoadError, ModuleLoadError } from "./load-error.ts";

/** The kinds `define*` makes. */
export type ComponentKind = Component["kind"];

const KINDS: readonly ComponentKind[] = ["batch", "streaming", "impulse", "dual"];

/** Whether `value` is something `defineBatch`/`defineStreaming`/`defineImpulse`/`defineDual` made. */
export function isComponent(value: unknown): value is Component {
  if (typeof value !== "object" || value === null) return false;
  const c = value as { kind?: unknown; process?: unknown; stream?: unknown; run?: unknown };
  switch (c.kind) {
    case "batch":
      return typeof c.process === "function";
    case "streaming":
      return typeof c.stream === "function";
    case "impulse":
      return typeof c.run === "function";
    case "dual":
      return typeof c.process === "function" && typeof c.stream === "function";
    default:
      return false;
  }
}

/** A component and the export it came from. */
export interface FoundComponent {
  readonly exportName: string;
  readonly component: Component;
}

/** The export named `name`, else the only component the module exports. */
export function findComponent(mod: Readonly<Record<string, unknown>>, name?: string): FoundComponent {
  if (name !== undefined) {
    const value = mod[name];
    if (!isComponent(value)) {
      throw new UsageError(
        `export "${name}" is not a component made by defineBatch, defineStreaming, defineImpulse or defineDual`,
      );
    }
    return { exportName: name, component: value };
  }
  const found = Object.entries(mod).filter(([, v]) => isComponent(v));
  // `export default x` next to `export const x` is one component, not two.
  const distinct = found.filter(([, v], i) => found.findIndex(([, w]) => w === v) === i);
  if (distinct.length !== 1) {
    const names = distinct.map(([k]) => k).join(", ");
    throw new UsageError(
      distinct.length === 0
        ? `the module exports no component (${KINDS.join(", ")}); export what define* returns`
        : `the module exports ${distinct.length} components (${names}); pick one with --export`,
    );
  }
  const [exportName, component] = distinct[0]!;
  return { exportName, component: component as Component };
}

/** Imports `file` (relative to `cwd`) and finds its component. */
export async function loadComponent(
  file: string,
  cwd: string,
  exportName?: string,
): Promise<FoundComponent & { path: string }> {
  const path = resolve(cwd, file);
  if (!existsSync(path)) throw new UsageError(`no such file: ${file}`);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (err) {
    throw new ModuleLoadError(describeLoadError(err, file, path, parseDebugFlag(process.env.BUBU_DEBUG)), {
      cause: err,
    });
  }
  return { ...findComponent(mod, exportName), path };
}
