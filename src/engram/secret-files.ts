/**
 * The `file:<path>` secret descriptor: one file, or a directory walk.
 * @module
 */
import type { RuntimeFs } from "../runtime/types.ts";
import { compareCodePoints } from "./secrets.ts";

/** At most this many files per descriptor. */
export const SECRET_MAX_FILES = 256;
/** At most this many bytes per file (1 MiB). */
export const SECRET_MAX_FILE_BYTES: number = 1024 * 1024;
/** At most this many bytes per descriptor (8 MiB). */
export const SECRET_MAX_TOTAL_BYTES: number = 8 * 1024 * 1024;

/** A `file:` or `env:` failure whose message is known to hold no value and no path. */
export class SecretSourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SecretSourceError";
  }
}

/** `invalid secret descriptor: <reason>`. */
export class InvalidSecretDescriptorError extends SecretSourceError {
  constructor(reason: string) {
    super(`invalid secret descriptor: ${reason}`);
    this.name = "InvalidSecretDescriptorError";
  }
}

/** A warning sink: a message and attributes that never contain secret values. */
export type SecretWarn = (message: string, attributes: Record<string, unknown>) => void;

/** Options of {@link readFileSecrets}. */
export interface ReadFileSecretsOptions {
  readonly signal?: AbortSignal | undefined;
  readonly warn?: SecretWarn | undefined;
}

interface WalkState {
  readonly fs: RuntimeFs;
  readonly rootReal: string;
  readonly options: ReadFileSecretsOptions;
  readonly values: Map<string, string>;
  files: number;
  totalBytes: number;
}

const decoder = new TextDecoder();

/**
 * Reads the secrets of one `file:` descriptor whose path (already without `file:`) is `path`.
 *
 * - The path itself must not be a symlink; it must be a regular file (key = its base name) or a
 *   directory (keys = slash-separated relative paths).
 * - Kubernetes secret volumes: a volume holds
 *   `key -> ..data/key` symlinks, `..data -> ..<timestamp>` and the real files under
 *   `..<timestamp>/`. The Go SDK skips every symlink and so reports keys like `..2026_…/key`
 *   (fixed here; docs/go-differences.md). We skip
 *   entries whose name starts with `..` (Kubernetes forbids such keys, so they are always the
 *   volume's internals) and follow symlinks whose real target stays inside the mount, keeping
 *   the visible name as the key. Symlinks that leave the mount, dangling ones and non-regular
 *   files are skipped with a warning. Directory cycles are cut.
 * - Values lose trailing `\n`; limits: {@link SECRET_MAX_FILES} files, {@link SECRET_MAX_FILE_BYTES}
 *   each, {@link SECRET_MAX_TOTAL_BYTES} in total. Within one descriptor the first value wins.
 * - Values are decoded as UTF-8 (invalid bytes become U+FFFD; the Go SDK keeps raw bytes).
 *
 * Errors carry an operation and a reason (`open: permission denied`), never the path or content.
 * When `signal` aborts, its reason is thrown.
 */
export async function readFileSecrets(
  path: string,
  fs: RuntimeFs,
  options: ReadFileSecretsOptions = {},
): Promise<Map<string, string>> {
  const rootPath = path.trim();
  if (rootPath === "") throw new InvalidSecretDescriptorError("file secret path must not be empty");
  const rootInfo = await fsCall("lstat", () => fs.lstat(rootPath));
  if (rootInfo.isSymlink) throw new InvalidSecretDescriptorError("file secret path must not be a symlink");
  if (!rootInfo.isFile && !rootInfo.isDirectory) {
    throw new InvalidSecretDescriptorError("file secret path must reference a regular file or directory");
  }
  const state: WalkState = {
    fs,
    rootReal: rootInfo.isDirectory ? await fsCall("realpath", () => fs.realPath(rootPath)) : "",
    options,
    values: new Map(),
    files: 0,
    totalBytes: 0,
  };
  if (rootInfo.isFile) {
    await readOne(state, rootPath, baseName(rootPath), rootInfo.size);
  } else {
    await walk(state, rootPath, "", new Set([state.rootReal]));
  }
  return state.values;
}

async function walk(state: WalkState, dir: string, prefix: string, ancestors: Set<string>): Promise<void> {
  const entries = await fsCall("open", () => state.fs.readDir(dir));
  entries.sort((a, b) => compareCodePoints(a.name, b.name));
  for (const entry of entries) {
    throwIfAborted(state.options.signal);
    if (entry.name.startsWith("..")) continue; // the volume's AtomicWriter internals
    const full = joinPath(dir, entry.name);
    const key = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    let isFile = entry.isFile;
    let isDirectory = entry.isDirectory;
    let isSymlink = entry.isSymlink;
    if (!isFile && !isDirectory && !isSymlink) {
      // Some listings cannot tell the type; ask.
      const info = await fsCall("lstat", () => state.fs.lstat(full));
      ({ isFile, isDirectory, isSymlink } = info);
    }
    let target = full;
    if (isSymlink) {
      const real = await resolveInside(state, full, key);
      if (real === undefined) continue;
      const info = await fsCall("lstat", () => state.fs.lstat(real));
      target = real;
      isFile = info.isFile;
      isDirectory = info.isDirectory;
    }
    if (isDirectory) {
      const real = isSymlink ? target : await fsCall("realpath", () => state.fs.realPath(full));
      if (ancestors.has(real)) {
        state.options.warn?.("skipping secret directory cycle", { key });
        continue;
      }
      await walk(state, target, key, new Set([...ancestors, real]));
      continue;
    }
    if (!isFile) {
      state.options.warn?.("skipping non-regular secret file", { key });
      continue;
    }
    const info = await fsCall("lstat", () => state.fs.lstat(target));
    await readOne(state, target, key, info.size);
  }
}

async function resolveInside(state: WalkState, full: string, key: string): Promise<string | undefined> {
  let real: string;
  try {
    real = await state.fs.realPath(full);
  } catch {
    state.options.warn?.("skipping dangling secret symlink", { key });
    return undefined;
  }
  const root = state.rootReal.endsWith("/") ? state.rootReal : `${state.rootReal}/`;
  if (real !== state.rootReal && !real.startsWith(root)) {
    state.options.warn?.("skipping secret symlink that leaves the mount", { key });
    return undefined;
  }
  return real;
}

async function readOne(state: WalkState, path: string, key: string, size: number): Promise<void> {
  throwIfAborted(state.options.signal);
  if (state.files >= SECRET_MAX_FILES) {
    throw new InvalidSecretDescriptorError(`secret file count exceeds max ${SECRET_MAX_FILES}`);
  }
  if (size > SECRET_MAX_FILE_BYTES) {
    throw new InvalidSecretDescriptorError(`secret file ${key} exceeds max size ${SECRET_MAX_FILE_BYTES}`);
  }
  const content = await fsCall("open", () => state.fs.readFile(path));
  // The file may have grown between lstat and read.
  if (content.byteLength > SECRET_MAX_FILE_BYTES) {
    throw new InvalidSecretDescriptorError(`secret file ${key} exceeds max size ${SECRET_MAX_FILE_BYTES}`);
  }
  if (state.totalBytes + content.byteLength > SECRET_MAX_TOTAL_BYTES) {
    throw new InvalidSecretDescriptorError(`secret file expansion exceeds max total size ${SECRET_MAX_TOTAL_BYTES}`);
  }
  state.files++;
  state.totalBytes += content.byteLength;
  const trimmedKey = key.trim();
  if (trimmedKey === "") {
    state.options.warn?.("skipping secret with empty key", { source: "file" });
    return;
  }
  if (state.values.has(trimmedKey)) {
    state.options.warn?.("secret key collision; keeping existing value", { key: trimmedKey, source: "file" });
    return;
  }
  state.values.set(trimmedKey, decoder.decode(content).replace(/\n+$/, ""));
}

/** The last element of a slash path (`/` for the root, `.` for `""`). */
function baseName(path: string): string {
  const trimmed = path.replace(/\/+$/, "");
  if (trimmed === "") return path === "" ? "." : "/";
  return trimmed.slice(trimmed.lastIndexOf("/") + 1);
}

function joinPath(dir: string, name: string): string {
  return dir.endsWith("/") ? `${dir}${name}` : `${dir}/${name}`;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortReason(signal);
}

/** The reason an aborted signal carries, as an Error. */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error("secret expansion aborted");
}

// errno codes → the Go SDK's error texts (Go's syscall wording), which carry no path.
const errnoText: ReadonlyMap<string, string> = new Map([
  ["ENOENT", "no such file or directory"],
  ["EACCES", "permission denied"],
  ["EPERM", "operation not permitted"],
  ["EISDIR", "is a directory"],
  ["ENOTDIR", "not a directory"],
  ["ELOOP", "too many levels of symbolic links"],
  ["EMFILE", "too many open files"],
  ["ENFILE", "too many open files in system"],
  ["EIO", "input/output error"],
  ["ENAMETOOLONG", "file name too long"],
  ["EINVAL", "invalid argument"],
]);

// Deno error class names, for adapters that surface them without an errno code.
const denoNameText: ReadonlyMap<string, string> = new Map([
  ["NotFound", "no such file or directory"],
  ["PermissionDenied", "permission denied"],
  ["IsADirectory", "is a directory"],
  ["NotADirectory", "not a directory"],
  ["FilesystemLoop", "too many levels of symbolic links"],
]);

/** `op: reason` for a file-system failure (no path). */
export function describeFsError(op: string, err: unknown): string {
  const code = typeof (err as { code?: unknown })?.code === "string" ? (err as { code: string }).code : "";
  const name = err instanceof Error ? err.name : "";
  // Only an errno-shaped code is echoed; anything else could be arbitrary text.
  const fallback = /^E[A-Z0-9]{1,15}$/.test(code) ? code : "unknown error";
  const text = errnoText.get(code) ?? denoNameText.get(name) ?? fallback;
  return `${op}: ${text}`;
}

async function fsCall<T>(op: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw new SecretSourceError(describeFsError(op, err));
  }
}
