/**
 * The commands a project made by `bubu init` runs: its scripts (package.json `scripts`, deno.json
 * `tasks`), the example arguments `start` runs with, and the next steps init prints and the
 * project's README lists.
 * @module
 */
import type { ComponentKind } from "./load-component.ts";
import { componentFile } from "./scaffold-code.ts";

/** The runtimes a project can be made for. */
export type ProjectRuntime = "bun" | "deno" | "node";

/**
 * The arguments `start` runs the example with, so that it succeeds as written. A flag given after
 * them (`npm start -- --inputs …`) wins.
 */
export function exampleArgs(kind: ComponentKind): string[] {
  switch (kind) {
    case "batch":
      return ["--inputs", '{"name":"Ada"}'];
    case "dual":
      return ["--inputs", '{"text":"hi"}'];
    case "impulse":
      return ["--story", "hello", "--config", '{"limit":3,"everyMs":1000}'];
    case "streaming":
      return [];
  }
}

/** A line of stdin for the streaming example. */
export const EXAMPLE_MESSAGE = '{"kind":"data","payload":{"text":"hi"}}';

/** `args` quoted for a POSIX shell, `deno task` and Bun's shell. */
export function shellWords(args: readonly string[]): string {
  return args.map((a) => (/^[\w./:=@+-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`)).join(" ");
}

/**
 * V8 flags the Deno scaffold compiles into a long-running component (streaming, dual, impulse):
 * semi-spaces of at most 1 MiB, what Node picks by itself in the operator's default 512Mi pod
 * (2 × 16 MiB without a limit). Deno does not size its heap by the pod's memory limit, and without
 * the flag a streaming echo peaked about 12 MiB higher (118 vs 106 MiB, bench/stream-throughput.ts)
 * for no measurable gain in throughput.
 */
export const DENO_LONG_RUNNING_V8_FLAGS = "--max-semi-space-size=1";

/** The `deno compile` of a Deno project (its `build` task and its Dockerfile): one binary in `outDir`. */
export function denoCompile(kind: ComponentKind, name: string, outDir: string): string {
  const flags = kind === "batch" ? "" : ` --v8-flags=${DENO_LONG_RUNNING_V8_FLAGS}`;
  return `deno compile -A${flags} --output ${outDir}/${name} ${componentFile(kind).file}`;
}

/** The project's scripts: what `start`, `test`, `typecheck`, `template` and `build` run. */
export function scripts(
  kind: ComponentKind,
  runtime: ProjectRuntime,
  name: string,
  bubu: string,
): Record<string, string> {
  const { file, test } = componentFile(kind);
  const template = `${kind === "impulse" ? "Impulse" : "Engram"}.yaml`;
  const example = exampleArgs(kind);
  return {
    // bubu run takes every kind's flags (a plain `node ${file}` reads only a batch's --inputs/--config).
    start: `${bubu} run ${file}${example.length > 0 ? ` ${shellWords(example)}` : ""}`,
    test: runtime === "deno" ? `deno test -A ${test}` : runtime === "bun" ? "bun test" : `node --test ${test}`,
    typecheck: runtime === "deno" ? `deno check ${file} ${test}` : "tsc",
    // The image the Dockerfile's README tags; change both when pushing to a registry.
    template: `${bubu} template ${file} --image ${name}:0.1.0 > ${template}`,
    build: runtime === "deno" ? denoCompile(kind, name, "dist") : `${bubu} build ${file} --outfile dist/${name}`,
  };
}

/** The command that runs the project's script `name`, with `args` after its own. */
export function scriptCommand(runtime: ProjectRuntime, name: string, args: readonly string[] = []): string {
  const extra = args.length === 0 ? "" : ` ${shellWords(args)}`;
  if (runtime === "deno") return `deno task ${name}${extra}`;
  if (runtime === "bun") return `bun run ${name}${extra}`;
  return `${name === "start" || name === "test" ? "npm" : "npm run"} ${name}${extra === "" ? "" : ` --${extra}`}`;
}

/** The command that installs the project's dependencies. */
export function installCommand(runtime: ProjectRuntime): string {
  return runtime === "deno" ? "deno install" : runtime === "bun" ? "bun install" : "npm install";
}

/** A command to run, and what it does. */
export interface Step {
  readonly command: string;
  readonly what: string;
}

/** What to run after `bubu init`, in order: install, test, run, type-check. */
export function nextSteps(kind: ComponentKind, runtime: ProjectRuntime): Step[] {
  const { file, test } = componentFile(kind);
  const start = scriptCommand(runtime, "start");
  const run: Step[] =
    kind === "streaming"
      ? [{ command: `echo '${EXAMPLE_MESSAGE}' | ${start}`, what: "runs it here: messages on stdin, one per line" }]
      : [{ command: start, what: `runs ${file} here (no cluster) with ${shellWords(exampleArgs(kind))}` }];
  if (kind === "batch")
    run.push({ command: scriptCommand(runtime, "start", ["--inputs", '{"name":"Bo"}']), what: "with other inputs" });
  return [
    { command: installCommand(runtime), what: "the dependencies" },
    { command: scriptCommand(runtime, "test"), what: `${test}, on the testkit harness` },
    ...run,
    { command: scriptCommand(runtime, "typecheck"), what: runtime === "deno" ? "deno check" : "tsc" },
  ];
}
