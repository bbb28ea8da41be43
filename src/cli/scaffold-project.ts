/**
 * The project files `bubu init` writes around the component: the manifest (package.json, or
 * deno.json for Deno), tsconfig.json, Dockerfile, .dockerignore, .gitignore and README.md.
 * @module
 */
import type { ComponentKind } from "./load-component.ts";
import { componentFile } from "./scaffold-code.ts";
import { denoCompile, nextSteps, type ProjectRuntime, scripts } from "./scaffold-commands.ts";
import { BUN_RANGE, PEER_RANGES, TYPES_NODE_RANGE, TYPESCRIPT_RANGE } from "./version.ts";

export type { ProjectRuntime } from "./scaffold-commands.ts";

/** What a project is made of. */
export interface ProjectSpec {
  readonly kind: ComponentKind;
  readonly runtime: ProjectRuntime;
  /** DNS-1123 name: the package, the component and the template. */
  readonly name: string;
  /** The `@bubustack/sdk` dependency as written into the manifest. */
  readonly sdk: string;
  /**
   * Deno: folders, relative to the project, that `deno install` takes packages from instead of a
   * registry (deno.json `links`): the unpacked SDK of a `--sdk` tarball or folder.
   */
  readonly links?: readonly string[];
  /** Node, Bun: the SDK is a tarball in the project's `vendor/` (the Dockerfile copies it first). */
  readonly vendored?: boolean;
}

/** Whether the kind streams (and so needs the gRPC packages). */
function streams(kind: ComponentKind): boolean {
  return kind === "streaming" || kind === "dual";
}

/** The npm dependencies of a project, `@bubustack/sdk` first. */
export function dependencies(spec: ProjectSpec): Record<string, string> {
  const deps: Record<string, string> = { "@bubustack/sdk": spec.sdk, valibot: PEER_RANGES.valibot };
  if (streams(spec.kind)) {
    for (const p of ["@bufbuild/protobuf", "@connectrpc/connect", "@connectrpc/connect-node"] as const)
      deps[p] = PEER_RANGES[p];
  }
  return deps;
}

/** `package.json` (Bun and Node projects; for Deno only the dependencies). */
export function packageJson(spec: ProjectSpec): string {
  if (spec.runtime === "deno") {
    // Only the dependencies: deno.json has the tasks.
    const deps = {
      name: spec.name,
      private: true,
      type: "module",
      dependencies: dependencies(spec),
      devDependencies: { "@types/node": TYPES_NODE_RANGE },
    };
    return `${JSON.stringify(deps, null, 2)}\n`;
  }
  const bubu = spec.runtime === "bun" ? "bunx --bun bubu" : "bubu";
  const pkg = {
    name: spec.name,
    version: "0.1.0",
    private: true,
    type: "module",
    scripts: scripts(spec.kind, spec.runtime, spec.name, bubu),
    dependencies: dependencies(spec),
    devDependencies:
      spec.runtime === "bun"
        ? { "@types/bun": BUN_RANGE, typescript: TYPESCRIPT_RANGE }
        : { "@types/node": TYPES_NODE_RANGE, bun: BUN_RANGE, typescript: TYPESCRIPT_RANGE },
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

/**
 * `deno.json` (Deno projects): tasks, and the imports for an `npm:`/`jsr:` SDK spec; for a version
 * range or a linked folder the dependencies are in package.json and `deno install` fills
 * node_modules (`links` points it at the folder).
 */
export function denoJson(spec: ProjectSpec): string {
  // The CLI from the same place as the SDK: JSR's ./cli entry point, or the npm package's bin.
  const bubu = spec.sdk.startsWith("jsr:")
    ? `deno run -A ${spec.sdk}/cli`
    : `deno run -A ${spec.sdk.startsWith("npm:") ? spec.sdk : "npm:@bubustack/sdk"}/bubu`;
  const json: Record<string, unknown> = {
    version: "0.1.0",
    tasks: scripts(spec.kind, spec.runtime, spec.name, bubu),
  };
  if (denoImports(spec.sdk)) {
    const imports: Record<string, string> = {};
    for (const [name, range] of Object.entries(dependencies(spec))) {
      const target = name === "@bubustack/sdk" ? spec.sdk : `npm:${name}@${range}`;
      imports[name] = target;
      if (name === "@bubustack/sdk") imports[`${name}/`] = `${target.replace(/^(jsr|npm):/, "$1:/")}/`;
    }
    json.imports = imports;
  } else {
    json.nodeModulesDir = "manual";
  }
  if (spec.links !== undefined && spec.links.length > 0) json.links = spec.links;
  return `${JSON.stringify(json, null, 2)}\n`;
}

/** A Deno project keeps its imports in deno.json for `npm:`/`jsr:` specs; else in package.json. */
export function denoImports(sdk: string): boolean {
  return sdk.startsWith("npm:") || sdk.startsWith("jsr:");
}

/** `tsconfig.json` for editors and `tsc` (Bun and Node projects), with the runtime's types. */
export function tsconfigJson(runtime: ProjectRuntime): string {
  const config = {
    compilerOptions: {
      target: runtime === "bun" ? "ESNext" : "ES2023",
      module: runtime === "bun" ? "Preserve" : "ESNext",
      moduleResolution: "bundler",
      allowImportingTsExtensions: true,
      noEmit: true,
      strict: true,
      skipLibCheck: true,
      verbatimModuleSyntax: true,
      // Bun's (`@types/bun`, which brings Node's), or Node's.
      types: [runtime === "bun" ? "bun" : "node"],
    },
    include: ["*.ts"],
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/**
 * A two-stage Dockerfile: the build stage compiles the component into one executable, the final
 * image holds only that binary (on distroless `cc`: glibc and libstdc++, no shell), as a non-root user.
 */
export function dockerfile(spec: ProjectSpec): string {
  const { file } = componentFile(spec.kind);
  const build =
    spec.runtime === "deno"
      ? `FROM denoland/deno:2 AS build
WORKDIR /app
COPY . .
# With deno.lock the versions are the ones it pins, and a build that would change it fails.
RUN if [ -e deno.lock ]; then deno install --frozen; else deno install; fi
${
  spec.kind === "batch"
    ? ""
    : `# A young generation of 1 MiB semi-spaces, what Node picks in a 512Mi pod (Deno does not size its
# heap by the pod's memory limit): a long-running component then peaks about 12 MiB lower.
`
}RUN ${denoCompile(spec.kind, spec.name, "/app/dist")}`
      : `FROM oven/bun:1 AS build
WORKDIR /app
COPY package.json bun.lock* package-lock.json* ./
${spec.vendored === true ? "COPY vendor ./vendor\n" : ""}# With a lockfile (bun.lock, or npm's package-lock.json, which bun reads) the versions are the
# ones it pins, and a build that would change it fails.
RUN if [ -e bun.lock ] || [ -e package-lock.json ]; then bun install --frozen-lockfile; else bun install; fi
COPY . .
# bubu build = bun build --compile (the SDK packages this project lacks become stubs).
RUN bun run build`;
  const nodeNote =
    spec.runtime === "node"
      ? `# A Node project: the image runs the component as a Bun-compiled executable (Node has no
# single-file build of its own); the code is the same, the runtime inside the image is Bun.
`
      : "";
  // An impulse serves HTTP (webhookImpulse listens on 8080 unless its config says otherwise).
  const expose = spec.kind === "impulse" ? "EXPOSE 8080\n" : "";
  return `# Build: ${spec.runtime === "deno" ? "deno compile" : "bun build --compile"} makes one self-contained executable.
${nodeNote}${build}

# Run: only the binary, as a non-root user.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /app/dist/${spec.name} /usr/local/bin/${spec.name}
USER nonroot
${expose}ENTRYPOINT ["/usr/local/bin/${spec.name}"]
`;
}

/** `.dockerignore`. */
export function dockerignore(): string {
  return "node_modules\ndist\n.bubu\n.git\n*.log\n";
}

/** `.gitignore` (`.bubu/` holds local runs' effect claims and logs). */
export function gitignore(): string {
  return "node_modules/\ndist/\n.bubu/\n*.log\n";
}

/** `README.md` with the next commands. */
export function readme(spec: ProjectSpec): string {
  const { file } = componentFile(spec.kind);
  const template = `${spec.kind === "impulse" ? "Impulse" : "Engram"}.yaml`;
  const run = spec.runtime === "deno" ? "deno task" : spec.runtime === "bun" ? "bun run" : "npm run";
  const what: Record<ComponentKind, string> = {
    batch: "a batch engram: one step of a Story, run as a Kubernetes Job",
    streaming: "a streaming engram: a long-lived stream processor next to the connector sidecar",
    dual: "a dual engram: a batch step or a stream processor, as the operator chooses",
    impulse: "an impulse: a service that starts Stories",
  };
  const steps = nextSteps(spec.kind, spec.runtime)
    .map((s) => `# ${s.what}\n${s.command}\n`)
    .join("");
  return `# ${spec.name}

${what[spec.kind][0]!.toUpperCase()}${what[spec.kind].slice(1)}, written with [@bubustack/sdk](https://www.npmjs.com/package/@bubustack/sdk).

\`\`\`sh
${steps}# regenerate ${template} from the schemas in ${file}
${run} template
# one executable in dist/ (${spec.runtime === "deno" ? "deno compile" : "bun build --compile"})
${run} build
# that executable on a distroless image, as a non-root user
docker build -t ${spec.name}:0.1.0 .
\`\`\`

Locally (no cluster) log lines, signals and effects are printed as JSON lines on stderr, and
\`ctx.effects.once\` keeps its claims in \`.bubu/\`. In a cluster the same file runs unchanged:
apply \`${template}\` (the ${spec.kind === "impulse" ? "ImpulseTemplate" : "EngramTemplate"}), push the image, and reference the template from
an ${spec.kind === "impulse" ? "Impulse" : "Engram"}. The template names the image \`${spec.name}:0.1.0\` (\`spec.image\`); when you push it
under another name, change it in the \`template\` script and regenerate.
`;
}
