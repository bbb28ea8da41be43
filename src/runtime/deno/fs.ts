import type { DirEntry, FileInfo, RuntimeFs } from "../types.ts";
import { deno } from "./globals.ts";

// Go's os.ReadFile keeps a byte-order mark; so do we, on every runtime.
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

function isNotFound(err: unknown): boolean {
  return err instanceof deno().errors.NotFound;
}

/**
 * {@link RuntimeFs} on the `Deno.*` file APIs (no `node:fs` polyfill). Deno's errors carry
 * the same `code` as Node's (`ENOENT`, `ENOTEMPTY`, ...), measured on Deno 2.9.6.
 */
export const denoFs: RuntimeFs = {
  readFile(path: string): Promise<Uint8Array> {
    return deno().readFile(path);
  },
  async readTextFile(path: string): Promise<string> {
    return decoder.decode(await deno().readFile(path));
  },
  writeFile(path: string, data: Uint8Array | string): Promise<void> {
    return typeof data === "string" ? deno().writeTextFile(path, data) : deno().writeFile(path, data);
  },
  async appendFile(path: string, data: Uint8Array | string): Promise<void> {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    await deno().writeFile(path, bytes, { append: true });
  },
  async createNew(path: string, data: Uint8Array | string): Promise<boolean> {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    try {
      await deno().writeFile(path, bytes, { createNew: true });
      return true;
    } catch (err) {
      if (err instanceof deno().errors.AlreadyExists) return false;
      throw err;
    }
  },
  rename(from: string, to: string): Promise<void> {
    return deno().rename(from, to);
  },
  mkdir(path: string): Promise<void> {
    return deno().mkdir(path, { recursive: true });
  },
  async remove(path: string, options?: { recursive?: boolean }): Promise<void> {
    try {
      await deno().remove(path, { recursive: options?.recursive === true });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  },
  async lstat(path: string): Promise<FileInfo> {
    const st = await deno().lstat(path);
    return { isFile: st.isFile, isDirectory: st.isDirectory, isSymlink: st.isSymlink, size: st.size };
  },
  realPath(path: string): Promise<string> {
    return deno().realPath(path);
  },
  /** Entries sorted by name (code unit order), so listings match across runtimes. */
  async readDir(path: string): Promise<DirEntry[]> {
    const out: DirEntry[] = [];
    for await (const e of deno().readDir(path)) {
      out.push({ name: e.name, isFile: e.isFile, isDirectory: e.isDirectory, isSymlink: e.isSymlink });
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  },
};
