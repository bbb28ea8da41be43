/**
 * The capabilities of a run where it runs: in a cluster they write to the StepRun, on a laptop to
 * the local sink (stderr, `BUBU_LOCAL_EVENTS_FILE`, the state directory).
 * @module
 */

import { blobStorage } from "../context/blob-storage.ts";
import { clusterCapabilities } from "../context/cluster-capabilities.ts";
import { localCapabilities } from "../context/local-capabilities.ts";
import type { RunRecord } from "../context/recording-capabilities.ts";
import { DEFAULT_EFFECT_MAX_DETAILS_BYTES } from "../effects/details.ts";
import type { BlobStorage, Effects, Logs, RunPlace, Signals } from "../engram/context.ts";
import type { BubuEnv } from "../env/load.ts";
import type { Logger } from "../observability/logger.ts";
import type { Runtime } from "../runtime/types.ts";
import { DEFAULT_SIGNAL_MAX_PAYLOAD_BYTES } from "../signals/emit.ts";
import type { RunServices } from "./services.ts";

/** What the capabilities are built from (a `ProcessRun`). */
export interface PlacedRun {
  readonly rt: Runtime;
  readonly vars: Readonly<Record<string, string>>;
  readonly place: RunPlace;
  readonly logger: Logger;
  readonly env: BubuEnv;
  readonly services: RunServices;
  readonly record: RunRecord;
}

/** Where the local sink keeps effect claims and published logs. */
export const LOCAL_STATE_DIR_ENV = "BUBU_LOCAL_STATE_DIR";
/** An NDJSON file that receives every local signal, effect and log. */
export const LOCAL_EVENTS_FILE_ENV = "BUBU_LOCAL_EVENTS_FILE";

/** Signals, effects, logs and storage for `run`. */
export function placeCapabilities(run: PlacedRun): {
  signals: Signals;
  effects: Effects;
  logs: Logs;
  storage: BlobStorage;
  /** Settles when what the capabilities wrote in the background is written (local events file). */
  flush?(): Promise<void>;
} {
  const { rt, vars } = run;
  const env = run.env;
  const services = run.services;
  const storage = blobStorage(services.storageConfigured, async () => (await services.storage()).manager);
  const files = { fs: rt.fs, cwd: rt.cwd(), tempDir: vars.TMPDIR || "/tmp", env };
  if (run.place === "cluster") {
    const name = env.storyInfo.stepRunID.trim();
    return {
      storage,
      ...clusterCapabilities({
        async target() {
          if (name === "") return undefined;
          const client = await services.kube();
          const namespace = env.storyInfo.stepRunNamespace.trim() || client.namespace;
          return { client, namespace, name, env: (n) => vars[n] };
        },
        logs: { ...files, storage: async () => (await services.storage()).manager },
      }),
    };
  }
  // Claims are per step run when the run has an identity, else one scope for every local run.
  const { storyRunID, stepRunID } = env.storyInfo;
  const scope = storyRunID && stepRunID ? `${storyRunID}/${stepRunID}` : "local";
  return {
    storage,
    ...localCapabilities({
      logger: run.logger,
      fs: rt.fs,
      stateDir: (vars[LOCAL_STATE_DIR_ENV] ?? "").trim() || `${rt.cwd()}/.bubu`,
      eventsFile: vars[LOCAL_EVENTS_FILE_ENV]?.trim(),
      scope,
      maxSignalBytes: env.limits.signalMaxPayloadBytes || DEFAULT_SIGNAL_MAX_PAYLOAD_BYTES,
      maxEffectDetailsBytes: env.limits.effectMaxDetailsBytes || DEFAULT_EFFECT_MAX_DETAILS_BYTES,
      logFiles: files,
      record: run.record,
    }),
  };
}
