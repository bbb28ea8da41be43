/**
 * Runs a handler so that an abort (deadline or SIGTERM) gets a bounded answer even when the
 * handler ignores its signal: after the grace window the SDK stops waiting.
 * @module
 */

/** How a guarded call ended. */
export type Guarded<T> =
  | { readonly state: "fulfilled"; readonly value: T }
  | { readonly state: "rejected"; readonly error: unknown }
  | { readonly state: "abandoned" };

/**
 * Awaits `run()`. Once `signal` aborts, waits at most `graceMs` more, then gives up on it
 * (`abandoned`); the caller then writes the status and exits.
 */
export function guard<T>(run: () => Promise<T> | T, signal: AbortSignal, graceMs: number): Promise<Guarded<T>> {
  return new Promise((resolve) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const settle = (g: Guarded<T>): void => {
      if (timer !== undefined) clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      resolve(g);
    };
    const onAbort = (): void => {
      timer = setTimeout(() => settle({ state: "abandoned" }), graceMs);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    let pending: Promise<T>;
    try {
      pending = Promise.resolve(run());
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (value) => settle({ state: "fulfilled", value }),
      (error) => settle({ state: "rejected", error }),
    );
  });
}

/** The reason an aborted run signal carries. */
export type AbortCause = "timeout" | "sigterm";

/** Reads which of our causes aborted `signal`, if any. */
export function abortCause(signal: AbortSignal): AbortCause | undefined {
  if (!signal.aborted) return undefined;
  const r = signal.reason as { bubuCause?: AbortCause } | undefined;
  return r?.bubuCause;
}

/** Builds an abort reason that `abortCause` recognises; a DOMException-like Error for engram code. */
export function abortReason(cause: AbortCause, message: string): Error {
  const err = new Error(message) as Error & { bubuCause: AbortCause };
  err.name = cause === "timeout" ? "TimeoutError" : "AbortError";
  err.bubuCause = cause;
  return err;
}
