/**
 * The script Bun runs for `bubu build`: `bun build --compile --bytecode --format=esm` through
 * `Bun.build`, so that the SDK's optional packages the project lacks become stubs that throw a
 * clear error when loaded (the SDK loads them on demand). (Marked external instead, they would be imported when the binary starts,
 * and fail it.) Bytecode: the binary carries the parsed code, about a third of the start-up CPU;
 * ESM, because a component file awaits `start(…)` at its top level.
 *
 * It is text that `bubu build` writes to a temporary file, not a file of the package: dist/ is
 * bundled per entry point, so a script next to the CLI's module would not be there.
 *
 *   bun <script> <entry> <outfile> [missing-package...]
 * @module
 */

/** The script: plain JavaScript, no imports (it runs from a temporary folder). */
export const BUN_COMPILE_SCRIPT = `const [entry, outfile, ...missing] = process.argv.slice(2);
if (globalThis.Bun === undefined || entry === undefined || outfile === undefined) {
  process.stderr.write("usage: bun <script> <entry> <outfile> [missing-package...]\\n");
  process.exit(2);
}
const escape = (s) => s.replace(/[.*+?^\${}()|[\\]\\\\/]/g, "\\\\$&");
const plugins = missing.length === 0 ? [] : [{
  name: "bubu-missing-optional-packages",
  setup(b) {
    b.onResolve({ filter: new RegExp("^(" + missing.map(escape).join("|") + ")(/.*)?$") }, (a) => ({
      path: a.path,
      namespace: "bubu-missing",
    }));
    // CommonJS (so any named import links) that throws when loaded: the dynamic import that
    // reaches it rejects with what to install. (Exports that throw when used cannot work: Bun
    // copies a CommonJS module's keys into the importer's namespace, so a name is undefined.)
    b.onLoad({ filter: /.*/, namespace: "bubu-missing" }, (a) => ({
      loader: "js",
      contents: "module.exports = {};\\nthrow new Error(" + JSON.stringify(a.path + " is not installed: this feature of @bubustack/sdk needs it (npm install " + a.path + ", then build again)") + ");\\n",
    }));
  },
}];
const result = await Bun.build({ entrypoints: [entry], compile: { outfile }, bytecode: true, format: "esm", plugins });
for (const log of result.logs) process.stderr.write(String(log) + "\\n");
process.exit(result.success ? 0 : 1);
`;
