/**
 * The public log API (`contract/batch.md` §7): `publishLogs`, `publishLogsWithContentType` and
 * `publishLogFile` upload bytes as a raw blob at `<ns>/logs/<storyRun>/<step>/<stepRun>/<unixNano>.log`
 * and point `StepRun.status.logs` at it (a status patch with no phase, 5s deadline). The batch
 * runner's captured-log publish writes through the same `uploadLogBlob`/`buildLogsStatusUpdate`.
 *
 * The StepRun is found as for signals and effects (`resolveStepRunTarget`); storage is the
 * context's manager or the process-wide one (`sharedStorageManager`, Go's `SharedManager`).
 * Published bytes are stored as given: the contract scrubs nothing in logs.
 * @module
 */
import { type BubuEnv, loadEnv } from "../env/load.ts";
import type { EnvSource } from "../env/source.ts";
import { buildLogsStatusUpdate, type LogsRef } from "../k8s/logs-patch.ts";
import { patchStepRunStatus } from "../k8s/steprun-status.ts";
import { k8sOperationRecorder } from "../observability/instruments.ts";
import { detectRuntime } from "../runtime/detect.ts";
import { resolveStepRunTarget, type StepRunContext, type StepRunTarget } from "../signals/target.ts";
import { messageOf } from "../storage/errors.ts";
import type { StorageManager } from "../storage/manager.ts";
import { readAllowedLogFile } from "./allowed-file.ts";
import { LogsUnavailableError } from "./errors.ts";

/** Go's `logPatchTimeout`. */
export const LOG_PATCH_TIMEOUT_MS = 5000;

/** What the log functions take as their context (an `ExecutionContext` qualifies). */
export interface LogsContext extends StepRunContext {
  /** The storage to write to; default the process-wide manager built from `BUBU_STORAGE_*`. */
  readonly storage?: StorageManager | undefined;
}

/** Log bytes; a string is written as UTF-8. */
export type LogPayload = Uint8Array | string;

/** Options of the log functions. */
export interface PublishLogsOptions {
  /** Deadline of the status write (default 5s, as Go). */
  readonly timeoutMs?: number;
}

/**
 * Uploads `payload` as `text/plain; charset=utf-8` and points `StepRun.status.logs` at it.
 * Resolves to the written ref, or `undefined` for an empty payload (nothing is checked or
 * written, as in Go). Throws {@link LogsUnavailableError} without a StepRun or storage.
 */
export function publishLogs(
  ctx: LogsContext | undefined,
  payload: LogPayload,
  options: PublishLogsOptions = {},
): Promise<LogsRef | undefined> {
  return publishLogsWithContentType(ctx, payload, "", options);
}

/** {@link publishLogs} with a content type (blank: `text/plain; charset=utf-8`). */
export async function publishLogsWithContentType(
  ctx: LogsContext | undefined,
  payload: LogPayload,
  contentType: string,
  options: PublishLogsOptions = {},
): Promise<LogsRef | undefined> {
  const bytes = typeof payload === "string" ? new TextEncoder().encode(payload) : payload;
  if (bytes.length === 0) return undefined;
  const target = await logTarget(ctx);
  const env = loadEnv(envSourceOf(target.env));
  const manager = await logStorage(ctx, env);
  const signal = ctx?.signal;
  // Storage code loads on first publish: `import "@bubustack/sdk"` stays light.
  const { logIdentityFromEnv, uploadLogBlob } = await import("../storage/logs.ts");
  const ref = await uploadLogBlob(manager, logIdentityFromEnv(env, target.name), env, bytes, contentType, signal ? { signal } : {});
  await patchStepRunStatus(target.client, target.namespace, target.name, buildLogsStatusUpdate(ref), {
    ...(signal ? { signal } : {}),
    timeoutMs: options.timeoutMs ?? LOG_PATCH_TIMEOUT_MS,
    onComplete: k8sOperationRecorder("PatchStepRunStatus"),
  });
  return ref;
}

/**
 * Reads the file at `path` and publishes it like {@link publishLogsWithContentType}. Only a
 * regular file under `BUBU_LOG_ALLOWED_ROOTS` (symlinks resolved) of at most
 * `BUBU_LOG_FILE_MAX_BYTES` is read; otherwise a `LogFileError` and nothing is published. The
 * file is checked before the StepRun and storage, as in Go.
 */
export async function publishLogFile(
  ctx: LogsContext | undefined,
  path: string,
  contentType: string,
  options: PublishLogsOptions = {},
): Promise<LogsRef | undefined> {
  const runtime = detectRuntime();
  const source = envSourceOf(ctx?.stepRun?.env);
  const limits = loadEnv(source).limits;
  const lookup = typeof source === "function" ? source : (name: string) => source[name];
  const data = await readAllowedLogFile(path, {
    fs: runtime.fs,
    cwd: runtime.cwd(),
    // Go's os.TempDir(): $TMPDIR, else /tmp.
    tempDir: lookup("TMPDIR") || "/tmp",
    allowedRoots: limits.logAllowedRoots,
    maxBytes: limits.logFileMaxBytes,
  });
  return await publishLogsWithContentType(ctx, data, contentType, options);
}

/** The target's env reader, else the process env. */
function envSourceOf(env: StepRunTarget["env"]): EnvSource {
  return env ?? ((name: string) => detectRuntime().env(name));
}

/** The StepRun; a failed client creation is reported as Go's `failed to initialize log client`. */
async function logTarget(ctx: LogsContext | undefined): Promise<StepRunTarget> {
  try {
    return await resolveStepRunTarget(ctx, () => new LogsUnavailableError());
  } catch (err) {
    if (err instanceof LogsUnavailableError) throw err;
    throw new Error(`failed to initialize log client: ${messageOf(err)}`, { cause: err });
  }
}

/** The context's storage, else the shared one; disabled storage is `LogsUnavailableError`. */
async function logStorage(ctx: LogsContext | undefined, env: BubuEnv): Promise<StorageManager> {
  let manager = ctx?.storage;
  if (manager === undefined) {
    try {
      const { sharedStorageManager } = await import("../storage/shared-manager.ts");
      manager = await sharedStorageManager(detectRuntime(), env);
    } catch (err) {
      throw new Error(`failed to create storage manager: ${messageOf(err)}`, { cause: err });
    }
  }
  if (!manager.enabled) throw new LogsUnavailableError();
  return manager;
}
