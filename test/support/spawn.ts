// Runs a TypeScript entry point under the runtime that runs the tests (bun test → bun,
// deno test → deno, node --test → node), so the three runs together cover all three runtimes.
import { spawn } from "node:child_process";
import { dirname, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

export const repoRoot: string = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export type RuntimeName = "bun" | "deno" | "node";

/** The runtime executing this test file. */
export function currentRuntime(): RuntimeName {
  const g = globalThis as { Bun?: unknown; Deno?: unknown };
  if (g.Bun !== undefined) return "bun";
  if (g.Deno !== undefined) return "deno";
  return "node";
}

/** The command that runs `script` on `rt` (the real Deno binary: the npm shim drops signals). */
export function commandFor(rt: RuntimeName, script: string, args: readonly string[] = []): [string, string[]] {
  switch (rt) {
    case "bun":
      return [resolve(repoRoot, "node_modules/.bin/bun"), ["run", script, ...args]];
    case "deno":
      return [resolve(repoRoot, ".cache/runtimes/deno"), ["run", "-A", script, ...args]];
    case "node":
      return [resolve(repoRoot, ".cache/node/node_modules/.bin/node"), [script, ...args]];
  }
}

export interface RunResult {
  readonly code: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

export interface RunOptions {
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly runtime?: RuntimeName;
  /** Called with the child once it printed `marker` on stderr or stdout. */
  readonly onOutput?: (text: string, child: { kill(signal: NodeJS.Signals): void }) => void;
  readonly timeoutMs?: number;
  /** Written to the child's stdin, which is then closed; without it stdin is ignored. */
  readonly stdin?: string;
}

/** A clean environment: PATH and HOME only, plus `env`; never the parent's BUBU_* or cluster vars. */
export function runScript(script: string, options: RunOptions = {}): Promise<RunResult> {
  const [cmd, args] = commandFor(options.runtime ?? currentRuntime(), resolve(repoRoot, script), options.args);
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.HOME ?? "/root",
    NO_COLOR: "1",
    ...options.env,
  };
  return new Promise((resolvePromise, reject) => {
    const t0 = Date.now();
    const spawned =
      options.stdin === undefined
        ? spawn(cmd, args, { env, stdio: ["ignore", "pipe", "pipe"], cwd: repoRoot })
        : spawn(cmd, args, { env, stdio: ["pipe", "pipe", "pipe"], cwd: repoRoot });
    if (options.stdin !== undefined) spawned.stdin?.end(options.stdin);
    // Signal by pid: Deno's node:child_process reports `code: null` for a child killed through
    // `child.kill()` even when it exited with its own code (measured with Deno 2.9.6).
    const child = Object.assign(spawned, {
      kill: (sig: NodeJS.Signals = "SIGTERM"): boolean => {
        if (spawned.pid === undefined || spawned.exitCode !== null) return false;
        process.kill(spawned.pid, sig);
        return true;
      },
    });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.stdout.on("data", (d: Uint8Array) => {
      stdout += new TextDecoder().decode(d);
      options.onOutput?.(stdout + stderr, child);
    });
    child.stderr.on("data", (d: Uint8Array) => {
      stderr += new TextDecoder().decode(d);
      options.onOutput?.(stdout + stderr, child);
    });
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}
