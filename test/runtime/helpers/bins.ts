// Runtime binaries from the repo's node_modules, so each test runner can spawn all three.
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const REPO: string = fileURLToPath(new URL("../../../", import.meta.url));

/** Command prefix that runs a script file on each runtime (the real Deno binary, not the shim). */
export const RUNTIMES: Record<"node" | "bun" | "deno", string[]> = {
  node: [`${REPO}.cache/node/node_modules/.bin/node`],
  bun: [`${REPO}node_modules/.bin/bun`],
  deno: [`${REPO}.cache/runtimes/deno`, "run", "-A"],
};

export type RuntimeKey = keyof typeof RUNTIMES;
export const RUNTIME_KEYS: RuntimeKey[] = ["node", "bun", "deno"];

/** Absolute path of a fixture script. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
}

export interface Finished {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** Waits for `child` to exit (bounded), collecting its output. Kills it on timeout. */
export function collect(child: ChildProcess, timeoutMs = 20_000): Promise<Finished> {
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr?.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`child timed out after ${timeoutMs} ms; stdout=${stdout} stderr=${stderr}`));
    }, timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Runs a fixture on a runtime to completion. */
export function runFixture(
  rt: RuntimeKey,
  name: string,
  args: string[] = [],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<Finished> {
  const [bin, ...pre] = RUNTIMES[rt];
  const child = spawn(bin!, [...pre, fixture(name), ...args], {
    cwd: options.cwd ?? REPO,
    env: options.env ?? (process.env as Record<string, string>),
    stdio: ["ignore", "pipe", "pipe"],
  });
  return collect(child);
}
