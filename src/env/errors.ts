/**
 * The error for malformed environment variables.
 * @module
 */

/** One malformed variable. `message` starts with the variable name. */
export interface EnvProblem {
  readonly variable: string;
  readonly message: string;
}

/**
 * A malformed environment variable (or several). `variable` names the first one; `problems`
 * lists all of them. Messages may quote the offending value, except for secret-bearing
 * variables ({@link isSensitiveEnvName}), whose values are never echoed.
 */
export class EnvError extends Error {
  override readonly name: string = "EnvError";
  /** Stable machine-readable code. */
  readonly code: "invalid_env" = "invalid_env";
  /** The first malformed variable. */
  readonly variable: string;
  /** Every problem found, in variable order. */
  readonly problems: readonly EnvProblem[];

  constructor(problems: readonly EnvProblem[]) {
    if (problems.length === 0) throw new TypeError("EnvError needs at least one problem");
    super(problems.map((p) => p.message).join("; "));
    this.variable = problems[0].variable;
    this.problems = Object.freeze([...problems]);
  }

  /** Shorthand for one problem: `new EnvError([{ variable, message: `${variable}: ${detail}` }])`. */
  static of(variable: string, detail: string): EnvError {
    return new EnvError([{ variable, message: `${variable}: ${detail}` }]);
  }
}

const SENSITIVE_NAMES: ReadonlySet<string> = new Set([
  "BUBU_S3_SECRET_ACCESS_KEY",
  "BUBU_S3_SESSION_TOKEN",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
]);

/** True for variables whose values must never appear in messages: `BUBU_SECRET_*` and credentials. */
export function isSensitiveEnvName(name: string): boolean {
  return name.startsWith("BUBU_SECRET_") || SENSITIVE_NAMES.has(name);
}

const MAX_ECHO = 120;

/**
 * The value as it may appear in a message: JSON-quoted and shortened, or a placeholder for
 * sensitive variables.
 */
export function describeValue(name: string, value: string): string {
  if (isSensitiveEnvName(name)) return "(value hidden)";
  const shown = value.length > MAX_ECHO ? `${value.slice(0, MAX_ECHO)}…` : value;
  return JSON.stringify(shown);
}
