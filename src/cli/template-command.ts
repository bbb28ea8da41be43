/**
 * `bubu template`: prints the EngramTemplate of a module's batch engram, its schemas generated
 * from the engram's valibot schemas.
 * @module
 */
import type { BatchEngram } from "../engram/batch-engram.ts";
import { engramTemplateYaml } from "../schema/template-yaml.ts";

/** Options of {@link templateYamlFor}. */
export interface TemplateCommandOptions {
  readonly name: string;
  readonly version: string;
  readonly image?: string;
  readonly description?: string;
}

/** The EngramTemplate YAML of `engram`. */
export function templateYamlFor(engram: BatchEngram<never, never, never>, options: TemplateCommandOptions): string {
  const schemas = engram.schemas ?? {};
  return engramTemplateYaml({
    name: options.name,
    version: options.version,
    description: options.description,
    image: options.image,
    supportedModes: ["job"],
    config: schemas.config,
    inputs: schemas.inputs,
    output: schemas.output,
  });
}

/** Finds the engram a module exports: `name` when given, else the only export that looks like one. */
export function findEngramExport(mod: Record<string, unknown>, name?: string): BatchEngram<never, never, never> {
  const isEngram = (v: unknown): v is BatchEngram<never, never, never> =>
    typeof v === "object" && v !== null && typeof (v as { process?: unknown }).process === "function";
  if (name !== undefined) {
    const value = mod[name];
    if (!isEngram(value)) throw new Error(`export "${name}" is not a batch engram (no process function)`);
    return value;
  }
  const found = Object.entries(mod).filter(([, v]) => isEngram(v));
  if (found.length !== 1) {
    throw new Error(`expected exactly one exported engram, found ${found.length}${found.length ? ` (${found.map(([k]) => k).join(", ")})` : ""}; pass --export`);
  }
  return found[0][1] as BatchEngram<never, never, never>;
}
