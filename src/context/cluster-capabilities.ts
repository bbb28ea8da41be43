/**
 * Signals, effects and logs of a run inside a cluster: written to the StepRun named by
 * `BUBU_STEPRUN_NAME` through the run's Kubernetes client. Without a StepRun (an impulse's pod)
 * each call throws its "unavailable" error.
 * @module
 */

import { EffectsUnavailableError } from "../effects/errors.ts";
import type { Effects, Logs, Signals } from "../engram/context.ts";
import type { StepRunTarget } from "../k8s/steprun-target.ts";
import { LogsUnavailableError } from "../logs/errors.ts";
import { type LogDestination, type LogFileSource, publishLogs, readLogFile } from "../logs/publish.ts";
import { SignalsUnavailableError } from "../signals/errors.ts";

/** What the cluster capabilities write through. */
export interface ClusterCapabilityDeps {
  /** The run's StepRun, or `undefined` when `BUBU_STEPRUN_NAME` is unset. */
  target(): Promise<StepRunTarget | undefined>;
  /** Storage and env for published logs. */
  readonly logs: Omit<LogDestination, "target"> & LogFileSource;
}

/** Signals, effects and logs on the StepRun. The implementations load on first use. */
export function clusterCapabilities(deps: ClusterCapabilityDeps): { signals: Signals; effects: Effects; logs: Logs } {
  const target = async (unavailable: () => Error): Promise<StepRunTarget> => {
    const t = await deps.target();
    if (t === undefined) throw unavailable();
    return t;
  };
  const signalTarget = (): Promise<StepRunTarget> => target(() => new SignalsUnavailableError());
  const effectTarget = (): Promise<StepRunTarget> => target(() => new EffectsUnavailableError());
  const logTarget = (): Promise<StepRunTarget> => target(() => new LogsUnavailableError());
  const publish = async (bytes: Uint8Array | string, options: Parameters<Logs["publish"]>[1]) =>
    await publishLogs({ ...deps.logs, target: await logTarget() }, bytes, options ?? {});
  return {
    signals: {
      async emit(key, value, options) {
        const { emitSignal } = await import("../signals/emit.ts");
        return await emitSignal(await signalTarget(), key, value, options ?? {});
      },
      async emitText(key, text, options) {
        const { emitTextSignal } = await import("../signals/text-signal.ts");
        return await emitTextSignal(await signalTarget(), key, text, options ?? {});
      },
      async replay(options) {
        const { replaySignals } = await import("../signals/replay.ts");
        return await replaySignals(await signalTarget(), options ?? {});
      },
    },
    effects: {
      async record(key, options) {
        const { recordEffect } = await import("../effects/record.ts");
        return await recordEffect(await effectTarget(), key, options ?? {});
      },
      async has(key, options) {
        const { hasEffect } = await import("../effects/record.ts");
        return await hasEffect(await effectTarget(), key, options ?? {});
      },
      async once(key, fn, options) {
        const { executeEffectOnce } = await import("../effects/execute-once.ts");
        return await executeEffectOnce(await effectTarget(), key, fn, {
          ...(options?.leaseSeconds !== undefined ? { leaseDurationSeconds: options.leaseSeconds } : {}),
          ...(options?.signal !== undefined ? { signal: options.signal } : {}),
        });
      },
    },
    logs: {
      publish,
      async publishFile(path, options) {
        // The file is checked before the StepRun and storage are touched.
        return await publish(await readLogFile(deps.logs, path), options);
      },
    },
  };
}
