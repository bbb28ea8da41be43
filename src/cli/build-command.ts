/**
 * `bubu build`: one self-contained executable of a component file, made by Bun's compiler
 * (`bun build --compile`, through the script in bun-compile.ts; under Deno without Bun: `deno compile`).
 * What is compiled is a generated entry that imports the file and starts the component it
 * exports, as `bubu run <file>` does: the binary runs the component whether or not the file
 * starts it itself (in the binary the file is not the main module, so its own
 * `if (import.meta.main) await start(x)` does not run, and the component starts once).
 * @module
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, extname, join, relative, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type ParsedArgs, UsageError } from "./args.ts";
import { BUN_COMPILE_SCRIPT } from "./bun-compile.ts";
import { loadComponent } from "./load-component.ts";

/** The flags of `bubu build`. */
export const BUILD_FLAGS = { values: ["outfile", "export"] } as const;

/**
 * Packages the SDK loads only for some features (streaming). A project
 * without them builds with stubs in their place that throw when loaded.
 */
export const OPTIONAL_PACKAGES: readonly string[] = [
  "@bufbuild/protobuf",
  "@connectrpc/connect",
  "@connectrpc/connect-node",
];

/** What `bubu build` did. */
export interface BuildResult {
  readonly outfile: string;
  readonly bytes: number;
  readonly tool: "bun" | "deno";
}

/** Options of {@link buildCommand}. */
export interface BuildOptions {
  /** Also print the compiler's command line (`BUBU_DEBUG`). */
  readonly debug?: boolean;
}

/**
 * Builds the file in `args`; throws with the compiler's message when it fails, and a
 * `UsageError` when the file exports no component (or several, without `--export`).
 */
export async function buildCommand(
  args: ParsedArgs,
  cwd: string,
  log: (line: string) => void,
  options: BuildOptions = {},
): Promise<BuildResult> {
  const [file, ...extra] = args.positionals;
  if (file === undefined) throw new UsageError("bubu build needs a file");
  if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`);
  const entry = resolve(cwd, file);
  if (!existsSync(entry)) throw new UsageError(`no such file: ${file}`);
  // Imported here as bubu run and bubu template import it: a file without a component is refused
  // now, not found out when the binary starts.
  const { exportName } = await loadComponent(file, cwd, args.values.export);
  const outfile = resolve(cwd, args.values.outfile ?? join("dist", basename(entry, extname(entry))));
  mkdirSync(dirname(outfile), { recursive: true });

  const shown = (p: string): string => (relative(cwd, p).startsWith("..") ? p : relative(cwd, p));
  const bun = findBun(dirname(entry));
  let command: string[];
  let tool: BuildResult["tool"];
  const scratch = mkdtempSync(join(tmpdir(), "bubu-build-"));
  try {
    const sdk = sdkModule(dirname(entry));
    if (bun !== undefined) {
      const missing = OPTIONAL_PACKAGES.filter((p) => !installed(p, dirname(entry)));
      const script = join(scratch, "bun-compile.mjs");
      writeFileSync(script, BUN_COMPILE_SCRIPT);
      // Bun's bundler takes absolute paths, not file: URLs.
      const main = join(scratch, "main.mjs");
      writeFileSync(main, entryModule(entry, sdk, exportName, file));
      command = [bun, script, main, outfile, ...missing];
      tool = "bun";
    } else if (isDeno()) {
      const main = join(scratch, "main.mjs");
      const toUrl = (p: string): string => (/^[a-z]+:/i.test(p) ? p : pathToFileURL(p).href);
      writeFileSync(main, entryModule(toUrl(entry), toUrl(sdk), exportName, file));
      command = [process.execPath, "compile", "-A", "--output", outfile, main];
      tool = "deno";
    } else {
      throw new Error(
        "bun not found: add it to the project (npm install -D bun) or install it (https://bun.sh), then run bubu build again",
      );
    }
    log(
      `building ${shown(outfile)} from ${shown(entry)} (export ${exportName}) with ${tool === "bun" ? "bun build --compile" : "deno compile"}\n`,
    );
    if (options.debug === true) log(`$ ${command.map((a) => (/[\s"']/.test(a) ? JSON.stringify(a) : a)).join(" ")}\n`);
    const r = spawnSync(command[0]!, command.slice(1), { cwd, stdio: ["ignore", "inherit", "inherit"] });
    if (r.error !== undefined) throw new Error(`${tool} did not start: ${r.error.message}`);
    if (r.status !== 0)
      throw new Error(
        `${tool} ${tool === "bun" ? "build --compile" : "compile"} failed (exit ${r.status ?? r.signal})`,
      );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const bytes = statSync(outfile).size;
  log(`built ${shown(outfile)} (${(bytes / 1048576).toFixed(1)} MiB)\n`);
  return { outfile, bytes, tool };
}

/** The generated entry: imports the user's module and starts its component once. */
export function entryModule(entry: string, sdk: string, exportName: string, shownAs: string): string {
  return `// Generated by bubu build from ${JSON.stringify(shownAs).slice(1, -1)}: starts its export ${exportName}, as bubu run does.
import * as mod from ${JSON.stringify(entry)};
import { start } from ${JSON.stringify(sdk)};
await start(mod[${JSON.stringify(exportName)}]);
`;
}

/**
 * The SDK module whose `start` the binary calls: the project's `@bubustack/sdk` (the copy the
 * user's file imports), else the SDK this command runs from.
 */
export function sdkModule(from: string): string {
  for (const dir of ancestors(from)) {
    const pkgDir = join(dir, "node_modules", "@bubustack", "sdk");
    const target = rootExport(join(pkgDir, "package.json"));
    if (target !== undefined) return resolve(pkgDir, target);
  }
  // src/cli/build-command.ts → src/mod.ts; bundled, dist/cli/bubu.js → dist/mod.js.
  const own = new URL(`../mod${extname(new URL(import.meta.url).pathname)}`, import.meta.url);
  return own.protocol === "file:" ? fileURLToPath(own) : own.href;
}

function rootExport(packageJson: string): string | undefined {
  let pkg: { exports?: unknown };
  try {
    pkg = JSON.parse(readFileSync(packageJson, "utf8")) as { exports?: unknown };
  } catch {
    return undefined;
  }
  const root = (pkg.exports as Record<string, unknown> | undefined)?.["."];
  if (typeof root === "string") return root;
  const conditions = root as { import?: unknown; default?: unknown } | undefined;
  const target = conditions?.import ?? conditions?.default;
  return typeof target === "string" ? target : undefined;
}

function isDeno(): boolean {
  return (globalThis as { Deno?: unknown }).Deno !== undefined;
}

/**
 * Bun: this process when it is Bun; else the project's `bun` devDependency (its native binary
 * from the platform package when npm skipped bun's postinstall); else `bun` on the PATH.
 */
export function findBun(from: string): string | undefined {
  if ((globalThis as { Bun?: unknown }).Bun !== undefined) return process.execPath;
  const os = process.platform === "win32" ? "windows" : process.platform;
  const arch = process.arch === "arm64" ? "aarch64" : process.arch;
  const exe = process.platform === "win32" ? "bun.exe" : "bun";
  for (const dir of ancestors(from)) {
    const candidates = [
      join(dir, "node_modules", ".bin", exe),
      join(dir, "node_modules", "@oven", `bun-${os}-${arch}`, "bin", exe),
      join(dir, "node_modules", "@oven", `bun-${os}-${arch}-musl`, "bin", exe),
    ];
    for (const candidate of candidates) if (existsSync(candidate) && works(candidate)) return candidate;
  }
  return works("bun") ? "bun" : undefined;
}

function works(bun: string): boolean {
  const r = spawnSync(bun, ["--version"], { stdio: ["ignore", "pipe", "ignore"], timeout: 30_000 });
  return r.status === 0 && /^\d+\.\d+/.test(String(r.stdout));
}

function installed(pkg: string, from: string): boolean {
  return ancestors(from).some((dir) => existsSync(join(dir, "node_modules", pkg, "package.json")));
}

function ancestors(from: string): string[] {
  const out: string[] = [];
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    out.push(dir);
    if (dirname(dir) === dir) return out;
  }
}
