#!/usr/bin/env node
/**
 * The `bubu` command (package.json `bin`, and the `./cli` entry point): built to dist/cli/bubu.js,
 * it runs under Node (`npx bubu`), Bun (`bunx --bun bubu`) and Deno
 * (`deno run -A npm:@bubustack/sdk/bubu`, or from JSR `deno run -A jsr:@bubustack/sdk/cli`).
 * Imported, it only exports {@link main}. From npm every runtime loads the bundled JavaScript, so
 * the component a user's file defines and the `start()` that runs it come from the same chunks:
 * one copy of the SDK.
 * @module
 */
import process from "node:process";
import { main } from "./main.ts";

export { type CliIo, main } from "./main.ts";

// Through a variable: `bun build --target=node` rewrites a literal `import.meta.main` into a
// CommonJS test that is true in every ES module, so the bundled dist/cli/bubu.js ran the command
// when merely imported.
const meta: { readonly main?: boolean } = import.meta;
if (meta.main === true) process.exit(await main(process.argv.slice(2)));
