/**
 * Reading Story, Engram and EngramTemplate manifests from YAML text, as `kubectl apply` reads
 * them: every document of the stream, YAML 1.1 scalars (`yes`, `on`, `y` are booleans, so a key
 * `y` becomes `"true"` and a step named `off` is the boolean `false`).
 * @module
 */
import { parseYamlDocuments } from "../schema/yaml-text.ts";
import type { Engram, EngramTemplate, Story, StoryResources } from "./types.ts";

/** A manifest the runner cannot read (not YAML, not an object, an unknown kind). */
export class StoryLoadError extends Error {
  override readonly name: string = "StoryLoadError";
  /** The file (or `<inline>`) the document came from. */
  readonly source: string;
  constructor(source: string, message: string, options?: { cause?: unknown }) {
    super(`${source}: ${message}`, options);
    this.source = source;
  }
}

/** The kinds the runner reads; other kinds are ignored with a warning. */
const KINDS: Readonly<Record<string, { readonly group: string; readonly key: keyof StoryResources }>> = {
  Story: { group: "bubustack.io", key: "stories" },
  Engram: { group: "bubustack.io", key: "engrams" },
  EngramTemplate: { group: "catalog.bubustack.io", key: "templates" },
};

/** What {@link parseManifests} found, plus what it ignored. */
export interface ParsedManifests extends StoryResources {
  readonly warnings: readonly string[];
}

/**
 * Parses a YAML stream into resources. Documents of other kinds (a `ConfigMap` next to the
 * Story, say) are skipped with a warning; a wrong `apiVersion` group for a known kind is an error.
 * Objects are returned as plain JSON values, unvalidated ({@link validateStory} checks them).
 */
export function parseManifests(text: string, source = "<inline>"): ParsedManifests {
  let docs: unknown[];
  try {
    docs = parseYamlDocuments(text);
  } catch (err) {
    throw new StoryLoadError(source, (err as Error).message, { cause: err });
  }
  const out = {
    stories: [] as Story[],
    engrams: [] as Engram[],
    templates: [] as EngramTemplate[],
    warnings: [] as string[],
  };
  docs.forEach((doc, i) => {
    if (doc === null || doc === undefined) return;
    const where = docs.length > 1 ? `document ${i + 1}` : "document";
    if (typeof doc !== "object" || Array.isArray(doc)) throw new StoryLoadError(source, `${where} is not an object`);
    // Round-trip through JSON, as the API server stores it (dates and YAML-only types become strings).
    const obj = JSON.parse(JSON.stringify(doc)) as Record<string, unknown>;
    const kind = typeof obj.kind === "string" ? obj.kind : "";
    if (kind === "List" && Array.isArray(obj.items)) {
      for (const item of obj.items) addObject(out, item, source, where);
      return;
    }
    addObject(out, obj, source, where);
  });
  return out;
}

function addObject(
  out: { stories: Story[]; engrams: Engram[]; templates: EngramTemplate[]; warnings: string[] },
  obj: unknown,
  source: string,
  where: string,
): void {
  if (typeof obj !== "object" || obj === null || Array.isArray(obj))
    throw new StoryLoadError(source, `${where} is not an object`);
  const o = obj as Record<string, unknown>;
  const kind = typeof o.kind === "string" ? o.kind : "";
  const known = Object.hasOwn(KINDS, kind) ? KINDS[kind] : undefined;
  if (!known) {
    out.warnings.push(
      `${source}: ${where}: kind ${kind === "" ? "(none)" : JSON.stringify(kind)} is not read by the local runner; skipped`,
    );
    return;
  }
  const apiVersion = typeof o.apiVersion === "string" ? o.apiVersion : "";
  if (apiVersion.split("/")[0] !== known.group) {
    throw new StoryLoadError(
      source,
      `${where}: ${kind} must have apiVersion ${known.group}/v1alpha1, got ${JSON.stringify(apiVersion)}`,
    );
  }
  const meta = o.metadata as Record<string, unknown> | undefined;
  if (typeof meta?.name !== "string" || meta.name === "") {
    throw new StoryLoadError(source, `${where}: ${kind} has no metadata.name`);
  }
  if (typeof o.spec !== "object" || o.spec === null || Array.isArray(o.spec)) {
    throw new StoryLoadError(source, `${where}: ${kind} ${meta.name} has no spec object`);
  }
  (out[known.key] as unknown[]).push(o);
}

/** Merges several parsed manifest sets; a second object with the same kind/namespace/name is an error. */
export function mergeResources(sets: readonly ParsedManifests[]): ParsedManifests {
  const out = {
    stories: [] as Story[],
    engrams: [] as Engram[],
    templates: [] as EngramTemplate[],
    warnings: [] as string[],
  };
  const seen = new Set<string>();
  for (const set of sets) {
    for (const [key, list] of [
      ["stories", set.stories],
      ["engrams", set.engrams],
      ["templates", set.templates],
    ] as const) {
      for (const obj of list) {
        const id = `${obj.kind}/${obj.metadata.namespace ?? ""}/${obj.metadata.name}`;
        if (seen.has(id)) throw new StoryLoadError("<resources>", `${obj.kind} ${obj.metadata.name} is defined twice`);
        seen.add(id);
        (out[key] as unknown[]).push(obj);
      }
    }
    out.warnings.push(...set.warnings);
  }
  return out;
}
