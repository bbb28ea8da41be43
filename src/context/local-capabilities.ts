/**
 * Signals, effects and logs of a run on a laptop (no cluster): each is printed as a JSON log line
 * on stderr (and appended to `BUBU_LOCAL_EVENTS_FILE` when set), published logs are written under
 * the state directory, and `effects.once` keeps its promise across local runs with a claim file
 * per effect in `<state dir>/effects/`.
 * @module
 */
import type { Effects, Logs, Signals } from "../engram/context.ts";
import type { EffectRecord } from "../k8s/steprun-merge.ts";
import { type LogFileSource, readLogFile } from "../logs/publish.ts";
import type { Logger } from "../observability/logger.ts";
import type { RuntimeFs } from "../runtime/types.ts";
import { fileEffectStore } from "./effect-store.ts";
import {
  type RecordedLog,
  type RecordedSignal,
  type RunRecord,
  recordingCapabilities,
} from "./recording-capabilities.ts";

/** Settings of the local sink. */
export interface LocalSinkOptions {
  readonly logger: Logger;
  readonly fs: RuntimeFs;
  /** `BUBU_LOCAL_STATE_DIR`, else `.bubu` in the working directory. */
  readonly stateDir: string;
  /** `BUBU_LOCAL_EVENTS_FILE`: NDJSON of every signal, effect and log, appended. */
  readonly eventsFile?: string | undefined;
  /** Separates effect claims of runs with different identities (`local` without one). */
  readonly scope: string;
  readonly maxSignalBytes: number;
  readonly maxEffectDetailsBytes: number;
  /** For `logs.publishFile`: the allowed roots and size limit. */
  readonly logFiles: LogFileSource;
  readonly record: RunRecord;
}

/** The local sink's capabilities. */
export function localCapabilities(options: LocalSinkOptions): {
  signals: Signals;
  effects: Effects;
  logs: Logs;
  flush(): Promise<void>;
} {
  const { fs, logger, stateDir } = options;
  let logCount = 0;
  let events: Promise<void> = Promise.resolve();
  const append = (line: Record<string, unknown>): void => {
    const file = options.eventsFile;
    if (file === undefined || file === "") return;
    // Appends in order; a failed append is reported once per line and never fails the run.
    events = events
      .then(() => fs.appendFile(file, JSON.stringify(line) + "\n"))
      .catch((err: unknown) => {
        logger.warn("could not append to BUBU_LOCAL_EVENTS_FILE", { error: (err as Error).message });
      });
  };
  const caps = recordingCapabilities({
    record: options.record,
    effectStore: fileEffectStore(fs, `${stateDir}/effects`, options.scope),
    maxSignalBytes: options.maxSignalBytes,
    maxEffectDetailsBytes: options.maxEffectDetailsBytes,
    async storeLog(bytes, contentType) {
      const dir = `${stateDir}/logs`;
      await fs.mkdir(dir);
      const path = `${dir}/${Date.now()}-${++logCount}.log`;
      await fs.writeFile(path, bytes);
      return { path, contentType };
    },
    onRecord(kind, entry) {
      const at = new Date().toISOString();
      if (kind === "signal") {
        const s = entry as RecordedSignal;
        // The value as emitted; `stored` says whether the StepRun would keep it or only a summary.
        logger.info("signal", { key: s.key, seq: s.event.seq, value: s.value, stored: s.stored });
        append({
          type: "signal",
          at,
          key: s.key,
          seq: s.event.seq,
          value: s.value,
          stored: s.stored,
          status: s.latest,
        });
      } else if (kind === "effect") {
        const e = entry as EffectRecord;
        logger.info("effect recorded", {
          key: e.key,
          seq: e.seq,
          ...(e.status !== undefined ? { status: e.status } : {}),
        });
        append({ type: "effect", at, ...e });
      } else {
        const l = entry as RecordedLog;
        logger.info("log published", { path: l.ref.path, bytes: l.bytes.length, contentType: l.ref.contentType });
        append({ type: "log", at, path: l.ref.path, bytes: l.bytes.length, contentType: l.ref.contentType });
      }
    },
  });
  return {
    signals: caps.signals,
    effects: caps.effects,
    /** Settles once every event line is in `BUBU_LOCAL_EVENTS_FILE`. */
    flush: () => events,
    logs: {
      publish: caps.logs.publish,
      async publishFile(path, opts) {
        return await caps.logs.publish(await readLogFile(options.logFiles, path), opts);
      },
    },
  };
}
