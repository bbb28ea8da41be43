/**
 * What every StoryRun of one local run shares (a top-level run and its sub-runs): the runner's
 * API, the file store, the engram map, the resources, the work directory, cancellation and the
 * progress listener.
 * @module
 */
import type { ChildHandle, SpawnChildOptions } from "../runtime/child-process.ts";
import type { Runtime } from "../runtime/types.ts";
import { type EngramCommand, type EngramMap, resolveEngramCommand } from "./engram-commands.ts";
import type { StoryRunEvent, StoryRunListener } from "./events.ts";
import type { LocalApi } from "./local-api.ts";
import type { StoryTemplates } from "./story-templates.ts";
import type { Engram, EngramTemplate, Step, Story, StoryResources } from "./types.ts";

/** Parent variables an engram process keeps (its tools need them); nothing else is inherited. */
const INHERITED =
  /^(PATH|HOME|USER|LOGNAME|SHELL|TMPDIR|TZ|LANG|LANGUAGE|LC_[A-Z]+|XDG_[A-Z_]+|DENO_DIR|BUN_INSTALL|SSL_CERT_FILE|SSL_CERT_DIR)$/;

/** The process environment every engram starts from: inherited basics plus the caller's `env`. */
export function baseProcessEnv(
  parent: Readonly<Record<string, string>>,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parent)) if (INHERITED.test(k)) out[k] = v;
  return { ...out, ...extra };
}

/** The Engram (and its template) a step's `ref` names. */
export interface ResolvedEngram {
  readonly engram: Engram;
  readonly template: EngramTemplate | undefined;
}

/** Shared state of a local run. */
export interface RunContext {
  readonly rt: Runtime;
  readonly api: LocalApi;
  readonly templates: StoryTemplates;
  readonly resources: StoryResources;
  readonly engrams: EngramMap;
  readonly baseDir: string;
  readonly namespace: string;
  readonly processEnv: Readonly<Record<string, string>>;
  /** The file store directory; undefined when storage is off for every Story. */
  readonly storageDir: string | undefined;
  /** Storage on for a Story: `"story"` follows its policy, `"always"`/`"never"` override it. */
  readonly storageMode: "story" | "always" | "never";
  readonly workDir: string;
  /** Aborted to cancel the run (SIGINT). */
  readonly cancel: AbortSignal;
  /** Aborted to kill every process at once (SIGKILL, no grace; a second Ctrl-C). */
  readonly kill: AbortSignal;
  /** SIGTERM → SIGKILL grace for stopped processes. */
  readonly graceMs: number;
  /** Added to a step's timeout before the runner stops its process (the Job's deadline). */
  readonly deadlineMarginMs: number;
  readonly gateDecisions: Readonly<Record<string, "approve" | "reject">>;
  readonly random: () => number;
  /** Starts a process (the runtime's child-process seam). */
  readonly spawn: (options: SpawnChildOptions) => ChildHandle;
  readonly warnings: string[];
  emit(event: StoryRunEvent): void;
}

/** Wraps a listener so a throwing one cannot break the run. */
export function safeListener(listener: StoryRunListener | undefined): (e: StoryRunEvent) => void {
  return (e) => {
    try {
      listener?.(e);
    } catch {
      // A progress view must never stop the run.
    }
  };
}

/** Whether `story` runs with the file store. */
export function storageOn(ctx: Pick<RunContext, "storageMode" | "storageDir">, story: Story): boolean {
  if (ctx.storageDir === undefined || ctx.storageMode === "never") return false;
  if (ctx.storageMode === "always") return true;
  const steps = [...story.spec.steps, ...(story.spec.compensations ?? []), ...(story.spec.finally ?? [])];
  return (
    story.spec.policy?.storage !== undefined ||
    story.spec.policy?.execution?.storage !== undefined ||
    steps.some((s) => s.execution?.storage !== undefined)
  );
}

/**
 * The Engram a step refers to (namespace: the ref's, else the Story's), and its template.
 * `synthesized` is true when no Engram object was given and one with no `with` stands in.
 */
export function findEngram(
  resources: StoryResources,
  story: Story,
  step: Step,
  namespace: string,
): ResolvedEngram & { synthesized: boolean } {
  const name = step.ref!.name;
  const ns = step.ref!.namespace ?? story.metadata.namespace ?? namespace;
  const engram =
    resources.engrams.find((e) => e.metadata.name === name && (e.metadata.namespace ?? namespace) === ns) ??
    resources.engrams.find((e) => e.metadata.name === name && e.metadata.namespace === undefined);
  if (!engram) {
    return {
      engram: { apiVersion: "bubustack.io/v1alpha1", kind: "Engram", metadata: { name, namespace: ns }, spec: {} },
      template: undefined,
      synthesized: true,
    };
  }
  const templateName = engram.spec.templateRef?.name;
  const template =
    templateName === undefined ? undefined : resources.templates.find((t) => t.metadata.name === templateName);
  return { engram, template, synthesized: false };
}

/** The command of a resolved Engram, or undefined when the map has none. */
export function engramCommand(
  ctx: Pick<RunContext, "engrams" | "baseDir">,
  r: ResolvedEngram,
): EngramCommand | undefined {
  return resolveEngramCommand(ctx.engrams, ctx.baseDir, r.engram.metadata.name, r.engram.spec.templateRef?.name);
}
