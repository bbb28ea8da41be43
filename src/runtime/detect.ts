/**
 * Which runtime this is, and its {@link Runtime}. The only module that looks at
 * `globalThis.Bun` / `globalThis.Deno`.
 *
 * All three adapters are imported statically (the module graph stays analyzable); none
 * touches its runtime's globals or imports a `node:*` module at import time (on Deno such an
 * import loads Deno's Node compatibility layer), and each loads what only some runs need (an
 * HTTP server, TLS) on first use.
 * @module
 */
import { createBunRuntime } from "./bun/index.ts";
import { createDenoRuntime } from "./deno/index.ts";
import { createNodeRuntime } from "./node/index.ts";
import type { Runtime, RuntimeName } from "./types.ts";

/**
 * The current runtime. Bun and Deno both define `process` too, so the order is Bun, Deno,
 * then Node.
 */
export function runtimeName(): RuntimeName {
  const g = globalThis as { Bun?: unknown; Deno?: unknown };
  if (g.Bun !== undefined) return "bun";
  if (g.Deno !== undefined) return "deno";
  return "node";
}

let cached: Runtime | undefined;

/** The adapter for the current runtime, created once. */
export function detectRuntime(): Runtime {
  cached ??= create(runtimeName());
  return cached;
}

function create(name: RuntimeName): Runtime {
  switch (name) {
    case "bun":
      return createBunRuntime();
    case "deno":
      return createDenoRuntime();
    case "node": {
      const versions = (globalThis as { process?: { versions?: { node?: string } } }).process?.versions;
      if (versions?.node === undefined) {
        throw new Error("unsupported JavaScript runtime: not Bun, Deno or Node");
      }
      return createNodeRuntime();
    }
  }
}
