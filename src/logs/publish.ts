/**
 * Publishing logs: bytes or a file are uploaded as a raw blob at
 * `<ns>/logs/<storyRun>/<step>/<stepRun>/<unixNano>.log` and `StepRun.status.logs` points at them
 * (a status patch with no phase, 5s deadline). The batch runner's captured-log publish writes
 * through the same `uploadLogBlob`/`buildLogsStatusUpdate`. Bytes are stored as given.
 * @module
 */
import type { BubuEnv } from "../env/load.ts";
import { buildLogsStatusUpdate, type LogsRef } from "../k8s/logs-patch.ts";
import { patchStepRunStatus } from "../k8s/steprun-status.ts";
import type { StepRunTarget } from "../k8s/steprun-target.ts";
import { k8sOperationRecorder } from "../observability/otel-gate.ts";
import type { RuntimeFs } from "../runtime/types.ts";
import type { StorageManager } from "../storage/manager.ts";
import { readAllowedLogFile } from "./allowed-file.ts";
import { LogsUnavailableError } from "./errors.ts";

/** The timeout of the logs reference patch (the Go SDK's). */
export const LOG_PATCH_TIMEOUT_MS = 5000;

/** Log bytes; a string is written as UTF-8. */
export type LogPayload = Uint8Array | string;

/** Options of {@link publishLogs} and {@link publishLogFile}. */
export interface PublishLogsOptions {
  /** Content type of the stored blob (default `text/plain; charset=utf-8`). */
  readonly contentType?: string;
  /** Deadline of the status write (default 5s). */
  readonly timeoutMs?: number;
  /** Cancels the upload and the write. */
  readonly signal?: AbortSignal;
}

/** Where logs go: the run's StepRun, its storage and its environment. */
export interface LogDestination {
  readonly target: StepRunTarget;
  /** The run's storage manager (built on first use); disabled storage → {@link LogsUnavailableError}. */
  storage(): Promise<StorageManager>;
  readonly env: BubuEnv;
}

/**
 * Uploads `payload` and points `StepRun.status.logs` at it. Resolves to the written ref, or
 * `undefined` for an empty payload (nothing is checked or written).
 */
export async function publishLogs(
  to: LogDestination,
  payload: LogPayload,
  options: PublishLogsOptions = {},
): Promise<LogsRef | undefined> {
  const bytes = typeof payload === "string" ? new TextEncoder().encode(payload) : payload;
  if (bytes.length === 0) return undefined;
  const manager = await to.storage();
  if (!manager.enabled) throw new LogsUnavailableError();
  const { signal } = options;
  // Storage code loads on first publish.
  const { logIdentityFromEnv, uploadLogBlob } = await import("../storage/logs.ts");
  const ref = await uploadLogBlob(
    manager,
    logIdentityFromEnv(to.env, to.target.name),
    to.env,
    bytes,
    options.contentType ?? "",
    signal ? { signal } : {},
  );
  await patchStepRunStatus(to.target.client, to.target.namespace, to.target.name, buildLogsStatusUpdate(ref), {
    ...(signal ? { signal } : {}),
    timeoutMs: options.timeoutMs ?? LOG_PATCH_TIMEOUT_MS,
    onComplete: k8sOperationRecorder("PatchStepRunStatus"),
  });
  return ref;
}

/** Where a log file may be read from. */
export interface LogFileSource {
  readonly fs: RuntimeFs;
  readonly cwd: string;
  /** `$TMPDIR`, else `/tmp`. */
  readonly tempDir: string;
  readonly env: BubuEnv;
}

/**
 * Reads the file at `path` with the allowed-roots policy: only a regular file under
 * `BUBU_LOG_ALLOWED_ROOTS` (symlinks resolved) of at most `BUBU_LOG_FILE_MAX_BYTES`; otherwise a
 * `LogFileError`.
 */
export function readLogFile(from: LogFileSource, path: string): Promise<Uint8Array> {
  const { limits } = from.env;
  return readAllowedLogFile(path, {
    fs: from.fs,
    cwd: from.cwd,
    tempDir: from.tempDir,
    allowedRoots: limits.logAllowedRoots,
    maxBytes: limits.logFileMaxBytes,
  });
}
