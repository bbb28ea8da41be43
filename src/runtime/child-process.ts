/**
 * Starting a child process and stopping it, the same way under Bun, Deno and Node
 * (`node:child_process`, which all three implement). The child gets a process group of its
 * own, so a wrapper (`sh -c`, an npm shim) and what it starts are signalled together, and a
 * Ctrl-C in the terminal reaches only the parent, which decides how to stop its children.
 * @module
 */
import { spawn } from "node:child_process";
import process from "node:process";

/** How a child ended. */
export interface ChildExit {
  /** The exit code; for a death by signal, 128 + the signal number (as a container reports it). */
  readonly code: number;
  /** The signal that killed it, if one did. */
  readonly signal?: string;
  /** Set when the process could not be started (no such command, not executable). */
  readonly spawnError?: string;
}

/** Settings of {@link spawnChild}. */
export interface SpawnChildOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  /** The complete environment of the child (nothing is inherited). */
  readonly env: Readonly<Record<string, string>>;
  readonly onStdout?: (chunk: Uint8Array) => void;
  readonly onStderr?: (chunk: Uint8Array) => void;
}

/** A running child. */
export interface ChildHandle {
  readonly pid: number | undefined;
  /** Settles once the child has exited (never rejects). */
  readonly exited: Promise<ChildExit>;
  /** Sends `signal` to the child's process group; false when it already exited. */
  kill(signal: "SIGTERM" | "SIGKILL" | "SIGINT"): boolean;
}

const SIGNALS: Readonly<Record<string, number>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGKILL: 9,
  SIGTERM: 15,
  SIGABRT: 6,
  SIGSEGV: 11,
  SIGPIPE: 13,
};

/** Starts `command` with `args`; stdin is closed, stdout and stderr go to the callbacks. */
export function spawnChild(options: SpawnChildOptions): ChildHandle {
  let done = false;
  let resolveExit!: (e: ChildExit) => void;
  const exited = new Promise<ChildExit>((r) => (resolveExit = r));
  const finish = (e: ChildExit): void => {
    if (done) return;
    done = true;
    resolveExit(e);
  };
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(options.command, [...options.args], {
      cwd: options.cwd,
      env: { ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
  } catch (err) {
    finish({ code: 127, spawnError: (err as Error).message });
    return { pid: undefined, exited, kill: () => false };
  }
  child.stdout?.on("data", (d: Uint8Array) => options.onStdout?.(d));
  child.stderr?.on("data", (d: Uint8Array) => options.onStderr?.(d));
  child.on("error", (err: Error & { code?: string }) => {
    // ENOENT/EACCES: the command cannot run (a container would exit 127/126).
    finish({ code: err.code === "EACCES" ? 126 : 127, spawnError: err.message });
  });
  child.on("close", (code: number | null, signal: string | null) => {
    if (signal) finish({ code: 128 + (SIGNALS[signal] ?? 0), signal });
    else finish({ code: code ?? 1 });
  });
  return {
    pid: child.pid,
    exited,
    kill(signal) {
      if (done || child.pid === undefined) return false;
      try {
        // The whole group (the child leads it); by pid, because a runtime may misreport a
        // child stopped through `child.kill()`.
        process.kill(-child.pid, signal);
      } catch {
        try {
          process.kill(child.pid, signal);
        } catch {
          return false;
        }
      }
      return true;
    },
  };
}

/** Whether the parent's stdout / stderr is a terminal, and its width. */
export function terminalInfo(): { stdoutIsTTY: boolean; stderrIsTTY: boolean; columns: number } {
  return {
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    columns: process.stderr.columns || process.stdout.columns || 80,
  };
}
