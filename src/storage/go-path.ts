/**
 * Go's `path/filepath` `Clean` and `Join` on slash paths (Linux): storage keys must normalize
 * exactly as the operator's storage library normalizes them.
 * @module
 */

/** `filepath.Clean`: lexical `.`/`..`/`//` removal; `""` becomes `.`. */
export function cleanPath(path: string): string {
  if (path === "") return ".";
  const rooted = path.startsWith("/");
  const out: string[] = [];
  for (const seg of path.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!rooted) out.push("..");
      continue;
    }
    out.push(seg);
  }
  const body = out.join("/");
  if (rooted) return "/" + body;
  return body === "" ? "." : body;
}

/** `filepath.Join`: joins the non-empty elements with `/` and cleans; `""` when all are empty. */
export function joinPath(...elems: string[]): string {
  const parts = elems.filter((e) => e !== "");
  return parts.length === 0 ? "" : cleanPath(parts.join("/"));
}
