// The detected runtime with stdout, stderr (and optionally stdin) captured and signals ignored,
// for running an entry point in-process.
import { detectRuntime } from "../../src/runtime/detect.ts";
import type { Runtime } from "../../src/runtime/types.ts";

export interface CapturedRuntime {
  readonly runtime: Runtime;
  stdout(): string;
  stderr(): string;
}

export function captureRuntime(stdin?: string): CapturedRuntime {
  const out: string[] = [];
  const err: string[] = [];
  const runtime: Runtime = {
    ...detectRuntime(),
    onSignal: () => () => {},
    writeStdout: (t) => void out.push(t),
    writeStderr: (t) => void err.push(t),
    ...(stdin === undefined
      ? {}
      : {
          async *readStdin() {
            yield new TextEncoder().encode(stdin);
          },
        }),
  };
  return { runtime, stdout: () => out.join(""), stderr: () => err.join("") };
}
