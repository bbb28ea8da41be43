/**
 * POSIX path helpers for kubeconfig references (no `node:path` outside the runtime adapters).
 * @module
 */

/** The directory part of `path` (`.` for a bare name). */
export function dirname(path: string): string {
  const i = path.lastIndexOf("/");
  if (i < 0) return ".";
  if (i === 0) return "/";
  return path.slice(0, i);
}

/** `path` resolved against `base` when relative; absolute paths are returned unchanged. */
export function resolvePath(base: string, path: string): string {
  if (path.startsWith("/")) return path;
  if (base === "" || base === ".") return path;
  return `${base.endsWith("/") ? base.slice(0, -1) : base}/${path}`;
}

/** Expands a leading `~/` with `home` (kubeconfig paths written by hand often use it). */
export function expandHome(path: string, home: string | undefined): string {
  if (home !== undefined && (path === "~" || path.startsWith("~/"))) return home + path.slice(1);
  return path;
}
