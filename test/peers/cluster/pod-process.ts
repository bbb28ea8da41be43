/**
 * Starts a container as a local process in a private mount namespace: a tmpfs on /run (so
 * /var/run/secrets/kubernetes.io/serviceaccount can exist without touching the host), the pod's
 * volumes bind-mounted, then `exec` of the container's command. The host sees none of the mounts.
 * As root (CI) `unshare -m`; otherwise `unshare -r -m` (a user namespace maps us to root).
 *
 * @module
 */
import { spawn } from "node:child_process";
import { closeSync, openSync, statSync } from "node:fs";
import { constants } from "node:os";
import process from "node:process";
import type { Mount } from "./pod-volumes.ts";

export interface ProcessSpec {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly mounts: readonly Mount[];
  readonly stdoutFile: string;
  readonly stderrFile: string;
}

export interface Exit {
  /** The container's exit code: the process's, or 128 + the signal number. */
  readonly exitCode: number;
  readonly signal?: string;
}

export interface RunningProcess {
  readonly pid: number;
  readonly exited: Promise<Exit>;
  /** SIGTERM goes to the main process (as to a container's PID 1); SIGKILL to its whole group. */
  kill(signal: "SIGTERM" | "SIGKILL"): void;
}

/** Single-quoted for sh. */
function q(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The sh script run inside the new mount namespace before the container's command. */
export function namespaceScript(mounts: readonly Mount[], cwd: string): string {
  const lines = ["set -e", "mount -t tmpfs -o mode=0755,size=64m bubu-pod /run"];
  for (const m of mounts) {
    let file = false;
    try {
      file = !statSync(m.source).isDirectory();
    } catch {
      // Missing source: mount fails below with its own message.
    }
    lines.push(file ? `mkdir -p "$(dirname ${q(m.target)})" && touch ${q(m.target)}` : `mkdir -p ${q(m.target)}`);
    lines.push(`mount --bind ${q(m.source)} ${q(m.target)}`);
    if (m.readOnly) lines.push(`mount -o remount,bind,ro ${q(m.target)}`);
  }
  lines.push(`cd ${q(cwd)}`, 'exec "$@"');
  return lines.join("\n");
}

export function startProcess(spec: ProcessSpec): RunningProcess {
  const root = process.getuid?.() === 0;
  const unshare = ["-m", "--propagation", "private"];
  if (!root) unshare.unshift("-r");
  const out = openSync(spec.stdoutFile, "a");
  const err = openSync(spec.stderrFile, "a");
  const child = spawn(
    "/usr/bin/unshare",
    [...unshare, "--", "/bin/sh", "-c", namespaceScript(spec.mounts, spec.cwd), "sh", ...spec.argv],
    { env: { ...spec.env }, stdio: ["ignore", out, err], detached: true },
  );
  closeSync(out);
  closeSync(err);
  const pid = child.pid ?? -1;
  const exited = new Promise<Exit>((resolve) => {
    child.once("error", () => resolve({ exitCode: 128 }));
    child.once("exit", (code, signal) => {
      // Whatever the main process left behind goes with it, as with a container.
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // The group is already empty.
      }
      if (signal) resolve({ exitCode: 128 + (constants.signals[signal] ?? 0), signal });
      else resolve({ exitCode: code ?? 128 });
    });
  });
  return {
    pid,
    exited,
    kill(signal) {
      try {
        if (signal === "SIGKILL") process.kill(-pid, "SIGKILL");
        else process.kill(pid, signal);
      } catch {
        // Already gone.
      }
    },
  };
}
