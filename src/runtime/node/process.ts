import { nodeFsSync, nodeProcess } from "./builtins.ts";

const encoder = new TextEncoder();

/** Arguments after the script: `process.argv.slice(2)` (also right for `bun build --compile` binaries). */
export function args(): string[] {
  return nodeProcess().argv.slice(2);
}

/** The current working directory. */
export function cwd(): string {
  return nodeProcess().cwd();
}

/** The process id. */
export function pid(): number {
  return nodeProcess().pid;
}

/** Ends the process; output written with {@link writeStdout} is already in the kernel. */
export function exit(code: number): never {
  return nodeProcess().exit(code);
}

/**
 * Writes all of `text` to stdout before returning.
 *
 * Measured trap (Node 22.23, Linux): `process.stdout.write` is not synchronous for a pipe
 * whose reader is slow: writing 1 MiB then calling `process.exit` delivered 65,536 bytes.
 * Node also turns fd 1 non-blocking once `process.stdout` is used (e.g. by `console.log`),
 * so `fs.writeSync` can throw `EAGAIN`; we wait 1 ms and retry. `fs.writeSync` reports
 * partial writes, so no byte is written twice. Output already queued on `process.stdout`
 * by other code may appear after ours.
 */
export function writeStdout(text: string): void {
  writeAll(1, text);
}

/** Like {@link writeStdout}, for stderr. */
export function writeStderr(text: string): void {
  writeAll(2, text);
}

function writeAll(fd: number, text: string): void {
  const bytes = encoder.encode(text);
  const { writeSync } = nodeFsSync();
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(fd, bytes, offset);
    } catch (err) {
      if ((err as { code?: unknown }).code !== "EAGAIN") throw err;
      sleepSync(1);
    }
  }
}

/** Blocks the thread; only used while the pipe is full. */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
