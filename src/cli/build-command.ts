/**
 * `bubu build`: one self-contained executable of a component file, made by Bun's compiler
 * (`bun build --compile`, through the script in bun-compile.ts; under Deno without Bun: `deno compile`).
 * @module
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, extname, join, resolve } from "node:path";
import process from "node:process";
import { type ParsedArgs, UsageError } from "./args.ts";
import { BUN_COMPILE_SCRIPT } from "./bun-compile.ts";

/** The flags of `bubu build`. */
export const BUILD_FLAGS = { values: ["outfile"] } as const;

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

/** Builds the file in `args`; throws with the compiler's message when it fails. */
export function buildCommand(args: ParsedArgs, cwd: string, log: (line: string) => void): BuildResult {
  const [file, ...extra] = args.positionals;
  if (file === undefined) throw new UsageError("bubu build needs a file");
  if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`);
  const entry = resolve(cwd, file);
  if (!existsSync(entry)) throw new UsageError(`no such file: ${file}`);
  const outfile = resolve(cwd, args.values.outfile ?? join("dist", basename(entry, extname(entry))));
  mkdirSync(dirname(outfile), { recursive: true });

  const bun = findBun(dirname(entry));
  let command: string[];
  let tool: BuildResult["tool"];
  let scratch: string | undefined;
  if (bun !== undefined) {
    const missing = OPTIONAL_PACKAGES.filter((p) => !installed(p, dirname(entry)));
    scratch = mkdtempSync(join(tmpdir(), "bubu-build-"));
    const script = join(scratch, "bun-compile.mjs");
    writeFileSync(script, BUN_COMPILE_SCRIPT);
    command = [bun, script, entry, outfile, ...missing];
    tool = "bun";
  } else if (isDeno()) {
    command = [process.execPath, "compile", "-A", "--output", outfile, entry];
    tool = "deno";
  } else {
    throw new Error(
      "bun not found: add it to the project (npm install -D bun) or install it (https://bun.sh), then run bubu build again",
    );
  }
  try {
    log(`$ ${command.map((a) => (/[\s"']/.test(a) ? JSON.stringify(a) : a)).join(" ")}\n`);
    const r = spawnSync(command[0]!, command.slice(1), { cwd, stdio: ["ignore", "inherit", "inherit"] });
    if (r.error !== undefined) throw new Error(`${tool} did not start: ${r.error.message}`);
    if (r.status !== 0)
      throw new Error(
        `${tool} ${tool === "bun" ? "build --compile" : "compile"} failed (exit ${r.status ?? r.signal})`,
      );
  } finally {
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  }
  const bytes = statSync(outfile).size;
  log(`built ${outfile} (${(bytes / 1048576).toFixed(1)} MiB)\n`);
  return { outfile, bytes, tool };
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
