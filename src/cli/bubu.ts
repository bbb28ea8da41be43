#!/usr/bin/env node
/**
 * The `bubu` command (package.json `bin`, and the `./cli` entry point): built to dist/cli/bubu.js,
 * it runs under Node (`npx bubu`), Bun (`bunx --bun bubu`) and Deno
 * (`deno run -A npm:@bubustack/sdk/bubu`, or from JSR `deno run -A jsr:@bubustack/sdk/cli`).
 * Imported, it only exports {@link main}.
 *
 * Under Bun the package resolves `@bubustack/sdk` to its TypeScript sources, so this loads the
 * command from the sources too: the component a user's file defines and the `start()` that runs
 * it then come from one copy of the SDK, not two.
 * @module
 */
import process from "node:process";

export { type CliIo, main } from "./main.ts";

if (import.meta.main) {
  const here = import.meta.url;
  const isBun = (globalThis as { Bun?: unknown }).Bun !== undefined;
  // dist/cli/ under Bun: ../../src/cli/main.ts (an absolute URL, so the build leaves it alone).
  const entry =
    isBun && here.endsWith(".js") ? new URL("../../src/cli/main.ts", here).href : new URL("./main.js", here).href;
  const { main } = (await import(here.endsWith(".ts") ? "./main.ts" : entry)) as typeof import("./main.ts");
  process.exit(await main(process.argv.slice(2)));
}
