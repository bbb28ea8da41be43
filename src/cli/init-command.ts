/**
 * `bubu init`: a new project around one component that passes its own tests right after
 * installing its dependencies.
 * @module
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, isAbsolute, relative, resolve } from "node:path";
import { oneOf, type ParsedArgs, UsageError } from "./args.ts";
import type { ComponentKind } from "./load-component.ts";
import { readLocalPackage, unpackInto, VENDOR_DIR } from "./local-sdk.ts";
import { componentFile, componentSource, testSource } from "./scaffold-code.ts";
import { nextSteps } from "./scaffold-commands.ts";
import {
  denoImports,
  denoJson,
  dockerfile,
  dockerignore,
  gitignore,
  type ProjectRuntime,
  type ProjectSpec,
  packageJson,
  readme,
  tsconfigJson,
} from "./scaffold-project.ts";
import { scaffoldComponent } from "./scaffold-schemas.ts";
import { dnsName, templateYamlFor } from "./template-command.ts";
import { SDK_VERSION } from "./version.ts";

/** The flags of `bubu init`. */
export const INIT_FLAGS = { values: ["kind", "runtime", "name", "sdk"] } as const;

const KINDS: readonly ComponentKind[] = ["batch", "streaming", "impulse", "dual"];
const RUNTIMES: readonly ProjectRuntime[] = ["bun", "deno", "node"];

/** What `bubu init` wrote. */
export interface InitResult {
  readonly dir: string;
  readonly files: readonly string[];
  /** What to print: the files and the next commands. */
  readonly summary: string;
}

/** The files of a project, by path relative to its folder. */
export function projectFiles(spec: ProjectSpec): Record<string, string> {
  const { file, test } = componentFile(spec.kind);
  const template = spec.kind === "impulse" ? "Impulse.yaml" : "Engram.yaml";
  const files: Record<string, string> = {
    [file]: componentSource(spec.kind, spec.name),
    [test]: testSource(spec.kind),
    [template]: templateYamlFor(scaffoldComponent(spec.kind, spec.name), {
      name: spec.name,
      version: "0.1.0",
      image: `${spec.name}:0.1.0`,
    }),
    Dockerfile: dockerfile(spec),
    ".dockerignore": dockerignore(),
    ".gitignore": gitignore(),
    "README.md": readme(spec),
  };
  if (spec.runtime === "deno") {
    files["deno.json"] = denoJson(spec);
    if (!denoImports(spec.sdk)) files["package.json"] = packageJson(spec);
  } else {
    files["package.json"] = packageJson(spec);
    files["tsconfig.json"] = tsconfigJson(spec.runtime);
  }
  return files;
}

/** Writes the project `args` describe into a new or empty folder. */
export function initCommand(args: ParsedArgs, cwd: string): InitResult {
  const [target, ...extra] = args.positionals;
  if (target === undefined) throw new UsageError("bubu init needs a folder");
  if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`);
  if (args.values.kind === undefined) throw new UsageError(`--kind is required (${KINDS.join(", ")})`);
  const kind = oneOf("kind", args.values.kind, KINDS);
  const runtime = oneOf("runtime", args.values.runtime ?? "node", RUNTIMES);
  const dir = resolve(cwd, target);
  const name = dnsName(args.values.name ?? basename(dir));
  if (name === undefined)
    throw new UsageError(`cannot make a name of ${JSON.stringify(args.values.name ?? basename(dir))}; pass --name`);
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new UsageError(`${target} exists and is not empty`);
  const sdk = sdkSpec(args.values.sdk, runtime, dir, cwd);
  const spec: ProjectSpec = {
    kind,
    runtime,
    name,
    sdk: sdk.spec,
    ...(sdk.link !== undefined ? { links: [sdk.link] } : {}),
    ...(sdk.copy !== undefined ? { vendored: true } : {}),
  };

  const files = projectFiles(spec);
  const created = !existsSync(dir);
  mkdirSync(dir, { recursive: true });
  try {
    if (sdk.unpack !== undefined) unpackInto(dir, sdk.unpack, args.values.sdk!);
    if (sdk.copy !== undefined) {
      mkdirSync(resolve(dir, "vendor"), { recursive: true });
      copyFileSync(sdk.copy, resolve(dir, "vendor", basename(sdk.copy)));
    }
  } catch (err) {
    if (created) rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  for (const [path, text] of Object.entries(files)) writeFileSync(resolve(dir, path), text);

  const shown = relative(cwd, dir) || ".";
  const listed = [
    ...Object.keys(files),
    ...(sdk.unpack !== undefined ? [`${VENDOR_DIR}/ (${args.values.sdk})`] : []),
    ...(sdk.copy !== undefined ? [`vendor/${basename(sdk.copy)} (a copy of ${args.values.sdk})`] : []),
  ];
  const steps = nextSteps(kind, runtime);
  const width = Math.max(...steps.map((s) => s.command.length));
  const summary = `Created ${shown} (${kind} ${kind === "impulse" ? "" : "engram "}for ${runtime}):\n${listed
    .sort()
    .map((f) => `  ${f}\n`)
    .join("")}\nNext:\n  cd ${shown}\n${steps.map((s) => `  ${s.command.padEnd(width)}  # ${s.what}\n`).join("")}`;
  return { dir, files: Object.keys(files).sort(), summary };
}

/** The SDK dependency, and for Deno the folder to link and the tarball to unpack there. */
interface SdkSpec {
  /** As written into package.json, or deno.json's imports for `npm:`/`jsr:`. */
  readonly spec: string;
  /** Deno: the folder deno.json `links` to, relative to the project. */
  readonly link?: string;
  /** Deno: the tarball to unpack into the project's vendor folder. */
  readonly unpack?: string;
  /**
   * Node and Bun: the tarball to copy into the project's `vendor/`, so that the dependency stays
   * inside the project (a container build sees only the project folder).
   */
  readonly copy?: string;
}

/**
 * The dependency spec: `^VERSION` by default (for Deno `npm:@bubustack/sdk@^VERSION`); a path to
 * a packed .tgz is copied into the project's `vendor/` (Node, Bun) and a folder becomes `file:`
 * relative to the project. Deno cannot install from
 * either (see local-sdk.ts): there the package is linked, a tarball first unpacked into the project.
 */
function sdkSpec(given: string | undefined, runtime: ProjectRuntime, dir: string, cwd: string): SdkSpec {
  if (given === undefined)
    return { spec: runtime === "deno" ? `npm:@bubustack/sdk@^${SDK_VERSION}` : `^${SDK_VERSION}` };
  if (given.trim() === "") throw new UsageError("--sdk must not be empty");
  if (/^(npm|jsr):/.test(given) && runtime !== "deno")
    throw new UsageError("npm: and jsr: specs are for --runtime deno");
  const looksLikePath =
    given.endsWith(".tgz") || given.startsWith(".") || isAbsolute(given) || given.startsWith("file:");
  if (!looksLikePath) return { spec: given };
  const path = resolve(cwd, given.replace(/^file:/, ""));
  if (!existsSync(path)) throw new UsageError(`--sdk: no such file or folder: ${given}`);
  const rel = relative(dir, path).split("\\").join("/");
  const local = rel.startsWith(".") || isAbsolute(rel) ? rel : `./${rel}`;
  if (runtime !== "deno") {
    if (path.endsWith(".tgz")) return { spec: `file:./vendor/${basename(path)}`, copy: path };
    return { spec: `file:${local}` };
  }
  const pkg = readLocalPackage(path, given);
  if (path.endsWith(".tgz")) return { spec: pkg.version, link: `./${VENDOR_DIR}`, unpack: path };
  // A folder with a deno.json is a JSR package (Deno links it as one); else an npm package.
  return { spec: pkg.jsr ? `jsr:@bubustack/sdk@${pkg.version}` : pkg.version, link: local };
}
