/**
 * Deno adapter for the BubuStack SDK runtime seam.
 * @module
 */
import type { Runtime } from "../types.ts";
import { env, envAll, homeDir } from "./env.ts";
import { denoFs } from "./fs.ts";
import { deno } from "./globals.ts";
import { createGrpcTransport } from "./grpc-transport.ts";
import { args, cwd, exit, pid, writeStderr, writeStdout } from "./process.ts";
import { serve } from "./serve.ts";
import { onSignal } from "./signals.ts";
import { readStdin } from "./stdin.ts";
import { createTlsFetch } from "./tls-fetch.ts";

export { env, envAll, homeDir } from "./env.ts";
export { denoFs } from "./fs.ts";
export { createGrpcTransport } from "./grpc-transport.ts";
export { args, cwd, exit, pid, writeStderr, writeStdout } from "./process.ts";
export { serve } from "./serve.ts";
export { onSignal } from "./signals.ts";
export { readStdin } from "./stdin.ts";
export { createTlsFetch } from "./tls-fetch.ts";

/** The {@link Runtime} for Deno 2. Reads `Deno` only when called. */
export function createDenoRuntime(): Runtime {
  return {
    name: "deno",
    version: deno().version.deno,
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
    fs: denoFs,
    createTlsFetch,
    createGrpcTransport,
    readStdin,
    serve,
  };
}
