/**
 * Which StepRun signals and effects are written to, and through which client. Go resolves this
 * from `BUBU_STEPRUN_NAME` and the shared client on every call; here a caller may pass an
 * explicit {@link StepRunTarget} (`ctx.stepRun`), an entry point may install one for the process
 * ({@link setDefaultStepRunTarget}), and otherwise it is built from the process environment and
 * the shared Kubernetes client.
 * @module
 */
import { ENV } from "../env/names.ts";
import { type KubeClient } from "../k8s/client.ts";
import { sharedKubeClient } from "../k8s/create-client.ts";
import { detectRuntime } from "../runtime/detect.ts";

/** The StepRun to write to. */
export interface StepRunTarget {
  readonly client: KubeClient;
  /** `BUBU_STEPRUN_NAMESPACE`, else the client namespace. */
  readonly namespace: string;
  /** `BUBU_STEPRUN_NAME`. */
  readonly name: string;
  /** Reads tunables such as `BUBU_SIGNAL_MAX_PAYLOAD_BYTES` (default: none set). */
  readonly env?: (name: string) => string | undefined;
}

/** What signal and effect functions take as their context (an `ExecutionContext` qualifies). */
export interface StepRunContext {
  /** Cancels the call. */
  readonly signal?: AbortSignal | undefined;
  /** An explicit target; without it the process default is used. */
  readonly stepRun?: StepRunTarget | undefined;
}

let installed: StepRunTarget | undefined;

/**
 * Installs the target used when a context carries none (entry points call this with their
 * client); `undefined` goes back to resolving from the environment.
 */
export function setDefaultStepRunTarget(target: StepRunTarget | undefined): void {
  installed = target;
}

/**
 * The target for `ctx`. Throws `unavailable()` when no StepRun name is known (Go's
 * `ErrSignalsUnavailable` / `ErrEffectsUnavailable`). Unlike Go (quirk D3), a missing name is not
 * cached: the environment is read again on the next call. Client-creation errors propagate.
 */
export async function resolveStepRunTarget(
  ctx: StepRunContext | undefined,
  unavailable: () => Error,
  overrides: { readonly name?: string; readonly namespace?: string } = {},
): Promise<StepRunTarget> {
  const wantName = overrides.name?.trim() ?? "";
  const wantNamespace = overrides.namespace?.trim() ?? "";
  const explicit = ctx?.stepRun ?? installed;
  if (explicit !== undefined) {
    const name = wantName || explicit.name.trim();
    const namespace = wantNamespace || explicit.namespace.trim();
    if (name === "" || namespace === "") throw unavailable();
    return name === explicit.name && namespace === explicit.namespace ? explicit : { ...explicit, name, namespace };
  }
  const runtime = detectRuntime();
  const name = wantName || (runtime.env(ENV.STEPRUN_NAME) ?? "").trim();
  if (name === "") throw unavailable();
  const client = await sharedKubeClient(runtime);
  const namespace = wantNamespace || (runtime.env(ENV.STEPRUN_NAMESPACE) ?? "").trim() || client.namespace;
  if (namespace === "") throw unavailable();
  return { client, namespace, name, env: (n) => runtime.env(n) };
}

/** A Go `sdkenv.GetInt` style read: unset, unparsable or ≤0 gives `fallback`. */
export function positiveIntEnv(target: StepRunTarget, name: string, fallback: number): number {
  const raw = target.env?.(name)?.trim() ?? "";
  if (raw === "" || !/^[+-]?\d+$/.test(raw)) return fallback;
  const n = Number(raw);
  return Number.isSafeInteger(n) && n > 0 ? n : fallback;
}
