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
import { main as builtMain } from "./main.ts";

export { type CliIo, main } from "./main.ts";

// Through a variable: \`bun build --target=node\` rewrites a literal \`import.meta.main\` into a
// CommonJS test that is true in every ES module, so the bundled dist/cli/bubu.js ran the command
// when merely imported.
const meta: { readonly main?: boolean } = import.meta;
if (meta.main === true) {
  const here = import.meta.url;
  const isBun = (globalThis as { Bun?: unknown }).Bun !== undefined;
  // dist/cli/ under Bun: ../../src/cli/main.ts (an absolute URL, so the build leaves it alone).
  const run =
    isBun && here.endsWith(".js")
      ? ((await import(new URL("../../src/cli/main.ts", here).href)) as typeof import("./main.ts")).main
      : builtMain;
  process.exit(await run(process.argv.slice(2)));
}
