/**
 * The StepRun that signals, effects and published logs are written to, and the client that
 * writes them. The run's context builds one; nothing resolves it from globals.
 * @module
 */
import type { KubeClient } from "./client.ts";

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

/** An integer tunable of `target`: unset, unparsable or ≤ 0 gives `fallback`. */
export function positiveIntEnv(target: StepRunTarget, name: string, fallback: number): number {
  const raw = target.env?.(name)?.trim() ?? "";
  if (raw === "" || !/^[+-]?\d+$/.test(raw)) return fallback;
  const n = Number(raw);
  return Number.isSafeInteger(n) && n > 0 ? n : fallback;
}
