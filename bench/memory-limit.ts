// A memory cgroup for a benchmark's child process, so it runs under the memory limit a pod has in
// a cluster. The operator gives every engram and impulse pod a 512Mi limit unless the Engram or
// its template asks for another, and the runtimes size their heaps by that limit (Node reads the
// cgroup; Go's collector does not look at it). cgroup v2 when this process may create a child
// group with the memory controller, else v1; undefined when neither can be made (not root, no
// delegation), and the caller says so instead of measuring something else.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";

/** The operator's default memory limit for an engram or impulse pod (bobrapet v0.1.13). */
export const POD_MEMORY_LIMIT_MIB = 512;

export interface MemoryCgroup {
  /** The limit, MiB. */
  readonly limitMiB: number;
  /** `[cmd, args]` that starts `cmd args…` inside the group (a shell joins it, then execs). */
  wrap(cmd: string, args: readonly string[]): [string, string[]];
  /** Removes the group once its last process has gone (a killed child may take a moment). */
  remove(): Promise<void>;
}

/** Creates a memory cgroup limited to `limitMiB`, or undefined when this machine does not allow it. */
export function createMemoryCgroup(limitMiB: number): MemoryCgroup | undefined {
  const name = `bubu-bench-${process.pid}`;
  const bytes = String(limitMiB * 1024 * 1024);
  const candidates: [string, string][] = [];
  const v2 = "/sys/fs/cgroup";
  if (existsSync(join(v2, "cgroup.controllers"))) {
    const enabled = readFileSync(join(v2, "cgroup.subtree_control"), "utf8").split(/\s+/);
    if (enabled.includes("memory")) candidates.push([join(v2, name), "memory.max"]);
  }
  if (existsSync("/sys/fs/cgroup/memory/cgroup.procs"))
    candidates.push([join("/sys/fs/cgroup/memory", name), "memory.limit_in_bytes"]);
  for (const [dir, limitFile] of candidates) {
    try {
      mkdirSync(dir);
    } catch {
      continue;
    }
    try {
      writeFileSync(join(dir, limitFile), bytes);
      if (readFileSync(join(dir, limitFile), "utf8").trim() !== bytes) throw new Error("limit not applied");
    } catch {
      rmdirSync(dir);
      continue;
    }
    const procs = join(dir, "cgroup.procs");
    return {
      limitMiB,
      wrap: (cmd, args) => ["/bin/sh", ["-c", `echo $$ > '${procs}' && exec "$@"`, "sh", cmd, ...args]],
      remove: async () => {
        for (let i = 0; ; i++) {
          try {
            rmdirSync(dir);
            return;
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== "EBUSY" || i >= 50) throw err;
            await new Promise((r) => setTimeout(r, 100));
          }
        }
      },
    };
  }
  return undefined;
}
