/**
 * `runStory`: runs a whole Story on this machine. Each Engram step is a local process (from
 * the engram map) that gets the environment the operator gives a Job pod and writes its StepRun
 * status to the runner's own small API; the runner schedules the steps as the operator does
 * and reports a StoryRun-like result.
 *
 * @example
 * ```ts
 * import { parseManifests, runStory } from "@bubustack/sdk/story";
 *
 * const resources = parseManifests(await Deno.readTextFile("story.yaml"));
 * const run = await runStory({
 *   story: resources.stories[0],
 *   resources,
 *   inputs: { url: "https://example.com" },
 *   engrams: { fetch: "bun run ./fetch/engram.ts", summarize: "bun run ./summarize/engram.ts" },
 * });
 * console.log(run.phase, run.output);
 * ```
 *
 * @remarks What the operator (bobrapet v0.1.13) would reject is refused before anything runs
 * ({@link StoryValidationError}); what the runner cannot do on a laptop is refused too
 * ({@link StoryRefusedError}): realtime Stories, streaming Engrams (`mode: deployment` or
 * `statefulset`), `gate` steps without a decision given in `gateDecisions`, parallel branches
 * without `ref`, `executeStory` steps whose Story was not given, and Engrams with no command.
 * @module
 */
import { type ChildHandle, type SpawnChildOptions, spawnChild } from "../runtime/child-process.ts";
import { detectRuntime } from "../runtime/detect.ts";
import { makePrivateDir } from "../runtime/private-dir.ts";
import type { Runtime } from "../runtime/types.ts";
import { withCrdDefaults } from "./crd-defaults.ts";
import type { EngramMap } from "./engram-commands.ts";
import type { StoryRunListener } from "./events.ts";
import { startLocalApi } from "./local-api.ts";
import type { StoryRunResult } from "./result.ts";
import { baseProcessEnv, engramCommand, findEngram, type RunContext, safeListener } from "./run-context.ts";
import { executeStoryRun } from "./story-run.ts";
import { type Hydrate, StoryTemplates } from "./story-templates.ts";
import type { JsonObject, Step, Story, StoryResources } from "./types.ts";
import { validateStory } from "./validate.ts";

/** Options of {@link runStory}. */
export interface RunStoryOptions {
  /** The Story, or the name of one in `resources`. */
  readonly story: Story | string;
  /** Engrams, EngramTemplates and the Stories `executeStory` steps start. */
  readonly resources?: Partial<StoryResources>;
  /** `spec.inputs` of the StoryRun. */
  readonly inputs?: JsonObject;
  /** Engram or EngramTemplate name → command. */
  readonly engrams: EngramMap;
  /** Where relative engram working directories start (default the current directory). */
  readonly baseDir?: string;
  /** Namespace of a Story without one (default `default`). */
  readonly namespace?: string;
  /** The StoryRun name (default `<story>-local-<5 random>`). */
  readonly storyRunName?: string;
  /**
   * File storage for offloaded payloads: `story` (default) when the Story sets a storage policy,
   * `always`, or `never` (outputs over the inline limit then fail, as in a cluster without
   * storage).
   */
  readonly storage?: "story" | "always" | "never";
  /** The file store directory (default `<workDir>/storage`). */
  readonly storageDir?: string;
  /** Extra environment of every engram process (the operator's variables take precedence). */
  readonly env?: Readonly<Record<string, string>>;
  /** Aborting it cancels the run: processes get SIGTERM, then SIGKILL after `graceMs`. */
  readonly signal?: AbortSignal;
  /** Aborting it kills every process at once (SIGKILL), e.g. on a second Ctrl-C. */
  readonly killSignal?: AbortSignal;
  /** Progress events. */
  readonly onEvent?: StoryRunListener;
  /** Logs, the kubeconfig and default storage (default a new temporary directory). */
  readonly workDir?: string;
  /** Keep the work directory after the run (default: keep a given `workDir`, remove a temporary one). */
  readonly keepWorkDir?: boolean;
  /** SIGTERM → SIGKILL grace when a process is stopped (default 30s, the pod default). */
  readonly graceMs?: number;
  /** Added to a step's timeout before its process is stopped (default 2m, the Job's deadline). */
  readonly deadlineMarginMs?: number;
  /** Decisions for `gate` steps, by step name. */
  readonly gateDecisions?: Readonly<Record<string, "approve" | "reject">>;
  readonly runtime?: Runtime;
  /** Random source (pod names, retry jitter); tests make it deterministic. */
  readonly random?: () => number;
  /** Starts an engram process (default: `node:child_process`, which Bun, Deno and Node all have). */
  readonly spawn?: (options: SpawnChildOptions) => ChildHandle;
}

/** The Story cannot be run locally; nothing was started. */
export class StoryRefusedError extends Error {
  override readonly name: string = "StoryRefusedError";
  readonly reasons: readonly string[];
  constructor(story: string, reasons: readonly string[]) {
    super(`Story ${JSON.stringify(story)} cannot run locally: ${reasons.join("; ")}`);
    this.reasons = reasons;
  }
}

/** The resources as the API server stores them (Stories with their CRD defaults). */
function resourcesOf(o: RunStoryOptions): StoryResources {
  return {
    stories: (o.resources?.stories ?? []).map(withCrdDefaults),
    engrams: o.resources?.engrams ?? [],
    templates: o.resources?.templates ?? [],
  };
}

function pickStory(o: RunStoryOptions, resources: StoryResources): Story {
  if (typeof o.story !== "string") return withCrdDefaults(o.story);
  const name = o.story;
  const found = resources.stories.filter((s) => s.metadata.name === name);
  if (found.length === 0) throw new StoryRefusedError(name, [`no Story named ${JSON.stringify(name)} was given`]);
  return found[0]!;
}

/**
 * Checks everything the run will need before starting it: the Story and every Story it starts
 * validate, and each step can run here. Returns warnings (assumptions the run makes).
 */
export function preflight(
  story: Story,
  resources: StoryResources,
  engrams: EngramMap,
  options: { namespace?: string; gateDecisions?: Readonly<Record<string, string>>; baseDir?: string } = {},
): string[] {
  const warnings: string[] = [];
  const seen = new Set<string>();
  const check = (s: Story): void => {
    const key = `${s.metadata.namespace ?? ""}/${s.metadata.name}`;
    if (seen.has(key)) return;
    seen.add(key);
    validateStory(s);
    const reasons: string[] = [];
    if (s.spec.pattern === "realtime") reasons.push(`pattern 'realtime': streaming Stories are not run locally`);
    const namespace = s.metadata.namespace ?? options.namespace ?? "default";
    const engramStep = (step: Step, where: string): void => {
      const r = findEngram(resources, s, step, namespace);
      if (r.synthesized)
        warnings.push(
          `${where}: Engram '${step.ref!.name}' was not given; it runs with no Engram 'with' and no EngramTemplate (a cluster needs the Engram)`,
        );
      else if (r.engram.spec.templateRef && !r.template)
        warnings.push(
          `${where}: EngramTemplate '${r.engram.spec.templateRef.name}' was not given; no inputSchema defaults or validation (a cluster keeps the StepRun Blocked)`,
        );
      const mode = r.engram.spec.mode;
      if (mode === "deployment" || mode === "statefulset")
        reasons.push(
          `${where}: Engram '${r.engram.metadata.name}' has mode '${mode}' (a streaming engram); only batch (job) engrams run locally`,
        );
      if (!engramCommand({ engrams, baseDir: options.baseDir ?? "/" }, r)) {
        const names = [r.engram.metadata.name, r.engram.spec.templateRef?.name]
          .filter((n) => n !== undefined)
          .map((n) => `'${n}'`);
        reasons.push(`${where}: the engram map has no command for ${names.join(" or ")}`);
      }
      if (step.secrets !== undefined && Object.keys(step.secrets).length > 0)
        warnings.push(`${where}: 'secrets' are not mapped locally; pass the engram's BUBU_SECRET_* variables with env`);
    };
    for (const step of [...s.spec.steps, ...(s.spec.compensations ?? []), ...(s.spec.finally ?? [])]) {
      const where = `step '${step.name}'`;
      if (step.transport !== undefined || step.runtime !== undefined)
        warnings.push(`${where}: 'transport'/'runtime' (streaming) are ignored locally`);
      if (step.ref !== undefined) {
        engramStep(step, where);
        continue;
      }
      const w = (step.with ?? {}) as JsonObject;
      switch (step.type) {
        case "gate":
          if (options.gateDecisions?.[step.name] === undefined) {
            reasons.push(
              `${where} is a 'gate': it waits for an approval written to the StoryRun status; give a decision (gateDecisions / --approve ${step.name} / --reject ${step.name})`,
            );
          }
          break;
        case "parallel": {
          const branches = Array.isArray(w.steps) ? (w.steps as Step[]) : [];
          if (branches.length === 0) reasons.push(`${where} is a 'parallel' step without with.steps`);
          for (const b of branches) {
            if (typeof b !== "object" || b === null || typeof b.name !== "string")
              reasons.push(`${where}: a parallel branch has no name`);
            else if (b.ref === undefined)
              reasons.push(`${where}: parallel branch '${b.name}' has no 'ref'; only Engram branches run locally`);
            else engramStep(b, `parallel branch '${b.name}' of ${where}`);
          }
          break;
        }
        case "executeStory": {
          const ref = w.storyRef as { name?: string; namespace?: string };
          const target = resources.stories.find(
            (t) =>
              t.metadata.name === ref.name &&
              (ref.namespace === undefined || (t.metadata.namespace ?? namespace) === ref.namespace),
          );
          if (!target)
            reasons.push(`${where} runs Story '${ref.name}', which was not given (add its manifest to the resources)`);
          else check(target);
          break;
        }
      }
    }
    if (s.spec.policy?.storage?.s3 !== undefined)
      warnings.push(`Story '${s.metadata.name}': the S3 storage policy is replaced by a local file store`);
    if (reasons.length > 0) throw new StoryRefusedError(s.metadata.name, reasons);
  };
  check(story);
  return warnings;
}

function randomName(random: () => number): string {
  const chars = "abcdefghijklmnopqrstuvwxyz0123456789";
  let s = "";
  for (let i = 0; i < 5; i++) s += chars[Math.floor(random() * chars.length)];
  return s;
}

/**
 * Runs the Story to its end and returns the report. Throws {@link StoryValidationError} or
 * {@link StoryRefusedError} (before starting anything) for a Story that cannot run; every
 * failure after that is in the result (`phase` Failed, Timeout, Compensated or Canceled).
 */
export async function runStory(options: RunStoryOptions): Promise<StoryRunResult> {
  const rt = options.runtime ?? detectRuntime();
  const random = options.random ?? Math.random;
  const resources = resourcesOf(options);
  const story = pickStory(options, resources);
  const baseDir = options.baseDir ?? rt.cwd();
  const namespace = story.metadata.namespace ?? options.namespace ?? "default";
  const warnings = preflight(story, resources, options.engrams, {
    namespace,
    ...(options.gateDecisions ? { gateDecisions: options.gateDecisions } : {}),
    baseDir,
  });
  const storyRunName = options.storyRunName ?? `${story.metadata.name}-local-${randomName(random)}`.slice(0, 63);
  const tmp = (rt.env("TMPDIR") ?? "").trim() || "/tmp";
  const workDir = options.workDir ?? `${tmp}/bubu-story-${storyRunName}-${randomName(random)}`;
  const keep = options.keepWorkDir ?? options.workDir !== undefined;
  // The kubeconfig in it opens the run's API: owner only.
  await makePrivateDir(workDir);
  await rt.fs.mkdir(`${workDir}/logs`);
  const mode = options.storage ?? "story";
  const storageDir = mode === "never" ? undefined : (options.storageDir ?? `${workDir}/storage`);
  let hydrate: Hydrate | undefined;
  if (storageDir !== undefined) {
    await rt.fs.mkdir(storageDir);
    let manager: Promise<{ hydrateStorageRefsOnly(v: unknown): Promise<unknown>; close(): Promise<void> }> | undefined;
    hydrate = async (value) => {
      manager ??= (async () => {
        const { loadEnv } = await import("../env/load.ts");
        const { createStorageManager } = await import("../storage/create-manager.ts");
        const env = loadEnv({ BUBU_STORAGE_PROVIDER: "file", BUBU_STORAGE_PATH: storageDir });
        return (await createStorageManager(rt, env)).manager;
      })();
      return await (await manager).hydrateStorageRefsOnly(value);
    };
  }
  const token = crypto.randomUUID();
  const api = await startLocalApi({
    runtime: rt,
    token,
    serviceAccount: `system:serviceaccount:${namespace}:${storyRunName}-engram-runner`,
  });
  const cancel = new AbortController();
  const onAbort = (): void => cancel.abort(options.signal?.reason);
  for (const signal of [options.signal, options.killSignal]) {
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
  }
  try {
    await rt.fs.writeFile(`${workDir}/kubeconfig`, api.kubeconfig(namespace));
    const ctx: RunContext = {
      rt,
      api,
      templates: new StoryTemplates(hydrate),
      resources,
      engrams: options.engrams,
      baseDir,
      namespace,
      processEnv: baseProcessEnv(rt.envAll(), options.env),
      storageDir,
      storageMode: mode,
      workDir,
      cancel: cancel.signal,
      kill: options.killSignal ?? new AbortController().signal,
      graceMs: options.graceMs ?? 30_000,
      deadlineMarginMs: options.deadlineMarginMs ?? 120_000,
      gateDecisions: options.gateDecisions ?? {},
      random,
      spawn: options.spawn ?? spawnChild,
      warnings,
      emit: safeListener(options.onEvent),
    };
    return await executeStoryRun({ ctx, story, name: storyRunName, inputs: options.inputs ?? {} });
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    options.killSignal?.removeEventListener("abort", onAbort);
    await api.close();
    if (!keep) await rt.fs.remove(workDir, { recursive: true }).catch(() => {});
  }
}
