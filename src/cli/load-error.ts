/**
 * What `bubu run` and `bubu template` say when a component file cannot be loaded: where, on
 * every runtime. Node puts a syntax error's file, line and caret in the stack only, Bun reports
 * a list of build messages with their positions, and Deno writes a code frame into the message;
 * a module that throws while loading has its place in the stack's first frames.
 * @module
 */
import { fileURLToPath, pathToFileURL } from "node:url";

/** A component file that failed to load (exit 1); the message says where. */
export class ModuleLoadError extends Error {
  override readonly name: string = "ModuleLoadError";
}

interface Position {
  readonly file?: unknown;
  readonly line?: unknown;
  readonly column?: unknown;
  readonly lineText?: unknown;
}

/** Frames of a throw at load shown without `debug`, at most. */
const MAX_FRAMES = 8;

/**
 * The text of a failed `import(path)`: `cannot load <file>: …` with file:line:column, the source
 * line where the runtime gives it, and for a throw at load the stack's frames down to the user's
 * file (all of it with `debug`).
 */
export function describeLoadError(err: unknown, file: string, path: string, debug: boolean): string {
  const head = `cannot load ${file}`;
  if (typeof err !== "object" || err === null) return `${head}: ${String(err)}`;
  const e = err as { name?: unknown; message?: unknown; stack?: unknown; errors?: unknown };
  const message = typeof e.message === "string" ? e.message : String(err);
  const stack = typeof e.stack === "string" ? e.stack : "";

  // Bun: a build failure is a list of messages, each with its position.
  if (Array.isArray(e.errors) && e.errors.some((m) => positionOf(m) !== undefined)) {
    const lines = e.errors.map((m) => {
      const text = typeof (m as { message?: unknown })?.message === "string" ? (m as { message: string }).message : "";
      const p = positionOf(m);
      if (p === undefined) return `  ${text || String(m)}`;
      return `  ${String(p.file)}:${String(p.line)}:${String(p.column)}: ${text}${frame(p.lineText, p.column)}`;
    });
    return `${head}:\n${lines.join("\n")}`;
  }

  // Node: a syntax error's stack starts with `<file URL>:<line>`, the source line and a caret.
  const syntax = /^((?:file:\/\/)?\/[^\n]*?):(\d+)\n([^\n]*)\n( *)\^/.exec(stack);
  if (syntax !== null) {
    const [, where, line, source, pad] = syntax as unknown as [string, string, string, string, string];
    const name = typeof e.name === "string" && e.name !== "" ? e.name : "Error";
    const column = pad.length + 1;
    return `${head}:\n  ${displayPath(where)}:${line}:${column}: ${name}: ${message}${frame(source, column)}`;
  }

  const places = [path, pathToFileURL(path).href];
  // Deno: the message holds the code frame and the place.
  if (places.some((p) => message.includes(p))) return `${head}: ${message}`;

  const frames = stack.split("\n").filter((l) => /^\s+at /.test(l));
  if (debug) return `${head}: ${stack || message}`;
  const first = frames.findIndex((l) => places.some((p) => l.includes(p)));
  if (first < 0) return `${head}: ${errorLine(e, message)}`;
  let end = first + 1;
  while (end < frames.length && places.some((p) => frames[end]!.includes(p))) end++;
  const shown = frames.slice(0, Math.min(end, MAX_FRAMES)).map((l) => `    ${l.trim()}`);
  return `${head}: ${errorLine(e, message)}\n${shown.join("\n")}\n  (BUBU_DEBUG=1 shows the whole stack)`;
}

function errorLine(e: { name?: unknown }, message: string): string {
  const name = typeof e.name === "string" && e.name !== "" ? e.name : "Error";
  return `${name}: ${message}`;
}

function positionOf(m: unknown): Position | undefined {
  const p = (m as { position?: unknown } | null)?.position;
  if (typeof p !== "object" || p === null) return undefined;
  const pos = p as Position;
  return pos.file !== undefined && pos.line !== undefined ? pos : undefined;
}

/** The source line and a caret under `column` (1-based), indented. */
function frame(lineText: unknown, column: unknown): string {
  if (typeof lineText !== "string" || lineText === "" || typeof column !== "number") return "";
  return `\n    ${lineText}\n    ${" ".repeat(Math.max(0, column - 1))}^`;
}

function displayPath(where: string): string {
  if (!where.startsWith("file:")) return where;
  try {
    return fileURLToPath(where);
  } catch {
    return where;
  }
}
