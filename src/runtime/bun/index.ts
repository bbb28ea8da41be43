/**
 * Bun adapter for the BubuStack SDK runtime seam.
 * @module
 */
import { nodeProcess } from "../node/builtins.ts";
import type { Runtime } from "../types.ts";
import { env, envAll, homeDir } from "./env.ts";
import { bunFs } from "./fs.ts";
import { createGrpcTransport } from "./grpc-transport.ts";
import { args, cwd, exit, pid, writeStderr, writeStdout } from "./process.ts";
import { serve } from "./serve.ts";
import { onSignal } from "./signals.ts";
import { readStdin } from "./stdin.ts";
import { createTlsFetch } from "./tls-fetch.ts";

export { env, envAll, homeDir } from "./env.ts";
export { bunFs } from "./fs.ts";
export { createGrpcTransport } from "./grpc-transport.ts";
export { args, cwd, exit, pid, writeStderr, writeStdout } from "./process.ts";
export { serve } from "./serve.ts";
export { onSignal } from "./signals.ts";
export { readStdin } from "./stdin.ts";
export { createTlsFetch } from "./tls-fetch.ts";

/** The {@link Runtime} for Bun. Reads `process` only when called. */
export function createBunRuntime(): Runtime {
  return {
    name: "bun",
    version: nodeProcess().versions.bun ?? "unknown",
    env,
    envAll,
    args,
    cwd,
    homeDir,
    pid,
    writeStdout,
    writeStderr,
    exit,
    onSignal,
    fs: bunFs,
    createTlsFetch,
    createGrpcTransport,
    readStdin,
    serve,
  };
}
