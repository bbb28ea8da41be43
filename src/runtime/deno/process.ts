import { deno } from "./globals.ts";

const encoder = new TextEncoder();
// A pipe write of at most PIPE_BUF (4096 on Linux) bytes is all-or-nothing.
const CHUNK = 4096;

/** `Deno.args`: the arguments after the script. */
export function args(): string[] {
  return [...deno().args];
}

/** `Deno.cwd()`. */
export function cwd(): string {
  return deno().cwd();
}

/** `Deno.pid`. */
export function pid(): number {
  return deno().pid;
}

/** `Deno.exit`; output written with {@link writeStdout} is already in the kernel. */
export function exit(code: number): never {
  return deno().exit(code);
}

/**
 * Writes all of `text` to stdout with `Deno.stdout.writeSync` before returning.
 *
 * Measured trap (Deno 2.9.6): on a non-blocking pipe whose reader is slow, a large
 * `writeSync` (and `node:fs` `writeSync`) writes part of the buffer and then throws
 * `WouldBlock` without reporting the bytes written, so a retry duplicates output (we saw
 * 10 MB arrive for 1 MiB written). Writes of at most 4096 bytes are atomic on a pipe, so
 * we write in 4 KiB chunks and retry a chunk only on `WouldBlock`.
 */
export function writeStdout(text: string): void {
  writeAll(deno().stdout, text);
}

/** Like {@link writeStdout}, for stderr. */
export function writeStderr(text: string): void {
  writeAll(deno().stderr, text);
}

function writeAll(out: { writeSync(p: Uint8Array): number }, text: string): void {
  const bytes = encoder.encode(text);
  const WouldBlock = deno().errors.WouldBlock;
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += out.writeSync(bytes.subarray(offset, offset + CHUNK));
    } catch (err) {
      // A closed pipe: the text cannot arrive; the run's exit code must stand (see the Node adapter).
      if (err instanceof deno().errors.BrokenPipe) return;
      if (!(err instanceof WouldBlock)) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}
