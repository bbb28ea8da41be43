#!/usr/bin/env -S bun run
/**
 * The `bubu` command.
 *
 *   bubu template <module.ts> --name N --version V [--image I] [--description D] [--export E]
 *   bubu run <module.ts> [--export E] [--inputs JSON|file] [--config JSON|file]
 * @module
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { startBatch } from "../batch/start-batch.ts";
import { detectRuntime } from "../runtime/detect.ts";
import { findEngramExport, templateYamlFor } from "./template-command.ts";

const USAGE = `usage:
  bubu template <module.ts> --name NAME --version VERSION [--image IMAGE] [--description TEXT] [--export NAME]
  bubu run <module.ts> [--export NAME] [--inputs JSON|FILE] [--config JSON|FILE]
`;

const rt = detectRuntime();
const [command, modulePath, ...rest] = rt.args();

function flags(args: string[], known: string[]): { values: Record<string, string>; others: string[] } {
  const values: Record<string, string> = {};
  const others: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const [k, inline] = args[i].split(/=(.*)/s, 2);
    if (known.includes(k)) values[k.slice(2)] = inline ?? args[++i] ?? "";
    else others.push(args[i]);
  }
  return { values, others };
}

async function load(path: string): Promise<Record<string, unknown>> {
  return await import(pathToFileURL(resolve(rt.cwd(), path)).href);
}

try {
  if (!modulePath || (command !== "template" && command !== "run")) {
    rt.writeStderr(USAGE);
    rt.exit(2);
  }
  if (command === "template") {
    const { values, others } = flags(rest, ["--name", "--version", "--image", "--description", "--export"]);
    if (others.length) throw new Error(`unknown arguments: ${others.join(" ")}`);
    if (!values.name || !values.version) throw new Error("--name and --version are required");
    const engram = findEngramExport(await load(modulePath), values.export);
    rt.writeStdout(templateYamlFor(engram, { name: values.name, version: values.version, image: values.image, description: values.description }));
    rt.exit(0);
  }
  const { values, others } = flags(rest, ["--export"]);
  const engram = findEngramExport(await load(modulePath), values.export);
  await startBatch(engram, { args: others });
} catch (err) {
  rt.writeStderr(`bubu: ${err instanceof Error ? err.message : String(err)}\n`);
  rt.exit(2);
}
