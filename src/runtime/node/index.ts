/**
 * Node adapter for the BubuStack SDK runtime seam.
 * @module
 */

import type { Runtime } from "../types.ts";
import { nodeProcess } from "./builtins.ts";
import { env, envAll, homeDir } from "./env.ts";
import { nodeFs } from "./fs.ts";
import { createGrpcTransport } from "./grpc-transport.ts";
import { args, cwd, exit, pid, writeStderr, writeStdout } from "./process.ts";
import { serve } from "./serve.ts";
import { onSignal } from "./signals.ts";
import { readStdin } from "./stdin.ts";
import { createTlsFetch } from "./tls-fetch.ts";

export { env, envAll, homeDir } from "./env.ts";
export { nodeFs } from "./fs.ts";
export { createGrpcTransport } from "./grpc-transport.ts";
export { args, cwd, exit, pid, writeStderr, writeStdout } from "./process.ts";
export { serve } from "./serve.ts";
export { onSignal } from "./signals.ts";
export { readStdin } from "./stdin.ts";
export { createTlsFetch } from "./tls-fetch.ts";

/** The {@link Runtime} for Node (>= 22.18). Reads `process` only when called. */
export function createNodeRuntime(): Runtime {
  return {
    name: "node",
    version: nodeProcess().versions.node,
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
    fs: nodeFs,
    createTlsFetch,
    createGrpcTransport,
    readStdin,
    serve,
  };
}
