/**
 * The project a component file belongs to: name, version and description from the nearest
 * package.json or deno.json, used as `bubu template` defaults.
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/** What the nearest manifest says (each field may be missing). */
export interface ProjectInfo {
  /** The folder of the manifest, or of the file when there is none. */
  readonly dir: string;
  readonly name?: string;
  readonly version?: string;
  readonly description?: string;
}

/** Reads the nearest package.json or deno.json above `file`. */
export function projectInfo(file: string): ProjectInfo {
  let dir = dirname(file);
  for (;;) {
    for (const manifest of ["package.json", "deno.json"]) {
      const path = join(dir, manifest);
      if (!existsSync(path)) continue;
      let json: Record<string, unknown>;
      try {
        json = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
      } catch {
        continue;
      }
      const text = (k: string) => (typeof json[k] === "string" && json[k] !== "" ? (json[k] as string) : undefined);
      return { dir, name: text("name") ?? basename(dir), version: text("version"), description: text("description") };
    }
    const parent = dirname(dir);
    if (parent === dir) return { dir: dirname(file), name: basename(dirname(file)) };
    dir = parent;
  }
}
