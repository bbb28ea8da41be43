/**
 * SIGTERM and SIGINT: the first one aborts the run's termination signal (the kind decides what
 * that means: abort `process`, drain the stream, stop the impulse); a second one exits at once.
 * An embedding caller's `AbortSignal` counts as SIGTERM.
 * @module
 */
import type { Logger } from "../observability/logger.ts";
import type { ProcessSignal, Runtime } from "../runtime/types.ts";

/** The exit code after a signal: 130 for SIGINT, 143 for SIGTERM. */
export function signalExitCode(signal: ProcessSignal): number {
  return signal === "SIGINT" ? 130 : 143;
}

/** The run's view of termination requests. */
export interface Termination {
  /** Aborted by the first SIGTERM/SIGINT (or the caller's signal); `reason` is the signal name. */
  readonly signal: AbortSignal;
  /** The signal received, if any. */
  received(): ProcessSignal | undefined;
  /** Stops listening (unless a second signal already forced the exit). */
  dispose(): void;
}

/** Listens for SIGTERM/SIGINT on `rt` and for `outer`; logs `message` on the first. */
export function listenForTermination(rt: Runtime, logger: Logger, message: string, outer?: AbortSignal): Termination {
  const controller = new AbortController();
  let received: ProcessSignal | undefined;
  let forced = false;
  const onSignal = (signal: ProcessSignal) => (): void => {
    if (controller.signal.aborted) {
      // A second signal: the user or the kubelet insists; leave now.
      forced = true;
      rt.exit(signalExitCode(signal));
    }
    received = signal;
    logger.warn(message, { signal });
    controller.abort(signal);
  };
  const offs = [rt.onSignal("SIGTERM", onSignal("SIGTERM")), rt.onSignal("SIGINT", onSignal("SIGINT"))];
  const onOuter = (): void => {
    received ??= "SIGTERM";
    controller.abort("SIGTERM");
  };
  if (outer?.aborted) onOuter();
  else outer?.addEventListener("abort", onOuter, { once: true });
  return {
    signal: controller.signal,
    received: () => received,
    dispose() {
      outer?.removeEventListener("abort", onOuter);
      if (!forced) for (const off of offs) off();
    },
  };
}
