/**
 * The subset of the `Deno` namespace this adapter uses, typed here so the package
 * type-checks without Deno's lib types. Read only inside functions: a Node or Bun
 * process imports this module but never calls it.
 * @module
 */

/** A `Deno.HttpClient`. */
export interface DenoHttpClient {
  close(): void;
}

/** `Deno.DirEntry`. */
export interface DenoDirEntry {
  name: string;
  isFile: boolean;
  isDirectory: boolean;
  isSymlink: boolean;
}

/** The `Deno` global, as far as the SDK uses it. */
export interface DenoApi {
  version: { deno: string };
  args: string[];
  pid: number;
  cwd(): string;
  exit(code?: number): never;
  env: { get(name: string): string | undefined; toObject(): Record<string, string> };
  stdin: { readable: ReadableStream<Uint8Array> };
  stdout: { writeSync(p: Uint8Array): number };
  stderr: { writeSync(p: Uint8Array): number };
  addSignalListener(signal: string, handler: () => void): void;
  removeSignalListener(signal: string, handler: () => void): void;
  createHttpClient(options: { caCerts?: string[]; cert?: string; key?: string }): DenoHttpClient;
  readFile(path: string): Promise<Uint8Array>;
  writeFile(path: string, data: Uint8Array, options?: { createNew?: boolean; append?: boolean }): Promise<void>;
  writeTextFile(path: string, data: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  mkdir(path: string, options: { recursive: boolean }): Promise<void>;
  remove(path: string, options: { recursive: boolean }): Promise<void>;
  lstat(path: string): Promise<{ isFile: boolean; isDirectory: boolean; isSymlink: boolean; size: number }>;
  realPath(path: string): Promise<string>;
  readDir(path: string): AsyncIterable<DenoDirEntry>;
  errors: {
    NotFound: new (...a: never[]) => Error;
    AlreadyExists: new (...a: never[]) => Error;
    WouldBlock: new (...a: never[]) => Error;
    BrokenPipe: new (...a: never[]) => Error;
  };
}

/** The `Deno` global. Call only on Deno. */
export function deno(): DenoApi {
  return (globalThis as unknown as { Deno: DenoApi }).Deno;
}
