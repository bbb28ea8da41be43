/**
 * How long the terminal StepRun status write may keep trying (see `docs/status-writes.md`).
 * @module
 */

import type { BatchSettings } from "./settings.ts";

/** The least time a terminal write gets when `BatchSettings.statusWriteMinMs` is absent (Go's operation budget). */
export const DEFAULT_STATUS_WRITE_MIN_MS = 30_000;

/** What the window is computed from. */
export interface WriteWindowOptions {
  /** When the step started (`BUBU_STARTED_AT`, else process start). */
  readonly startedAt: Date;
  /** `BUBU_STEP_TIMEOUT`. */
  readonly stepTimeoutNs: bigint;
  /** `BUBU_SDK_GRACEFUL_SHUTDOWN_TIMEOUT`. */
  readonly graceMs: number;
  /** The least time the write gets, even past the step's deadline (the Kubernetes operation budget). */
  readonly minimumMs: number;
  /** Aborted on SIGTERM/SIGINT; its `reason` is the signal name. */
  readonly terminate?: AbortSignal;
  readonly now?: () => number;
}

/** An open window. */
export interface WriteWindow {
  /** Aborts (a `TimeoutError`) when the write must give up. */
  readonly signal: AbortSignal;
  /** When the window ends, in ms since the epoch (earlier once a signal arrived). */
  readonly endsAt: number;
  /** The process signal received before the write was over, if any. */
  readonly signalled: "SIGTERM" | "SIGINT" | undefined;
  /** Stops the timer; call once the write is over. */
  close(): void;
}

/** `setTimeout` takes at most 2^31-1 ms; longer delays fire at once. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Opens the window of a terminal status write. It ends at the step's deadline plus the grace
 * window, and never sooner than `minimumMs` from now (a step that timed out still gets a full
 * attempt budget). A SIGTERM or SIGINT, before or during the write, ends it one grace window
 * after the later of the signal and the start of the write: the pod is being stopped and
 * the kubelet kills it when its own grace period ends.
 */
export function openWriteWindow(options: WriteWindowOptions): WriteWindow {
  const now = options.now ?? Date.now;
  const opened = now();
  const deadline = options.startedAt.getTime() + Number(options.stepTimeoutNs / 1_000_000n) + options.graceMs;
  let endsAt = Math.max(opened + options.minimumMs, deadline);
  let signalled: "SIGTERM" | "SIGINT" | undefined;
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;

  const arm = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    const left = endsAt - now();
    if (left <= 0) {
      controller.abort(new DOMException("the status write window ended", "TimeoutError"));
      return;
    }
    // A long step deadline is reached in several hops.
    timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
  };
  const onTerminate = (): void => {
    signalled = options.terminate?.reason === "SIGINT" ? "SIGINT" : "SIGTERM";
    const cut = now() + options.graceMs;
    if (cut >= endsAt) return;
    endsAt = cut;
    arm();
  };

  arm();
  if (options.terminate?.aborted) onTerminate();
  else options.terminate?.addEventListener("abort", onTerminate, { once: true });

  return {
    signal: controller.signal,
    get endsAt() {
      return endsAt;
    },
    get signalled() {
      return signalled;
    },
    close() {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      options.terminate?.removeEventListener("abort", onTerminate);
    },
  };
}

/** {@link openWriteWindow} for a batch run's settings. */
export function openStatusWriteWindow(settings: BatchSettings, terminate: AbortSignal | undefined): WriteWindow {
  return openWriteWindow({
    startedAt: settings.startedAt,
    stepTimeoutNs: settings.stepTimeoutNs,
    graceMs: settings.graceMs,
    minimumMs: settings.statusWriteMinMs ?? DEFAULT_STATUS_WRITE_MIN_MS,
    ...(terminate !== undefined ? { terminate } : {}),
  });
}

/** A signal that ends one grace window after a process signal. */
export interface GraceAfterSignal {
  readonly signal: AbortSignal;
  close(): void;
}

/**
 * Aborts `graceMs` after `terminate` does (after now, if it already has): what is left of a
 * stopping pod's grace for best-effort work such as publishing the captured logs.
 */
export function graceAfter(terminate: AbortSignal, graceMs: number): GraceAfterSignal {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const start = (): void => {
    timer = setTimeout(
      () => controller.abort(new DOMException("the grace window after the signal ended", "TimeoutError")),
      graceMs,
    );
  };
  if (terminate.aborted) start();
  else terminate.addEventListener("abort", start, { once: true });
  return {
    signal: controller.signal,
    close() {
      terminate.removeEventListener("abort", start);
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}
