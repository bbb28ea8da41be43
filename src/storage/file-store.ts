/**
 * The `file` provider: objects are files under `BUBU_STORAGE_PATH`. Writes are atomic (a temp
 * file in the same directory, then rename), and no key reaches outside the root: absolute keys,
 * `..` segments and symlinks that resolve outside are rejected on every operation.
 *
 * Any file below the root can be named by a key, so the root should be a directory that holds
 * only stored objects: with `BUBU_STORAGE_PATH=/`, a ref such as `etc/passwd` is read (a file that
 * is not a stored object then fails hydration, and the error never quotes its content).
 *
 * @remarks The Go SDK's file store confines keys to its base path the same way and accepts `/` as one.
 * @module
 */
import type { RuntimeFs } from "../runtime/types.ts";
import { bytesToStream } from "./bytes.ts";
import { StorageError } from "./errors.ts";
import { cleanPath } from "./go-path.ts";
import type { Store, StoredBody, WriteMetadata } from "./store.ts";

/** Creates the root directory (with its parents) and returns the store. `root` must be absolute. */
export async function createFileStore(fs: RuntimeFs, root: string): Promise<FileStore> {
  if (!root.startsWith("/")) throw new StorageError(`file storage root must be an absolute path (got '${root}')`);
  const clean = cleanPath(root);
  try {
    await fs.mkdir(clean);
    return new FileStore(fs, clean, await fs.realPath(clean));
  } catch (err) {
    throw new StorageError(`failed to initialize file storage: ${(err as Error).message}`, { cause: err });
  }
}

function isNotFound(err: unknown): boolean {
  const e = err as { code?: string; name?: string };
  return e?.code === "ENOENT" || e?.name === "NotFound";
}

/** The `file` {@link Store}. Build it with {@link createFileStore}. */
export class FileStore implements Store {
  readonly provider = "file";
  readonly #fs: RuntimeFs;
  readonly #root: string;
  readonly #realRoot: string;

  constructor(fs: RuntimeFs, root: string, realRoot: string) {
    this.#fs = fs;
    this.#root = root;
    this.#realRoot = realRoot;
  }

  /** The root directory. */
  get root(): string {
    return this.#root;
  }

  /** The file path of `key`; throws for a key that would leave the root lexically. */
  #lexical(key: string): { path: string; segments: string[] } {
    const slashed = key.replaceAll("\\", "/");
    if (key === "" || slashed.startsWith("/"))
      throw new StorageError(`invalid storage key '${key}': must be a relative path`);
    if (slashed.includes("\0")) throw new StorageError(`invalid storage key '${key}': contains NUL`);
    if (slashed.split("/").includes(".."))
      throw new StorageError(`invalid storage key '${key}': path traversal detected`);
    const rel = cleanPath(slashed);
    if (rel === ".") throw new StorageError(`invalid storage key '${key}': names the storage root`);
    return { path: `${this.#root}/${rel}`, segments: rel.split("/") };
  }

  #inside(real: string): boolean {
    return real === this.#realRoot || real.startsWith(this.#realRoot === "/" ? "/" : this.#realRoot + "/");
  }

  /**
   * Checks every existing component of the key's path: a symlink must resolve inside the root.
   * Components that do not exist yet are fine (they will be created under a checked parent).
   */
  async #checkSymlinks(key: string, segments: string[], includeLast: boolean): Promise<void> {
    let path = this.#root;
    const n = includeLast ? segments.length : segments.length - 1;
    for (let i = 0; i < n; i++) {
      path += "/" + segments[i];
      let info;
      try {
        info = await this.#fs.lstat(path);
      } catch (err) {
        if (isNotFound(err)) return;
        throw err;
      }
      if (info.isSymlink) {
        let real: string;
        try {
          real = await this.#fs.realPath(path);
        } catch (err) {
          if (isNotFound(err)) throw new StorageError(`invalid storage key '${key}': dangling symlink`);
          throw err;
        }
        if (!this.#inside(real))
          throw new StorageError(`invalid storage key '${key}': symlink points outside the storage root`);
      }
    }
  }

  async write(key: string, body: Uint8Array, _meta: WriteMetadata, signal: AbortSignal): Promise<void> {
    const { path, segments } = this.#lexical(key);
    signal.throwIfAborted();
    try {
      await this.#checkSymlinks(key, segments, false);
      const dir = path.slice(0, path.lastIndexOf("/"));
      await this.#fs.mkdir(dir);
      // The target itself may be a symlink: rename replaces the link, never what it points to.
      const tmp = `${dir}/.${segments[segments.length - 1]}.tmp-${crypto.randomUUID()}`;
      try {
        await this.#fs.writeFile(tmp, body);
        signal.throwIfAborted();
        await this.#fs.rename(tmp, path);
      } catch (err) {
        await this.#fs.remove(tmp).catch(() => {});
        throw err;
      }
    } catch (err) {
      if (err instanceof StorageError) throw err;
      throw new StorageError(`failed to write file '${key}': ${(err as Error).message}`, { cause: err });
    }
  }

  async read(key: string, signal: AbortSignal): Promise<StoredBody> {
    const { path, segments } = this.#lexical(key);
    signal.throwIfAborted();
    try {
      await this.#checkSymlinks(key, segments, true);
      const bytes = await this.#fs.readFile(path);
      return { stream: bytesToStream(bytes), size: bytes.length };
    } catch (err) {
      if (err instanceof StorageError) throw err;
      const code = isNotFound(err) ? "NotFound" : undefined;
      throw new StorageError(`failed to read file '${key}': ${(err as Error).message}`, { cause: err, code });
    }
  }

  async delete(key: string, signal: AbortSignal): Promise<void> {
    const { path, segments } = this.#lexical(key);
    signal.throwIfAborted();
    try {
      await this.#checkSymlinks(key, segments, false);
      await this.#fs.remove(path);
    } catch (err) {
      if (err instanceof StorageError) throw err;
      throw new StorageError(`failed to delete file '${key}': ${(err as Error).message}`, { cause: err });
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
