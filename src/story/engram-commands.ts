/**
 * The engram map: which local command plays which Engram. Keys are Engram names or
 * EngramTemplate names (an Engram name wins); a value is a command line (`bun run
 * ./summarize/engram.ts`, a Go binary, any executable), an argv array, or an object with the
 * command, a working directory and extra environment. Command lines are split like a shell
 * does it (quotes and backslashes) but nothing is expanded and no shell runs.
 * @module
 */

/** One entry of the map as written. */
export type EngramCommandSpec =
  | string
  | readonly string[]
  | {
      readonly command: string | readonly string[];
      /** Working directory (relative to the map's base directory); default the base directory. */
      readonly cwd?: string;
      /** Extra environment of this engram's processes. */
      readonly env?: Readonly<Record<string, string>>;
    };

/** The map: Engram or EngramTemplate name → command. */
export type EngramMap = Readonly<Record<string, EngramCommandSpec>>;

/** A resolved command. */
export interface EngramCommand {
  readonly argv: readonly string[];
  /** Absolute working directory. */
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** The map key that matched. */
  readonly key: string;
}

/** A malformed map entry or command line. */
export class EngramMapError extends Error {
  override readonly name: string = "EngramMapError";
}

/** Splits a command line: whitespace separates words; `'…'`, `"…"` and `\` quote. */
export function splitCommandLine(text: string): string[] {
  const out: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else word += ch;
      continue;
    }
    if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === "\\" && i + 1 < text.length && '"\\$`'.includes(text[i + 1]!)) word += text[++i];
      else word += ch;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === "\\" && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) out.push(word);
      word = "";
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote) throw new EngramMapError(`unterminated ${quote} quote in command line ${JSON.stringify(text)}`);
  if (inWord) out.push(word);
  return out;
}

/** `path` against `base` when relative (POSIX paths). */
export function resolveAgainst(base: string, path: string): string {
  if (path.startsWith("/")) return path;
  const parts = `${base}/${path}`.split("/");
  const out: string[] = [];
  for (const p of parts) {
    if (p === "" || p === ".") continue;
    if (p === "..") out.pop();
    else out.push(p);
  }
  return `/${out.join("/")}`;
}

/**
 * The command for an Engram (by its name, then by its template's name), or undefined when the
 * map has neither. `baseDir` is where relative working directories start.
 */
export function resolveEngramCommand(
  map: EngramMap,
  baseDir: string,
  engramName: string,
  templateName?: string,
): EngramCommand | undefined {
  const key = Object.hasOwn(map, engramName)
    ? engramName
    : templateName !== undefined && Object.hasOwn(map, templateName)
      ? templateName
      : undefined;
  if (key === undefined) return undefined;
  const spec = map[key]!;
  const command =
    typeof spec === "string" || Array.isArray(spec) ? spec : (spec as { command: string | readonly string[] }).command;
  const argv = typeof command === "string" ? splitCommandLine(command) : [...command];
  if (argv.length === 0 || argv.some((a) => typeof a !== "string"))
    throw new EngramMapError(`engram map entry ${JSON.stringify(key)} has no command`);
  const obj =
    typeof spec === "object" && !Array.isArray(spec)
      ? (spec as { cwd?: string; env?: Record<string, string> })
      : undefined;
  return { argv, cwd: resolveAgainst(baseDir, obj?.cwd ?? "."), env: { ...obj?.env }, key };
}

/** Parses `name=command line` (the CLI's `--engram` flag). */
export function parseEngramAssignment(text: string): [string, string] {
  const i = text.indexOf("=");
  if (i <= 0 || i === text.length - 1) throw new EngramMapError(`expected NAME=COMMAND, got ${JSON.stringify(text)}`);
  return [text.slice(0, i).trim(), text.slice(i + 1).trim()];
}

/** Checks a map read from a file: an object of strings, string arrays or `{command}` objects. */
export function checkEngramMap(value: unknown, source: string): EngramMap {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new EngramMapError(`${source}: the engram map must be an object of name → command`);
  for (const [k, v] of Object.entries(value)) {
    const ok =
      typeof v === "string" ||
      (Array.isArray(v) && v.every((a) => typeof a === "string")) ||
      (typeof v === "object" &&
        v !== null &&
        (typeof (v as { command?: unknown }).command === "string" ||
          Array.isArray((v as { command?: unknown }).command)));
    if (!ok)
      throw new EngramMapError(
        `${source}: entry ${JSON.stringify(k)} must be a command line, an argv array or {command, cwd?, env?}`,
      );
  }
  return value as EngramMap;
}
