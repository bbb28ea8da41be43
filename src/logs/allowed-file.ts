/**
 * Which files `publishLogFile` may read: only regular files under `BUBU_LOG_ALLOWED_ROOTS` (default
 * `/tmp`, `/var/tmp`, `/var/log`, the OS temp dir and the working directory), symlinks resolved, at
 * most `BUBU_LOG_FILE_MAX_BYTES`.
 * @module
 */
import type { RuntimeFs } from "../runtime/types.ts";
import { goQuote } from "../schema/go-text.ts";
import { messageOf } from "../storage/errors.ts";
import { cleanPath } from "../storage/go-path.ts";
import { LogFileError } from "./errors.ts";

/** Default of `BUBU_LOG_FILE_MAX_BYTES` (5 MiB). */
export const DEFAULT_LOG_FILE_MAX_BYTES: number = 5 * 1024 * 1024;

/** Where and how much `publishLogFile` may read. */
export interface LogFilePolicy {
  readonly fs: Pick<RuntimeFs, "realPath" | "lstat" | "readFile">;
  /** The working directory: relative paths are resolved against it, and it is a default root. */
  readonly cwd: string;
  /** The OS temp dir (`$TMPDIR`, else `/tmp`); a default root. */
  readonly tempDir: string;
  /** `BUBU_LOG_ALLOWED_ROOTS` as parsed (blank entries dropped); `undefined` for the defaults. */
  readonly allowedRoots?: readonly string[] | undefined;
  /** `BUBU_LOG_FILE_MAX_BYTES` (default {@link DEFAULT_LOG_FILE_MAX_BYTES}). */
  readonly maxBytes?: number | undefined;
}

/** `path` against `cwd`, cleaned. */
function absolute(path: string, cwd: string): string {
  return cleanPath(path.startsWith("/") ? path : `${cwd}/${path}`);
}

/** The default roots, in the Go SDK's order. */
export function defaultLogRoots(cwd: string, tempDir: string): string[] {
  const roots = ["/tmp", "/var/tmp", "/var/log", tempDir];
  if (cwd.trim() !== "") roots.push(cwd);
  return roots;
}

/**
 * The roots, each made absolute and symlink-resolved (a root that does not resolve, for example
 * a missing directory, is kept as its absolute path), without duplicates.
 */
export async function resolveLogRoots(policy: LogFilePolicy): Promise<string[]> {
  const candidates =
    policy.allowedRoots !== undefined && policy.allowedRoots.length > 0
      ? policy.allowedRoots
      : defaultLogRoots(policy.cwd, policy.tempDir);
  const roots: string[] = [];
  for (const candidate of candidates) {
    const trimmed = candidate.trim();
    if (trimmed === "") continue;
    const abs = absolute(trimmed, policy.cwd);
    let root = abs;
    try {
      root = cleanPath(await policy.fs.realPath(abs));
    } catch {
      // A root that does not resolve keeps its lexical path.
    }
    if (!roots.includes(root)) roots.push(root);
  }
  return roots;
}

/** `path` is `root` or below it (both absolute and clean). */
export function pathWithinRoot(path: string, root: string): boolean {
  if (path.trim() === "" || root.trim() === "") return false;
  if (path === root) return true;
  return path.startsWith(root.endsWith("/") ? root : `${root}/`);
}

/**
 * The real path of `path` when it lies under an allowed root once every symlink is resolved
 * (a link inside a root that points outside is refused). Errors are {@link LogFileError}s with
 * the Go SDK's messages.
 */
export async function resolveAllowedLogFile(path: string, policy: LogFilePolicy): Promise<string> {
  const trimmed = path.trim();
  if (trimmed === "") throw new LogFileError("PathRequired", "log file path is required");
  let resolved: string;
  try {
    resolved = cleanPath(await policy.fs.realPath(absolute(trimmed, policy.cwd)));
  } catch (err) {
    throw new LogFileError("Unresolvable", `failed to resolve log file path: ${messageOf(err)}`, { cause: err });
  }
  for (const root of await resolveLogRoots(policy)) {
    if (pathWithinRoot(resolved, root)) return resolved;
  }
  throw new LogFileError("OutsideRoots", `log file path ${goQuote(trimmed)} is outside allowed roots`);
}

/**
 * Reads an allowed log file: a regular file of at most `maxBytes`. The size is checked before
 * reading and again on the bytes read (a file that grew in between is refused, not truncated).
 */
export async function readAllowedLogFile(path: string, policy: LogFilePolicy): Promise<Uint8Array> {
  const resolved = await resolveAllowedLogFile(path, policy);
  const max = policy.maxBytes !== undefined && policy.maxBytes > 0 ? policy.maxBytes : DEFAULT_LOG_FILE_MAX_BYTES;
  let size: number;
  try {
    const info = await policy.fs.lstat(resolved);
    if (!info.isFile) throw new LogFileError("NotRegularFile", "log file path must reference a regular file");
    size = info.size;
  } catch (err) {
    if (err instanceof LogFileError) throw err;
    throw new LogFileError("Unreadable", `failed to stat log file: ${messageOf(err)}`, { cause: err });
  }
  if (size > max) throw tooLarge(size, max);
  let data: Uint8Array;
  try {
    data = await policy.fs.readFile(resolved);
  } catch (err) {
    throw new LogFileError("Unreadable", `failed to read log file: ${messageOf(err)}`, { cause: err });
  }
  if (data.length > max) throw tooLarge(data.length, max);
  return data;
}

function tooLarge(size: number, max: number): LogFileError {
  return new LogFileError("TooLarge", `log file exceeds max bytes (${size} > ${max})`);
}
