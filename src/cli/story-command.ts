#!/usr/bin/env -S bun run
/**
 * `bubu story run`: runs a Story on this machine, each Engram step a local process.
 *
 *   bubu story run <story.yaml> [--inputs JSON|FILE] [--engrams FILE | --engram NAME=CMD …]
 *                  [--resources FILE …] [--story NAME] [--namespace NS] [--name STORYRUN]
 *                  [--storage story|always|never] [--storage-dir DIR] [--work-dir DIR] [--keep]
 *                  [--env KEY=VALUE …] [--approve STEP …] [--reject STEP …] [--grace DURATION]
 *                  [--progress auto|live|plain|off] [--logs] [--output summary|full]
 *
 * `bubu story run` calls {@link storyCommand}; the file also runs on its own
 * (`bun run src/cli/story-command.ts story.yaml …`).
 * @module
 */
import { parseGoDuration } from "../env/duration.ts";
import { parseJsonPayload } from "../json/json-payload.ts";
import { createLogger } from "../observability/logger.ts";
import { terminalInfo } from "../runtime/child-process.ts";
import { detectRuntime } from "../runtime/detect.ts";
import type { Runtime } from "../runtime/types.ts";
import { parseYamlDocuments } from "../schema/yaml-text.ts";
import {
  checkEngramMap,
  type EngramMap,
  EngramMapError,
  parseEngramAssignment,
  resolveAgainst,
} from "../story/engram-commands.ts";
import type { StoryRunEvent } from "../story/events.ts";
import { mergeResources, type ParsedManifests, parseManifests, StoryLoadError } from "../story/load.ts";
import { type ProgressMode, ProgressView } from "../story/progress.ts";
import { exitCodeFor, type StoryRunResult } from "../story/result.ts";
import { runStory, StoryRefusedError } from "../story/run-story.ts";
import type { JsonObject } from "../story/types.ts";
import { StoryValidationError } from "../story/validate.ts";
import { envPairs, UsageError } from "./args.ts";

/** The usage text. */
export const STORY_USAGE = `Usage: bubu story run <story.yaml> [options]

Runs the Story in <story.yaml> on this machine as the operator would, each Engram step a local
process given the environment of a Job pod; prints a StoryRun-like JSON report.

Options:
  --inputs JSON|FILE        StoryRun inputs (JSON text, or a JSON/YAML file)
  --engrams FILE            engram map: Engram or EngramTemplate name -> command (YAML/JSON);
                            default <story dir>/engrams.yaml when it exists
  --engram NAME=CMD         one engram map entry (repeatable), e.g. --engram fetch="bun run ./fetch.ts"
  --resources FILE          more manifests: Engrams, EngramTemplates, sub-Stories (repeatable)
  --story NAME              which Story of the file to run (default: the only/first one)
  --namespace NS            namespace of a Story without one (default "default")
  --name NAME               the StoryRun name
  --storage MODE            story (default: when the Story sets a storage policy), always, never
  --storage-dir DIR         the file store directory (default inside the work directory)
  --work-dir DIR            logs, kubeconfig and storage (default a temporary directory)
  --keep                    keep the work directory (it is also kept when the run fails)
  --env KEY=VALUE           extra environment of every engram process (repeatable)
  --approve STEP            approve a gate step (repeatable); --reject STEP rejects it
  --grace DURATION          SIGTERM -> SIGKILL grace for stopped processes (default 10s)
  --progress MODE           auto (live on a terminal, plain with --logs, else off), live, plain, off
  --logs                    stream every engram's output to stderr
  --output MODE             summary (default) or full (StepRun objects and every attempt's env)
exit: 0 Succeeded, 1 another phase, 2 the Story cannot run (invalid or refused), 130 interrupted
`;

const VALUE_FLAGS = new Set([
  "--inputs",
  "--engrams",
  "--engram",
  "--resources",
  "--story",
  "--namespace",
  "--name",
  "--storage",
  "--storage-dir",
  "--work-dir",
  "--env",
  "--approve",
  "--reject",
  "--grace",
  "--progress",
  "--output",
]);
const BOOL_FLAGS = new Set(["--keep", "--logs", "--help"]);

interface Parsed {
  readonly positional: string[];
  readonly values: Map<string, string[]>;
  readonly flags: Set<string>;
}

function parseArgs(args: readonly string[]): Parsed {
  const positional: string[] = [];
  const values = new Map<string, string[]>();
  const flags = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (BOOL_FLAGS.has(name)) {
      if (eq > 0) throw new UsageError(`${name} takes no value`);
      flags.add(name);
    } else if (VALUE_FLAGS.has(name)) {
      const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
      if (value === undefined) throw new UsageError(`${name} needs a value`);
      values.set(name, [...(values.get(name) ?? []), value]);
    } else throw new UsageError(`unknown option ${name}`);
  }
  return { positional, values, flags };
}

function last(p: Parsed, name: string): string | undefined {
  const v = p.values.get(name);
  return v === undefined ? undefined : v[v.length - 1];
}

function dirOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? (i === 0 ? "/" : ".") : path.slice(0, i);
}

async function exists(rt: Runtime, path: string): Promise<boolean> {
  try {
    await rt.fs.lstat(path);
    return true;
  } catch {
    return false;
  }
}

async function readStructured(rt: Runtime, path: string): Promise<unknown> {
  const text = await rt.fs.readTextFile(path);
  const docs = parseYamlDocuments(text);
  return docs[0] ?? null;
}

async function readInputs(rt: Runtime, raw: string | undefined): Promise<JsonObject> {
  if (raw === undefined) return {};
  const text = raw.trim();
  let value: unknown;
  if (text.startsWith("{")) {
    try {
      value = parseJsonPayload(text);
    } catch (err) {
      // The engrams' wording: a position, the same on every runtime, and none of the text.
      throw new UsageError(`--inputs: ${(err as Error).message}`);
    }
  } else {
    const path = resolveAgainst(rt.cwd(), text);
    if (!(await exists(rt, path)))
      throw new UsageError(`--inputs: no such file ${JSON.stringify(text)} (and not a JSON object)`);
    value = await readStructured(rt, path);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new UsageError("--inputs must be a JSON object");
  return value as JsonObject;
}

async function readEngramMap(rt: Runtime, p: Parsed, storyPath: string): Promise<{ map: EngramMap; baseDir: string }> {
  const entries: Record<string, unknown> = {};
  let baseDir = rt.cwd();
  let file = last(p, "--engrams");
  const inline: string[] = [...(p.values.get("--engram") ?? [])];
  if (file !== undefined && !(await exists(rt, resolveAgainst(rt.cwd(), file))) && file.includes("=")) {
    inline.unshift(file);
    file = undefined;
  }
  if (file === undefined && inline.length === 0) {
    for (const name of ["engrams.yaml", "engrams.yml", "engrams.json"]) {
      const candidate = `${dirOf(storyPath)}/${name}`;
      if (await exists(rt, candidate)) {
        file = candidate;
        break;
      }
    }
  }
  if (file !== undefined) {
    const path = resolveAgainst(rt.cwd(), file);
    if (!(await exists(rt, path))) throw new UsageError(`--engrams: no such file ${JSON.stringify(file)}`);
    Object.assign(entries, checkEngramMap(await readStructured(rt, path), path));
    baseDir = dirOf(path);
  }
  for (const a of inline) {
    const [name, command] = parseEngramAssignment(a);
    entries[name] = command;
  }
  return { map: entries as EngramMap, baseDir };
}

/** The default, compact report: per step its phase, attempts, time, output and error. */
export function summarize(r: StoryRunResult): JsonObject {
  const steps: JsonObject = {};
  for (const [name, s] of Object.entries(r.steps)) {
    const failedAttempt = s.attempts?.findLast((a) => a.exitCode !== 0 || a.statusPhase !== "Succeeded");
    // A StepRun the controller failed without a message (an input that could not be resolved)
    // keeps the reason in its Ready condition; the summary shows it there.
    const ready = ((s.stepRun?.status as JsonObject | undefined)?.conditions as JsonObject[] | undefined)?.find(
      (c) => c.type === "Ready" && c.status === "False",
    );
    const message = s.message || (s.phase === "Failed" && typeof ready?.message === "string" ? ready.message : "");
    steps[name] = {
      phase: s.phase,
      ...(message ? { message } : {}),
      ...(s.attempts ? { attempts: s.attempts.length } : {}),
      ...(s.durationMs !== undefined ? { durationMs: s.durationMs } : {}),
      ...(s.output !== undefined ? { output: s.output } : {}),
      ...(s.error !== undefined ? { error: s.error } : {}),
      ...(s.phase !== "Succeeded" && s.phase !== "Skipped" && failedAttempt ? { log: failedAttempt.logFile } : {}),
      ...(s.subStoryRun ? { subStoryRun: summarize(s.subStoryRun) } : {}),
    };
  }
  return {
    storyRun: r.name,
    story: r.story.name,
    phase: r.phase,
    reason: r.reason,
    message: r.message,
    ...(r.output !== undefined ? { output: r.output } : {}),
    ...(r.error !== undefined ? { error: r.error } : {}),
    duration: r.duration,
    durationMs: r.durationMs,
    steps,
    ...(r.warnings.length > 0 ? { warnings: r.warnings } : {}),
  };
}

/**
 * Runs `bubu story <args>` (`args` starts with `run`, which may be left out) and returns the exit
 * code. Writes the report to stdout and progress, logs and errors to stderr.
 */
export async function storyCommand(args: readonly string[], runtime?: Runtime): Promise<number> {
  const rt = runtime ?? detectRuntime();
  const argv = args[0] === "run" ? args.slice(1) : [...args];
  let p: Parsed;
  try {
    p = parseArgs(argv);
    if (p.flags.has("--help")) {
      rt.writeStdout(STORY_USAGE);
      return 0;
    }
    if (p.positional.length !== 1)
      throw new UsageError(
        p.positional.length === 0
          ? "the Story file is missing"
          : `one Story file expected, got ${p.positional.join(" ")}`,
      );
  } catch (err) {
    rt.writeStderr(`bubu story: ${(err as Error).message}\n${STORY_USAGE}`);
    return 2;
  }
  const cancel = new AbortController();
  const kill = new AbortController();
  const offs: (() => void)[] = [];
  let view: ProgressView | undefined;
  try {
    const storyPath = resolveAgainst(rt.cwd(), p.positional[0]!);
    if (!(await exists(rt, storyPath))) throw new UsageError(`no such file ${JSON.stringify(p.positional[0])}`);
    const sets: ParsedManifests[] = [parseManifests(await rt.fs.readTextFile(storyPath), storyPath)];
    for (const f of p.values.get("--resources") ?? []) {
      const path = resolveAgainst(rt.cwd(), f);
      sets.push(parseManifests(await rt.fs.readTextFile(path), path));
    }
    const resources = mergeResources(sets);
    const wanted = last(p, "--story");
    const story =
      wanted === undefined ? sets[0]!.stories[0] : resources.stories.find((s) => s.metadata.name === wanted);
    if (!story)
      throw new UsageError(
        wanted === undefined ? `${p.positional[0]} defines no Story` : `no Story named ${JSON.stringify(wanted)}`,
      );
    const inputs = await readInputs(rt, last(p, "--inputs"));
    const { map, baseDir } = await readEngramMap(rt, p, storyPath);
    const env = envPairs(p.values.get("--env") ?? []);
    const gateDecisions: Record<string, "approve" | "reject"> = {};
    for (const s of p.values.get("--approve") ?? []) gateDecisions[s] = "approve";
    for (const s of p.values.get("--reject") ?? []) gateDecisions[s] = "reject";
    const storage = last(p, "--storage") ?? "story";
    if (!["story", "always", "never"].includes(storage))
      throw new UsageError(`--storage must be story, always or never`);
    const output = last(p, "--output") ?? "summary";
    if (!["summary", "full"].includes(output)) throw new UsageError(`--output must be summary or full`);
    let graceMs = 10_000;
    const grace = last(p, "--grace");
    if (grace !== undefined) {
      try {
        graceMs = Number(parseGoDuration(grace) / 1_000_000n);
      } catch {
        throw new UsageError(`--grace: invalid duration ${JSON.stringify(grace)} (e.g. 10s)`);
      }
    }
    const term = terminalInfo();
    const logs = p.flags.has("--logs");
    const progressArg = last(p, "--progress") ?? "auto";
    if (!["auto", "live", "plain", "off"].includes(progressArg))
      throw new UsageError(`--progress must be auto, live, plain or off`);
    const mode: ProgressMode =
      progressArg === "auto"
        ? logs
          ? "plain"
          : term.stdoutIsTTY && term.stderrIsTTY
            ? "live"
            : "off"
        : (progressArg as ProgressMode);
    const steps = [...story.spec.steps, ...(story.spec.compensations ?? []), ...(story.spec.finally ?? [])].map(
      (s) => s.name,
    );
    view = new ProgressView({ mode, write: (t) => rt.writeStderr(t), columns: term.columns, steps });
    const onEvent = (e: StoryRunEvent): void => {
      if (e.type === "log") {
        if (logs) rt.writeStderr(`[${e.step}#${e.attempt}] ${e.line}\n`);
        return;
      }
      view!.onEvent(e);
    };
    // The first Ctrl-C (or SIGTERM) stops the run gracefully; a second one kills the processes.
    const onSignal = (): void => {
      if (!cancel.signal.aborted) {
        rt.writeStderr("bubu story: stopping (SIGTERM to the running steps; again to kill them now)\n");
        cancel.abort();
      } else kill.abort();
    };
    offs.push(rt.onSignal("SIGINT", onSignal), rt.onSignal("SIGTERM", onSignal));
    const keepAsked = p.flags.has("--keep") || last(p, "--work-dir") !== undefined;
    const tmp = (rt.env("TMPDIR") ?? "").trim() || "/tmp";
    const workDir = resolveAgainst(
      rt.cwd(),
      last(p, "--work-dir") ?? `${tmp}/bubu-story-${crypto.randomUUID().slice(0, 8)}`,
    );
    const storageDir = last(p, "--storage-dir");
    const namespace = last(p, "--namespace");
    const name = last(p, "--name");
    const result = await runStory({
      story,
      resources,
      inputs,
      engrams: map,
      baseDir,
      storage: storage as "story" | "always" | "never",
      env,
      signal: cancel.signal,
      killSignal: kill.signal,
      onEvent,
      workDir,
      keepWorkDir: true,
      graceMs,
      gateDecisions,
      runtime: rt,
      ...(storageDir !== undefined ? { storageDir: resolveAgainst(rt.cwd(), storageDir) } : {}),
      ...(namespace !== undefined ? { namespace } : {}),
      ...(name !== undefined ? { storyRunName: name } : {}),
    });
    view.stop();
    view = undefined;
    rt.writeStdout(JSON.stringify(output === "full" ? result : summarize(result), null, 2) + "\n");
    const code = exitCodeFor(result);
    // A failed run keeps its logs; one that failed before any step ran has none to keep.
    const ranSteps = Object.values(result.steps).some((s) => (s.attempts?.length ?? 0) > 0);
    if ((code === 0 || !ranSteps) && !keepAsked) await rt.fs.remove(workDir, { recursive: true }).catch(() => {});
    else rt.writeStderr(`bubu story: logs and storage are in ${workDir}\n`);
    return code;
  } catch (err) {
    view?.stop();
    if (err instanceof StoryValidationError) {
      rt.writeStderr(
        `bubu story: the cluster would reject this Story:\n${err.issues.map((i) => `  ${i.field}: ${i.message} (${i.reason})`).join("\n")}\n`,
      );
    } else if (err instanceof StoryRefusedError) {
      rt.writeStderr(`bubu story: Story cannot run locally:\n${err.reasons.map((r) => `  ${r}`).join("\n")}\n`);
    } else if (err instanceof UsageError || err instanceof StoryLoadError || err instanceof EngramMapError) {
      rt.writeStderr(`bubu story: ${err.message}\n`);
    } else {
      rt.writeStderr(`bubu story: ${(err as Error)?.message ?? String(err)}\n`);
      return 1;
    }
    return 2;
  } finally {
    for (const off of offs) off();
  }
}

if (import.meta.main) {
  const rt = detectRuntime();
  rt.exit(await storyCommand(rt.args(), rt));
}

/** Options of {@link localStoryHook}. */
export interface LocalStoryHookOptions {
  /** The `engrams.yaml` (default: beside the Story file). */
  readonly engramsFile?: string | undefined;
  /** Extra environment of every engram process (`--env`), e.g. the engrams' `BUBU_SECRET_*`. */
  readonly env?: Readonly<Record<string, string>>;
  /** More manifests (`--resources`): Engrams, EngramTemplates, sub-Stories. */
  readonly resourceFiles?: readonly string[];
  readonly runtime?: Runtime;
}

/**
 * The `runStory` hook of `bubu run <impulse> --run-story <story.yaml>`: each Story the local
 * impulse triggers runs with the local runner, its Engrams played by the commands in the
 * `engrams.yaml` beside the Story file (or `engramsFile`). Each finished run is one log line on
 * stderr; a run that did not succeed names its message, error and the folder with its logs
 * (kept, as `bubu story run` keeps it).
 */
export async function localStoryHook(storyFile: string, options: LocalStoryHookOptions = {}) {
  const rt = options.runtime ?? detectRuntime();
  const storyPath = resolveAgainst(rt.cwd(), storyFile);
  const parsed = parseManifests(await rt.fs.readTextFile(storyPath), storyPath);
  const stories = Object.fromEntries(parsed.stories.map((s) => [s.metadata.name, storyPath]));
  const flags: Parsed = {
    positional: [],
    flags: new Set(),
    values: new Map(options.engramsFile ? [["--engrams", [options.engramsFile]]] : []),
  };
  const { map, baseDir } = await readEngramMap(rt, flags, storyPath);
  const { storyRunnerHook } = await import("../story/impulse-hook.ts");
  const logger = createLogger({ sink: (line) => rt.writeStderr(line) });
  return storyRunnerHook({
    stories,
    engrams: map,
    baseDir,
    runtime: rt,
    keepWorkDir: true,
    ...(options.env !== undefined ? { env: options.env } : {}),
    ...(options.resourceFiles !== undefined
      ? { resourceFiles: options.resourceFiles.map((f) => resolveAgainst(rt.cwd(), f)) }
      : {}),
    onResult(result) {
      const attrs = { storyRun: result.name, story: result.story.name, phase: result.phase, message: result.message };
      if (result.phase === "Succeeded") {
        logger.info("story finished (local runner)", attrs);
        void rt.fs.remove(result.workDir, { recursive: true }).catch(() => {});
      } else {
        logger.error("story finished (local runner)", {
          ...attrs,
          ...(result.error !== undefined ? { error: result.error } : {}),
          logs: result.workDir,
        });
      }
    },
  });
}
