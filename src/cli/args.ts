/**
 * Command-line parsing for `bubu`: `--flag value`, `--flag=value`, boolean switches, positionals
 * and `--` (everything after it is passed on untouched).
 * @module
 */

/** A bad command line: printed with the usage, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** What a command accepts. */
export interface FlagSpec {
  /** Flags that take a value (`--name x` or `--name=x`), without the dashes. */
  readonly values?: readonly string[];
  /** Switches (`--force`). */
  readonly switches?: readonly string[];
  /** Flags the command passes on as they are (with their value), e.g. the engram's own `--inputs`. */
  readonly passthrough?: readonly string[];
  /**
   * Value flags that may be repeated, the last one counting: a script's default that a flag the
   * user adds after it replaces (`npm start -- --story other`).
   */
  readonly lastWins?: readonly string[];
  /** Value flags that may be given several times, each one counting (`--env A=1 --env B=2`). */
  readonly repeatable?: readonly string[];
}

/** A parsed command line. */
export interface ParsedArgs {
  readonly values: Readonly<Record<string, string>>;
  /** The values of repeatable flags, in order (absent when not given). */
  readonly lists: Readonly<Record<string, readonly string[]>>;
  readonly switches: ReadonlySet<string>;
  readonly positionals: readonly string[];
  /** Passthrough flags with their values, then everything after `--`. */
  readonly rest: readonly string[];
  readonly help: boolean;
}

/** Parses `args` against `spec`; an unknown flag or a missing value is a {@link UsageError}. */
export function parseArgs(args: readonly string[], spec: FlagSpec): ParsedArgs {
  const values: Record<string, string> = {};
  const lists: Record<string, string[]> = {};
  const switches = new Set<string>();
  const positionals: string[] = [];
  const rest: string[] = [];
  let help = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") {
      rest.push(...args.slice(i + 1));
      break;
    }
    if (arg === "--help" || arg === "-h") {
      help = true;
      continue;
    }
    if (!arg.startsWith("--") || arg === "-") {
      if (arg.startsWith("-") && arg !== "-") throw new UsageError(`unknown option ${arg}`);
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = (eq > 0 ? arg.slice(0, eq) : arg).slice(2);
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    if (spec.switches?.includes(name)) {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      switches.add(name);
      continue;
    }
    const passthrough = spec.passthrough?.includes(name) === true;
    const repeatable = spec.repeatable?.includes(name) === true;
    if (!passthrough && !repeatable && !spec.values?.includes(name)) throw new UsageError(`unknown option --${name}`);
    const value = inline ?? args[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    if (passthrough) rest.push(`--${name}`, value);
    else if (repeatable) (lists[name] ??= []).push(value);
    else if (name in values && !spec.lastWins?.includes(name)) throw new UsageError(`--${name} given twice`);
    else values[name] = value;
  }
  return { values, lists, switches, positionals, rest, help };
}

/** One of `allowed`, or a {@link UsageError} naming them. */
export function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${flag} must be one of ${allowed.join(", ")} (got ${JSON.stringify(value)})`);
}

/** `KEY=VALUE` pairs (of `--env`) as a record; anything else is a {@link UsageError}. */
export function envPairs(pairs: readonly string[], flag = "--env"): Record<string, string> {
  const env: Record<string, string> = {};
  for (const kv of pairs) {
    const i = kv.indexOf("=");
    if (i <= 0) throw new UsageError(`${flag} expects KEY=VALUE, got ${JSON.stringify(kv)}`);
    env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return env;
}
