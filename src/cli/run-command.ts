/**
 * `bubu run`: runs a component file on this machine with `start()`, whatever its kind.
 * @module
 */
import { readFileSync } from "node:fs";
import process from "node:process";
import { type Outcome, start } from "../start.ts";
import { envPairs, oneOf, type ParsedArgs, UsageError } from "./args.ts";
import { loadComponent } from "./load-component.ts";
import { localStoryHook } from "./story-command.ts";

/** The flags of `bubu run`. */
export const RUN_FLAGS = {
  values: ["export", "mode", "story", "run-story", "engrams"],
  // With --run-story: the engram processes' environment and more manifests.
  repeatable: ["env", "resources"],
  passthrough: ["inputs", "config"],
  // The start script of an impulse made by bubu init names an example Story.
  lastWins: ["story"],
} as const;

/** Runs the component in `args` and returns its outcome (`exit: false` only in tests). */
export async function runCommand(args: ParsedArgs, cwd: string, options: { exit?: boolean } = {}): Promise<Outcome> {
  const [file, ...extra] = args.positionals;
  if (file === undefined) throw new UsageError("bubu run needs a file");
  if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`);
  const { component } = await loadComponent(file, cwd, args.values.export);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;

  const mode =
    args.values.mode === undefined ? undefined : oneOf("mode", args.values.mode, ["batch", "streaming"] as const);
  if (mode !== undefined && component.kind !== "dual")
    throw new UsageError(`--mode is for dual engrams (this is a ${component.kind} engram)`);
  if (mode !== undefined) env.BUBU_EXECUTION_MODE = mode === "streaming" ? "realtime" : "batch";
  if (args.values.story !== undefined) {
    if (component.kind !== "impulse") throw new UsageError("--story is for impulses");
    env.BUBU_TARGET_STORY_NAME = args.values.story;
  }

  const runsBatch =
    component.kind === "batch" || (component.kind === "dual" && mode !== "streaming" && !isStreamingMode(env));
  let rest = [...args.rest];
  if (!runsBatch) {
    // Streaming engrams and impulses read their config from the environment only.
    const flags = takeFlags(rest, ["--config", "--inputs"]);
    rest = flags.rest;
    if (flags.values["--inputs"] !== undefined) {
      throw new UsageError(
        `--inputs is for batch runs; a ${component.kind === "impulse" ? "impulse has none" : "streaming engram reads messages on stdin"}`,
      );
    }
    const config = flags.values["--config"];
    if (config !== undefined) env.BUBU_STEP_CONFIG = jsonOrFile("config", config);
  }
  let runStory: Awaited<ReturnType<typeof localStoryHook>> | undefined;
  if (args.values["run-story"] !== undefined) {
    if (component.kind !== "impulse") throw new UsageError("--run-story is for impulses");
    runStory = await localStoryHook(args.values["run-story"], {
      engramsFile: args.values.engrams,
      ...(args.lists.env !== undefined ? { env: envPairs(args.lists.env) } : {}),
      ...(args.lists.resources !== undefined ? { resourceFiles: args.lists.resources } : {}),
    });
  } else {
    for (const flag of ["engrams", "env", "resources"])
      if (args.values[flag] !== undefined || args.lists[flag] !== undefined)
        throw new UsageError(`--${flag} goes with --run-story`);
  }
  return await start(component, {
    args: rest,
    env,
    ...(runStory ? { runStory } : {}),
    ...(options.exit === false ? { exit: false } : {}),
  });
}

function isStreamingMode(env: Readonly<Record<string, string>>): boolean {
  const mode = (env.BUBU_EXECUTION_MODE ?? "").trim().toLowerCase();
  return !["", "batch", "job", "hybrid"].includes(mode);
}

function takeFlags(
  args: readonly string[],
  names: readonly string[],
): { values: Record<string, string>; rest: string[] } {
  const values: Record<string, string> = {};
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (names.includes(args[i]!) && i + 1 < args.length) values[args[i]!] = args[++i]!;
    else rest.push(args[i]!);
  }
  return { values, rest };
}

/** JSON text as given, or the text of the file it names. */
export function jsonOrFile(flag: string, value: string): string {
  const trimmed = value.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) return value;
  try {
    return readFileSync(value, "utf8");
  } catch (err) {
    throw new UsageError(`--${flag}: cannot read file "${value}" (${(err as { code?: string }).code ?? "error"})`);
  }
}
