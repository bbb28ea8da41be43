import type { DirEntry, FileInfo, RuntimeFs } from "../types.ts";
import { nodeFsPromises as fsp } from "./builtins.ts";

// Go's os.ReadFile keeps a byte-order mark; so do we, on every runtime.
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

function code(err: unknown): unknown {
  return (err as { code?: unknown } | null)?.code;
}

/**
 * {@link RuntimeFs} on `node:fs/promises`. Errors are Node's, with `code` (`ENOENT`, ...).
 * Bun uses this module unchanged (Bun implements `node:fs` natively).
 */
export const nodeFs: RuntimeFs = {
  async readFile(path: string): Promise<Uint8Array> {
    const buf = await fsp().readFile(path);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  },
  async readTextFile(path: string): Promise<string> {
    return decoder.decode(await fsp().readFile(path));
  },
  async writeFile(path: string, data: Uint8Array | string): Promise<void> {
    await fsp().writeFile(path, data);
  },
  async appendFile(path: string, data: Uint8Array | string): Promise<void> {
    await fsp().appendFile(path, data);
  },
  async createNew(path: string, data: Uint8Array | string): Promise<boolean> {
    try {
      await fsp().writeFile(path, data, { flag: "wx" });
      return true;
    } catch (err) {
      if (code(err) === "EEXIST") return false;
      throw err;
    }
  },
  async rename(from: string, to: string): Promise<void> {
    await fsp().rename(from, to);
  },
  async mkdir(path: string): Promise<void> {
    await fsp().mkdir(path, { recursive: true });
  },
  async remove(path: string, options?: { recursive?: boolean }): Promise<void> {
    if (options?.recursive) {
      await fsp().rm(path, { recursive: true, force: true });
      return;
    }
    try {
      await fsp().unlink(path);
    } catch (err) {
      const c = code(err);
      if (c === "ENOENT") return;
      // unlink of a directory: EISDIR on Linux, EPERM on macOS.
      if (c !== "EISDIR" && c !== "EPERM") throw err;
      await fsp().rmdir(path);
    }
  },
  async lstat(path: string): Promise<FileInfo> {
    const st = await fsp().lstat(path);
    return {
      isFile: st.isFile(),
      isDirectory: st.isDirectory(),
      isSymlink: st.isSymbolicLink(),
      size: st.size,
    };
  },
  realPath(path: string): Promise<string> {
    return fsp().realpath(path);
  },
  /** Entries sorted by name (code unit order), so listings match across runtimes. */
  async readDir(path: string): Promise<DirEntry[]> {
    const dirents = await fsp().readdir(path, { withFileTypes: true });
    return dirents
      .map((d) => ({
        name: d.name,
        isFile: d.isFile(),
        isDirectory: d.isDirectory(),
        isSymlink: d.isSymbolicLink(),
      }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  },
};
