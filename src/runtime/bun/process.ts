/**
 * Same as Node. Measured trap (Bun 1.4.5): `process.stdout.write` of 1 MiB to a slow pipe
 * followed by `process.exit` delivered 65,536 bytes, so stdout goes through `fs.writeSync`
 * (which Bun runs as a blocking write; the `EAGAIN` retry covers a non-blocking pipe).
 */
export { args, cwd, exit, pid, writeStderr, writeStdout } from "../node/process.ts";
