/**
 * Compares the two sides of a differential run field by field: the StoryRun (`run.phase`,
 * `run.output`, …), each step (`step.<name>.phase`, `.attempts`, `.stepRun.<field>`) and each
 * variable of each attempt's environment (`step.<name>.env.<VAR>`, attempt by attempt). A
 * sub-run's fields are prefixed with its step (`step.<name>.sub.`).
 *
 * @module
 */
import { isDeepStrictEqual } from "node:util";
import type { SideRun, SideStep } from "./story-diff-run.ts";

/** One field that is not the same on both sides. */
export interface Difference {
  readonly story: string;
  /** e.g. `run.message`, `step.first.env.BUBU_POD_NAME`, `step.sub.sub.step.work.phase`. */
  readonly path: string;
  readonly cluster: unknown;
  readonly local: unknown;
}

/** A known difference: the paths (in the stories) it covers, and why it cannot or need not match. */
export interface KnownDifference {
  readonly name: string;
  readonly path: RegExp;
  /** Only in these stories (default: any). */
  readonly stories?: readonly string[];
  /** What the two values must look like for the row to cover them (default: anything). */
  readonly check?: (cluster: unknown, local: unknown) => boolean;
  /** The values may happen to be equal in a run (a time in seconds): the row may go unused. */
  readonly mayMatch?: boolean;
  readonly reason: string;
}

/** The test's own variable (where the engram writes its env); not the operator's. */
const HARNESS_ENV = new Set(["BUBU_DIFF_DIR"]);

/** The environment variables each attempt got (what the engram recorded). */
function flattenEnv(out: Map<string, unknown>, prefix: string, envs: readonly Record<string, string>[]): void {
  envs.forEach((env, i) => {
    for (const [k, v] of Object.entries(env)) if (!HARNESS_ENV.has(k)) out.set(`${prefix}.env[${i + 1}].${k}`, v);
  });
}

function flattenStep(out: Map<string, unknown>, prefix: string, s: SideStep): void {
  out.set(`${prefix}.phase`, s.phase);
  out.set(`${prefix}.message`, s.message === "" ? undefined : s.message);
  out.set(`${prefix}.attempts`, s.envs.length);
  for (const [k, v] of Object.entries(s.stepRun ?? {})) out.set(`${prefix}.stepRun.${k}`, v);
  flattenEnv(out, prefix, s.envs);
  if (s.sub) flattenRun(out, `${prefix}.sub.`, s.sub);
}

function flattenRun(out: Map<string, unknown>, prefix: string, r: SideRun): Map<string, unknown> {
  for (const k of ["phase", "reason", "message", "error", "output", "allowedFailures"] as const)
    out.set(`${prefix}run.${k}`, r[k]);
  for (const [name, s] of Object.entries(r.steps)) flattenStep(out, `${prefix}step.${name}`, s);
  return out;
}

/** Every field that differs; a field absent on one side compares as `undefined`. */
export function differences(story: string, cluster: SideRun, local: SideRun): Difference[] {
  const a = flattenRun(new Map(), "", cluster);
  const b = flattenRun(new Map(), "", local);
  const out: Difference[] = [];
  for (const path of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(path);
    const y = b.get(path);
    if (!isDeepStrictEqual(x, y)) out.push({ story, path, cluster: x, local: y });
  }
  return out;
}

/** The known row that covers `d`, if any. */
export function coveredBy(d: Difference, known: readonly KnownDifference[]): KnownDifference | undefined {
  return known.find(
    (k) =>
      k.path.test(d.path) && (!k.stories || k.stories.includes(d.story)) && (!k.check || k.check(d.cluster, d.local)),
  );
}
