/**
 * Run by Bun for `bubu build`: `bun build --compile` through `Bun.build`, so that the SDK's
 * optional packages the project lacks become stubs that throw a clear error when used. (Marked
 * external instead, they would be imported when the binary starts, and fail it.)
 *
 *   bun bun-compile.js <entry> <outfile> [missing-package...]
 * @module
 */
import process from "node:process";

interface BunBuild {
  build(options: Record<string, unknown>): Promise<{ success: boolean; logs: unknown[] }>;
}
interface PluginBuilder {
  onResolve(o: { filter: RegExp }, f: (a: { path: string }) => { path: string; namespace: string }): void;
  onLoad(
    o: { filter: RegExp; namespace: string },
    f: (a: { path: string }) => { loader: string; contents: string },
  ): void;
}

const [entry, outfile, ...missing] = process.argv.slice(2);
const bun = (globalThis as { Bun?: BunBuild }).Bun;
if (bun === undefined || entry === undefined || outfile === undefined) {
  process.stderr.write("usage: bun bun-compile.js <entry> <outfile> [missing-package...]\n");
  process.exit(2);
}
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
const plugins =
  missing.length === 0
    ? []
    : [
        {
          name: "bubu-missing-optional-packages",
          setup(b: PluginBuilder) {
            b.onResolve({ filter: new RegExp(`^(${missing.map(escape).join("|")})(/.*)?$`) }, (a) => ({
              path: a.path,
              namespace: "bubu-missing",
            }));
            // CommonJS, so that any named import links; using one throws.
            b.onLoad({ filter: /.*/, namespace: "bubu-missing" }, (a) => ({
              loader: "js",
              contents: `const name = ${JSON.stringify(a.path)};
module.exports = new Proxy({}, { get(_t, key) {
  if (key === "__esModule" || key === "then" || typeof key === "symbol") return undefined;
  throw new Error(name + " is not installed: this feature of @bubustack/sdk needs it (npm install " + name + ", then build again)");
} });`,
            }));
          },
        },
      ];
const result = await bun.build({ entrypoints: [entry], compile: { outfile }, plugins });
for (const log of result.logs) process.stderr.write(`${String(log)}\n`);
process.exit(result.success ? 0 : 1);
