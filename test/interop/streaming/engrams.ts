// The two echo engrams the interop scenarios run: the Go reference (bubu-sdk-go v0.1.5, built by
// go-engram.ts) and ours (test/streaming/fixtures/echo-engram.ts under the runtime running the
// tests). Both are started as child processes with the same clean environment.
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import process from "node:process";
import { commandFor, currentRuntime, repoRoot } from "../../support/spawn.ts";
import { goEchoBinary, goEngramSkip } from "./go-engram.ts";

export type Impl = "go" | "ts";

/** A running engram process. */
export interface EngramProcess {
  readonly impl: Impl;
  /** Exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  output(): string;
  /** "running", or "exited <code|signal>" (for failure messages). */
  status(): string;
  /** Sends a signal by pid (Deno's child.kill() loses the exit code). */
  signal(sig: NodeJS.Signals): void;
}

/** One engram implementation. */
export interface EngramImpl {
  readonly impl: Impl;
  readonly label: string;
  /** For the test's `skip` option. */
  readonly skip: string | false;
  start(env: Record<string, string>): Promise<EngramProcess>;
}

const dec = new TextDecoder();

function launch(impl: Impl, cmd: string, args: string[], env: Record<string, string>): EngramProcess {
  const child = spawn(cmd, args, {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/root", NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    cwd: repoRoot,
  });
  let out = "";
  child.stdout.on("data", (d: Uint8Array) => (out += dec.decode(d)));
  child.stderr.on("data", (d: Uint8Array) => (out += dec.decode(d)));
  let done = false;
  let how = "running";
  const exited = new Promise<number | null>((res) => {
    child.on("error", (err) => {
      out += String(err);
      done = true;
      how = `failed to start: ${String(err)}`;
      res(null);
    });
    child.on("close", (code, sig) => {
      done = true;
      how = `exited ${code ?? sig}`;
      res(code);
    });
  });
  const signal = (sig: NodeJS.Signals): void => {
    if (done || child.pid === undefined) return;
    try {
      process.kill(child.pid, sig);
    } catch {
      // already gone
    }
  };
  // Never outlive a test: a hard cap on every engram process.
  const cap = setTimeout(() => signal("SIGKILL"), 90_000);
  void exited.then(() => clearTimeout(cap));
  return { impl, exited, output: () => out, status: () => how, signal };
}

/** The Go reference engram and ours. */
export const ENGRAMS: readonly EngramImpl[] = [
  {
    impl: "go",
    label: "Go (bubu-sdk-go v0.1.5)",
    skip: goEngramSkip(),
    async start(env) {
      return launch("go", await goEchoBinary(), [], env);
    },
  },
  {
    impl: "ts",
    label: `TS (${currentRuntime()})`,
    skip: false,
    start(env) {
      const [cmd, args] = commandFor(currentRuntime(), resolve(repoRoot, "test/streaming/fixtures/echo-engram.ts"));
      return Promise.resolve(launch("ts", cmd, args, env));
    },
  },
];
