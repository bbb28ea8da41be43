/**
 * Passing a logger down through a "context": a plain object (the `ExecutionContext`, or any
 * object the caller passes down) carrying a `logger`.
 * @module
 */
import { createLogger, type Logger } from "./logger.ts";

/** Anything that may carry a logger (an `ExecutionContext` does). */
export interface LoggerCarrier {
  readonly logger?: Logger | undefined;
}

let fallback: Logger | undefined;

/**
 * The logger {@link loggerFromContext} returns when the context has none. Entry points set it to
 * their configured logger; `undefined` restores the built-in default.
 */
export function setDefaultLogger(logger: Logger | undefined): void {
  fallback = logger;
}

/**
 * The built-in default: a JSON-lines logger at INFO writing through `console.log` (stdout in all
 * three runtimes). It does not take part in log capture.
 */
export function defaultLogger(): Logger {
  return (
    fallback ??
    (fallback = createLogger({ sink: (line) => console.log(line.endsWith("\n") ? line.slice(0, -1) : line) }))
  );
}

/**
 * A copy of `ctx` that carries `logger`. An `undefined` logger returns `ctx` unchanged. `ctx`
 * itself is not modified.
 */
export function withLogger<T extends object>(ctx: T, logger: Logger | undefined): T & { readonly logger: Logger } {
  if (logger === undefined) return ctx as T & { readonly logger: Logger };
  return Object.freeze({ ...ctx, logger }) as T & { readonly logger: Logger };
}

/** The logger carried by `ctx`, else the default logger ({@link defaultLogger}). */
export function loggerFromContext(ctx: LoggerCarrier | undefined): Logger {
  const logger = ctx?.logger;
  return isLogger(logger) ? logger : defaultLogger();
}

function isLogger(value: unknown): value is Logger {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Logger).info === "function" &&
    typeof (value as Logger).with === "function"
  );
}
