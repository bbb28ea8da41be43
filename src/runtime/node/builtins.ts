/**
 * Node's `process` and built-in modules, reached when first used instead of imported. All three
 * adapters are in every module graph (`detect.ts` imports them), and on Deno any `node:*` import
 * makes Deno load its Node compatibility layer at start-up (measured: about half of a batch
 * engram's CPU time before its first API request, Deno 2.9.6), although Deno never calls this
 * adapter. `process.getBuiltinModule` is synchronous (Node >= 22.3, Bun).
 * @module
 */
import type * as NodeFs from "node:fs";
import type * as NodeFsPromises from "node:fs/promises";

/** `process` of Node and Bun. Call only there. */
export function nodeProcess(): NodeJS.Process {
  return (globalThis as unknown as { process: NodeJS.Process }).process;
}

let fs: typeof NodeFs | undefined;
let fsp: typeof NodeFsPromises | undefined;

/** `node:fs`, loaded on first use. */
export function nodeFsSync(): typeof NodeFs {
  fs ??= nodeProcess().getBuiltinModule("node:fs");
  return fs;
}

/** `node:fs/promises`, loaded on first use. */
export function nodeFsPromises(): typeof NodeFsPromises {
  fsp ??= nodeProcess().getBuiltinModule("node:fs/promises");
  return fsp;
}
