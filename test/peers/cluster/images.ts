/**
 * The process kubelet's image map: which local command a container image stands for. Read from
 * `<state>/images.d/*.json` at every pod start (files in name order, later entries win), so tests
 * can add images while the peer runs. An entry is an argv array or
 * `{ "command": [...], "args": [...], "env": {...}, "cwd": "..." }`; `{repo}` in any string is the
 * repository root. Like an image, `command` is the entrypoint and `args` the default arguments; a
 * container's own `command`/`args` replace them.
 *
 * @module
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface ImageEntry {
  readonly command: readonly string[];
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

type RawEntry = string[] | { command?: string[]; args?: string[]; env?: Record<string, string>; cwd?: string };

function subst(s: string, repo: string): string {
  return s.replaceAll("{repo}", repo);
}

function normalizeEntry(raw: RawEntry, repo: string, where: string): ImageEntry {
  const r = Array.isArray(raw) ? { command: raw } : raw;
  const strings = (a: unknown, what: string): string[] => {
    if (a === undefined) return [];
    if (!Array.isArray(a) || !a.every((x) => typeof x === "string"))
      throw new Error(`${where}: ${what} must be an array of strings`);
    return a.map((x) => subst(x, repo));
  };
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.env ?? {})) {
    if (typeof v !== "string") throw new Error(`${where}: env.${k} must be a string`);
    env[k] = subst(v, repo);
  }
  return {
    command: strings(r.command, "command"),
    args: strings(r.args, "args"),
    env,
    cwd: r.cwd === undefined ? undefined : subst(r.cwd, repo),
  };
}

/** All entries of the folder; a malformed file throws (the pod then waits with that message). */
export function loadImages(dir: string, repo: string): Map<string, ImageEntry> {
  const out = new Map<string, ImageEntry>();
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .sort();
  } catch {
    return out;
  }
  for (const f of files) {
    const where = join(dir, f);
    const parsed = JSON.parse(readFileSync(where, "utf8")) as Record<string, RawEntry>;
    for (const [image, raw] of Object.entries(parsed)) out.set(image, normalizeEntry(raw, repo, `${where} ${image}`));
  }
  return out;
}

/** The entry for `image`; `name` and `name:latest` are the same image. */
export function findImage(images: ReadonlyMap<string, ImageEntry>, image: string): ImageEntry | undefined {
  const hit = images.get(image);
  if (hit) return hit;
  if (image.endsWith(":latest")) return images.get(image.slice(0, -":latest".length));
  if (!/:[^/]+$/.test(image)) return images.get(`${image}:latest`);
  return undefined;
}
