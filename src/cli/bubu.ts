#!/usr/bin/env node
/**
 * The `bubu` command (package.json `bin`, and the `./cli` entry point): built to dist/cli/bubu.js,
 * it runs under Node (`npx bubu`), Bun (`bunx --bun bubu`) and Deno
 * (`deno run -A npm:@bubustack/sdk/cli`, or from JSR `deno run -A jsr:@bubustack/sdk/cli`).
 * Imported, it only exports {@link main}. From npm every runtime loads the bundled JavaScript, so
 * the component a user's file defines and the `start()` that runs it come from the same chunks:
 * one copy of the SDK.
 * @module
 */
import { realpathSync } from "node:fs";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { main } from "./main.ts";
import { unsupportedNode } from "./node-version.ts";

export { type CliIo, main } from "./main.ts";

// Through a variable: `bun build --target=node` rewrites a literal `import.meta.main` into a
// CommonJS test that is true in every ES module, so the bundled dist/cli/bubu.js ran the command
// when merely imported. Node before 22.18 has no `import.meta.main`: the script path decides.
const meta: { readonly main?: boolean } = import.meta;
if (meta.main ?? invokedDirectly()) {
  const tooOld =
    process.versions.bun === undefined && process.versions.deno === undefined
      ? unsupportedNode(process.versions.node)
      : undefined;
  if (tooOld !== undefined) {
    process.stderr.write(`${tooOld}\n`);
    process.exit(1);
  }
  process.exit(await main(process.argv.slice(2)));
}

/** Whether the process's script is this file (through the `.bin` symlink npm makes). */
function invokedDirectly(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}
