/**
 * JSON-lines logger with the key order of Go's `slog` (as the Go SDK logs): `time`, `level`,
 * `msg`, then attributes.
 * Every line is scrubbed of the registered secret values (`redaction.ts`): message, attribute
 * values at any depth, object keys and error messages.
 * @module
 */
import { hasSecretValues, REDACTED, redactScalar, redactText } from "./redaction.ts";

/** Log levels, lowest first, spelled as Go's `slog` spells them. */
export type LogLevel = "DEBUG" | "INFO" | "WARN" | "ERROR";

/** Attributes attached to a log line. Values are serialized with `JSON.stringify`. */
export type LogAttrs = Readonly<Record<string, unknown>>;

/** Where finished lines go (each ends with `\n`). */
export type LogSink = (line: string) => void;

/** The logger handed to engram code (`execCtx.logger`). */
export interface Logger {
  debug(msg: string, attrs?: LogAttrs): void;
  info(msg: string, attrs?: LogAttrs): void;
  warn(msg: string, attrs?: LogAttrs): void;
  error(msg: string, attrs?: LogAttrs): void;
  /** A logger that adds `attrs` to every line. */
  with(attrs: LogAttrs): Logger;
  /** Whether a level is enabled (skip building expensive attributes). */
  enabled(level: LogLevel): boolean;
}

const RANK: Readonly<Record<LogLevel, number>> = { DEBUG: -4, INFO: 0, WARN: 4, ERROR: 8 };

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  readonly sink: LogSink;
  /** Lowest level written; `INFO` unless `BUBU_DEBUG` is on. */
  readonly level?: LogLevel;
  /** Clock, for tests. */
  readonly now?: () => Date;
}

/** Creates a JSON-lines logger. */
export function createLogger(options: LoggerOptions): Logger {
  return new JsonLogger(options.sink, RANK[options.level ?? "INFO"], options.now ?? (() => new Date()), {});
}

/** A logger that drops everything. */
export const noopLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  with(): Logger {
    return noopLogger;
  },
  enabled(): boolean {
    return false;
  },
};

class JsonLogger implements Logger {
  readonly #sink: LogSink;
  readonly #min: number;
  readonly #now: () => Date;
  readonly #base: LogAttrs;

  constructor(sink: LogSink, min: number, now: () => Date, base: LogAttrs) {
    this.#sink = sink;
    this.#min = min;
    this.#now = now;
    this.#base = base;
  }

  debug(msg: string, attrs?: LogAttrs): void {
    this.#write("DEBUG", msg, attrs);
  }
  info(msg: string, attrs?: LogAttrs): void {
    this.#write("INFO", msg, attrs);
  }
  warn(msg: string, attrs?: LogAttrs): void {
    this.#write("WARN", msg, attrs);
  }
  error(msg: string, attrs?: LogAttrs): void {
    this.#write("ERROR", msg, attrs);
  }
  with(attrs: LogAttrs): Logger {
    return new JsonLogger(this.#sink, this.#min, this.#now, { ...this.#base, ...attrs });
  }
  enabled(level: LogLevel): boolean {
    return RANK[level] >= this.#min;
  }

  #write(level: LogLevel, msg: string, attrs: LogAttrs | undefined): void {
    if (RANK[level] < this.#min) return;
    const record: Record<string, unknown> = { time: this.#now().toISOString(), level, msg };
    for (const [k, v] of Object.entries(this.#base)) if (!(k in record)) record[k] = v;
    if (attrs) for (const [k, v] of Object.entries(attrs)) if (!(k in record)) record[k] = v;
    this.#sink(stringifyLine(record) + "\n");
  }
}

/** Never throws: a log call must not break the engram (cycles, BigInt, throwing getters). */
function stringifyLine(record: Record<string, unknown>): string {
  try {
    return JSON.stringify(record, hasSecretValues() ? redactingReplacer : replacer);
  } catch (err) {
    return JSON.stringify({
      time: record.time,
      level: record.level,
      msg: redactText(String(record.msg)),
      logError: `attributes not serializable: ${err instanceof Error ? err.name : typeof err}`,
    });
  }
}

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Error) {
    // Errors stringify to `{}`; keep the (already sanitized by callers) message instead.
    const json = (value as { toJSON?: () => unknown }).toJSON;
    return typeof json === "function" ? json.call(value) : { name: value.name, message: value.message };
  }
  return value;
}

/** {@link replacer}, then secrets scrubbed from scalars and from object keys. */
function redactingReplacer(key: string, value: unknown): unknown {
  const v = replacer(key, value);
  if (v === null || typeof v !== "object") {
    const safe = redactScalar(v);
    // A bigint became a string above; a secret-bearing number must not stay a bare number.
    return safe === REDACTED || typeof v !== "number" ? safe : v;
  }
  if (Array.isArray(v)) return v;
  let renamed: Record<string, unknown> | undefined;
  for (const k of Object.keys(v)) {
    const safeKey = redactText(k);
    if (safeKey !== k) {
      renamed ??= { ...(v as Record<string, unknown>) };
      const item = renamed[k];
      delete renamed[k];
      renamed[safeKey] = item;
    }
  }
  return renamed ?? v;
}

/**
 * Keeps the newest `capacity` bytes of log output, whole lines only, for publishing
 * the captured log at exit (1 MiB in a batch run, as in the Go SDK).
 */
export class LogCapture {
  readonly capacity: number;
  #lines: string[] = [];
  #bytes = 0;
  readonly #encoder = new TextEncoder();

  constructor(capacity: number = 1024 * 1024) {
    this.capacity = capacity;
  }

  /** A sink that records a line and passes it on. */
  tee(next: LogSink): LogSink {
    return (line) => {
      this.add(line);
      next(line);
    };
  }

  add(line: string): void {
    const size = this.#encoder.encode(line).byteLength;
    if (size > this.capacity) return;
    this.#lines.push(line);
    this.#bytes += size;
    while (this.#bytes > this.capacity) {
      const dropped = this.#lines.shift() as string;
      this.#bytes -= this.#encoder.encode(dropped).byteLength;
    }
  }

  /** The captured bytes, oldest line first. */
  bytes(): Uint8Array {
    return this.#encoder.encode(this.#lines.join(""));
  }

  get size(): number {
    return this.#bytes;
  }
}
