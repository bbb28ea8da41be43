/**
 * workerd for tests and benchmarks: bundle an entry for the Workers target with esbuild, write a
 * Cap'n Proto config, serve it on a free loopback port (learned through `--control-fd`) or run
 * its `test` handlers. The binaries come from the npm packages `workerd` and `esbuild`; runs
 * unchanged under Bun, Deno and Node.
 *
 * @module
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { repoRoot } from "../support/spawn.ts";

export const WORKERD: string = resolve(repoRoot, "node_modules/@cloudflare/workerd-linux-64/bin/workerd");
export const ESBUILD: string = resolve(repoRoot, "node_modules/@esbuild/linux-x64/bin/esbuild");
/** The compatibility date of every test Worker. */
export const COMPAT_DATE = "2026-11-01";
/**
 * From this compatibility date on workerd provides `node:*` modules (many as stubs that throw
 * when called) unless told not to: every test Worker runs without them.
 */
export const NO_NODE_COMPAT: readonly string[] = ["no_nodejs_compat", "no_nodejs_compat_v2"];

/** What {@link bundleForWorkers} wrote and measured. */
export interface Bundle {
  readonly file: string;
  readonly bytes: number;
  /** `node:*` (and other) imports esbuild left external. */
  readonly externals: readonly string[];
  /** For each external, the chain of inputs from the entry to the first importer. */
  readonly chains: Readonly<Record<string, readonly string[]>>;
}

interface Meta {
  inputs: Record<string, { imports: { path: string; kind: string; external?: boolean; original?: string }[] }>;
  outputs: Record<string, { entryPoint?: string; imports: { path: string; external?: boolean }[] }>;
}

/**
 * Bundles `entry` as a Workers module: ESM, browser/worker conditions, every `node:*` import left
 * external (so a bundle that needs one fails to load in a Worker without `nodejs_compat`).
 */
export function bundleForWorkers(entry: string, outfile: string, options: { minify?: boolean } = {}): Bundle {
  const metafile = `${outfile}.meta.json`;
  const r = spawnSync(
    ESBUILD,
    [
      resolve(repoRoot, entry),
      "--bundle",
      "--format=esm",
      "--platform=neutral",
      "--target=es2022",
      "--conditions=workerd,worker,browser",
      "--main-fields=browser,module,main",
      "--external:node:*",
      "--log-level=error",
      `--metafile=${metafile}`,
      `--outfile=${outfile}`,
      ...(options.minify ? ["--minify"] : []),
    ],
    { cwd: repoRoot, encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(`esbuild ${entry}: ${r.stderr || r.error?.message}`);
  const meta = JSON.parse(readFileSync(metafile, "utf8")) as Meta;
  const output = Object.values(meta.outputs)[0]!;
  const externals = [...new Set(output.imports.filter((i) => i.external).map((i) => i.path))].sort();
  return { file: outfile, bytes: statSync(outfile).size, externals, chains: chainsTo(meta, externals) };
}

/** Breadth-first from the entry: the shortest chain of inputs that reaches each external. */
function chainsTo(meta: Meta, externals: readonly string[]): Record<string, string[]> {
  const entry = Object.values(meta.outputs)[0]!.entryPoint!;
  const parent = new Map<string, string | undefined>([[entry, undefined]]);
  const queue = [entry];
  const found: Record<string, string[]> = {};
  const chain = (from: string): string[] => {
    const out: string[] = [];
    for (let at: string | undefined = from; at !== undefined; at = parent.get(at)) out.unshift(at);
    return out;
  };
  while (queue.length > 0) {
    const at = queue.shift()!;
    for (const imp of meta.inputs[at]?.imports ?? []) {
      if (imp.external) {
        if (externals.includes(imp.path) && found[imp.path] === undefined) found[imp.path] = chain(at);
      } else if (!parent.has(imp.path)) {
        parent.set(imp.path, at);
        queue.push(imp.path);
      }
    }
  }
  return found;
}

/** A Cap'n Proto string literal. */
export function capnpString(text: string): string {
  return JSON.stringify(text);
}

/** One Worker's part of a config. */
export interface WorkerSpec {
  /** Module files, relative to the config's folder; the first is the main module. */
  readonly modules: readonly string[];
  readonly bindings?: readonly string[];
  /** Durable Object namespaces: the binding name and the class the main module exports. */
  readonly durableObjects?: readonly { readonly name: string; readonly className: string }[];
  /** Trust this CA (PEM file in the folder) for global fetch, and allow loopback addresses. */
  readonly caFile?: string;
  /** Default {@link COMPAT_DATE}. */
  readonly compatibilityDate?: string;
  /** Default {@link NO_NODE_COMPAT}. */
  readonly compatibilityFlags?: readonly string[];
}

/** A config with one Worker `main` served on socket `http` (127.0.0.1, a free port). */
export function configFor(spec: WorkerSpec): string {
  const modules = spec.modules.map((m) => `(name = ${capnpString(m)}, esModule = embed ${capnpString(m)})`).join(", ");
  const dos = spec.durableObjects ?? [];
  const worker = [
    `modules = [${modules}]`,
    `compatibilityDate = ${capnpString(spec.compatibilityDate ?? COMPAT_DATE)}`,
    `compatibilityFlags = [${(spec.compatibilityFlags ?? NO_NODE_COMPAT).map(capnpString).join(", ")}]`,
    `bindings = [${[...(spec.bindings ?? []), ...dos.map((d) => `(name = ${capnpString(d.name)}, durableObjectNamespace = ${capnpString(d.className)})`)].join(", ")}]`,
    ...(dos.length > 0
      ? [
          `durableObjectNamespaces = [${dos.map((d) => `(className = ${capnpString(d.className)}, uniqueKey = ${capnpString(`test-${d.className}`)})`).join(", ")}]`,
          "durableObjectStorage = (inMemory = void)",
        ]
      : []),
  ].join(",\n      ");
  const tls =
    spec.caFile !== undefined ? `, tlsOptions = (trustedCertificates = [embed ${capnpString(spec.caFile)}])` : "";
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = (
      ${worker}
    )),
    (name = "internet", network = (allow = ["public", "local"]${tls})),
  ],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "main")],
);
`;
}

/** A text binding. */
export function textBinding(name: string, value: string): string {
  return `(name = ${capnpString(name)}, text = ${capnpString(value)})`;
}

/** A running workerd. */
export interface Workerd {
  readonly url: string;
  readonly pid: number;
  /** Milliseconds from spawn to the listening socket. */
  readonly startMs: number;
  /** What workerd printed so far (uncaught errors, console.log of the Worker). */
  output(): string;
  close(): Promise<void>;
}

/** A fresh folder for a config and its files; `rm()` deletes it. */
export function workDir(prefix: string): { dir: string; rm(): void } {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  return { dir, rm: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Serves `config.capnp` of `dir`; resolves once the socket listens (or rejects with workerd's output). */
export function serveWorkerd(dir: string, config: string, timeoutMs = 20_000): Promise<Workerd> {
  writeFileSync(join(dir, "config.capnp"), config);
  const started = performance.now();
  const child = spawn(WORKERD, ["serve", "config.capnp", "--control-fd=3", "--verbose"], {
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (d: Uint8Array) => (output += new TextDecoder().decode(d)));
  child.stderr!.on("data", (d: Uint8Array) => (output += new TextDecoder().decode(d)));
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`workerd did not listen within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`workerd exited (${code}) before listening:\n${output}`));
    });
    let control = "";
    (child.stdio[3] as NodeJS.ReadableStream).on("data", (d: Uint8Array) => {
      control += new TextDecoder().decode(d);
      for (const line of control.split("\n")) {
        if (!line.trim()) continue;
        const event = JSON.parse(line) as { event?: string; socket?: string; port?: number };
        if (event.event === "listen" && event.socket === "http" && event.port !== undefined) {
          clearTimeout(timer);
          const startMs = performance.now() - started;
          resolvePromise({
            url: `http://127.0.0.1:${event.port}`,
            pid: child.pid!,
            startMs,
            output: () => output,
            async close() {
              child.kill("SIGTERM");
              const killer = setTimeout(() => child.kill("SIGKILL"), 3000);
              await exited;
              clearTimeout(killer);
            },
          });
          return;
        }
      }
    });
  });
}

/** Runs the `test` handlers of the Worker in `config`; the exit status and workerd's output. */
export function testWorkerd(dir: string, config: string, timeoutMs = 30_000): { ok: boolean; output: string } {
  writeFileSync(join(dir, "config.capnp"), config);
  const r = spawnSync(WORKERD, ["test", "config.capnp"], { cwd: dir, encoding: "utf8", timeout: timeoutMs });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}${r.error ? r.error.message : ""}` };
}
