/**
 * The `bubu` command: dispatches to init, run, template, build and story. Exit codes: 0 done (and
 * `--help`), 1 the command failed, 2 a bad command line (with the usage); `bubu run` exits with
 * the component's own code, `bubu story run` with the run's (130 when interrupted).
 * @module
 */
import process from "node:process";
import { parseDebugFlag } from "../env/flags.ts";
import { detectRuntime } from "../runtime/detect.ts";
import { parseArgs, UsageError } from "./args.ts";
import { BUILD_FLAGS, buildCommand } from "./build-command.ts";
import { INIT_FLAGS, initCommand } from "./init-command.ts";
import { loadComponent } from "./load-component.ts";
import { projectInfo } from "./project-info.ts";
import { RUN_FLAGS, runCommand } from "./run-command.ts";
import { storyCommand } from "./story-command.ts";
import { dnsName, templateYamlFor } from "./template-command.ts";
import { BUILD_USAGE, INIT_USAGE, MAIN_USAGE, RUN_USAGE, STORY_COMMANDS_USAGE, TEMPLATE_USAGE } from "./usage.ts";
import { SDK_VERSION } from "./version.ts";

/** Where the command writes; the process's streams by default. */
export interface CliIo {
  readonly cwd: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const TEMPLATE_FLAGS = { values: ["name", "version", "image", "description", "export"] } as const;

/** Runs `bubu` with `argv` (without the program name) and returns the exit code. */
export async function main(argv: readonly string[], io: CliIo = defaultIo()): Promise<number> {
  const [command, ...args] = argv;
  let usage = MAIN_USAGE;
  try {
    switch (command) {
      case undefined:
        io.stderr(MAIN_USAGE);
        return 2;
      case "--help":
      case "-h":
      case "help":
        io.stdout(MAIN_USAGE);
        return 0;
      case "--version":
        io.stdout(`${SDK_VERSION}\n`);
        return 0;
      case "init": {
        usage = INIT_USAGE;
        const parsed = parseArgs(args, INIT_FLAGS);
        if (parsed.help) return help(io, usage);
        const result = initCommand(parsed, io.cwd);
        io.stdout(result.summary);
        return 0;
      }
      case "run": {
        usage = RUN_USAGE;
        const parsed = parseArgs(args, RUN_FLAGS);
        if (parsed.help) return help(io, usage);
        const outcome = await runCommand(parsed, io.cwd);
        return outcome.exitCode;
      }
      case "template": {
        usage = TEMPLATE_USAGE;
        const parsed = parseArgs(args, TEMPLATE_FLAGS);
        if (parsed.help) return help(io, usage);
        const [file, ...extra] = parsed.positionals;
        if (file === undefined) throw new UsageError("bubu template needs a file");
        if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`);
        const { component, path } = await loadComponent(file, io.cwd, parsed.values.export);
        const project = projectInfo(path);
        const name = parsed.values.name ?? dnsName(component.name ?? project.name ?? "") ?? "component";
        io.stdout(
          templateYamlFor(component, {
            name,
            version: parsed.values.version ?? project.version ?? "0.1.0",
            image: parsed.values.image,
            description: parsed.values.description ?? project.description,
          }),
        );
        return 0;
      }
      case "story": {
        usage = STORY_COMMANDS_USAGE;
        const [sub] = args;
        if (sub === undefined) {
          io.stderr(usage);
          return 2;
        }
        if (sub === "--help" || sub === "-h" || sub === "help") return help(io, usage);
        if (sub !== "run") throw new UsageError(`unknown story command ${JSON.stringify(sub)}`);
        // `bubu story run <story.yaml> …`: the local Story runner parses its own flags.
        return await storyCommand(args);
      }
      case "build": {
        usage = BUILD_USAGE;
        const parsed = parseArgs(args, BUILD_FLAGS);
        if (parsed.help) return help(io, usage);
        await buildCommand(parsed, io.cwd, io.stderr, { debug: parseDebugFlag(process.env.BUBU_DEBUG) });
        return 0;
      }
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`bubu: ${err.message}\n\n${usage}`);
      return 2;
    }
    io.stderr(`bubu: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

function help(io: CliIo, usage: string): number {
  io.stdout(usage);
  return 0;
}

function defaultIo(): CliIo {
  // The runtime adapter's writes are complete when they return, also into a pipe before exit.
  const rt = detectRuntime();
  return { cwd: process.cwd(), stdout: (text) => rt.writeStdout(text), stderr: (text) => rt.writeStderr(text) };
}
