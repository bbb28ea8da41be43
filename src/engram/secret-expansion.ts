/**
 * Expanding secret descriptors (`file:`, `env:`, literal) into a {@link Secrets} set.
 * @module
 */
import type { RuntimeFs } from "../runtime/types.ts";
import { type SecretDescriptorKind, secretDescriptorKind } from "./secret-descriptors.ts";
import {
  abortReason,
  InvalidSecretDescriptorError,
  readFileSecrets,
  SecretSourceError,
  type SecretWarn,
} from "./secret-files.ts";
import { compareCodePoints, Secrets } from "./secrets.ts";

/** The message prefix of every expansion failure (the Go SDK's). */
export const SECRET_EXPANSION_FAILED = "secret expansion failed";

/**
 * One descriptor that could not be expanded. The message is
 * `secret expansion failed: secret "<name>" (<file|env|literal>): <reason>` and never contains
 * the descriptor (a literal descriptor is the secret value itself; a path may be sensitive).
 */
export class SecretExpansionError extends Error {
  /** The logical secret name (`<L>` of `BUBU_SECRET_<L>`). */
  readonly secretName: string;
  readonly kind: SecretDescriptorKind;

  constructor(secretName: string, kind: SecretDescriptorKind, reason: string) {
    super(`${SECRET_EXPANSION_FAILED}: secret ${goQuote(secretName)} (${kind}): ${reason}`);
    this.name = "SecretExpansionError";
    this.secretName = secretName;
    this.kind = kind;
  }
}

/** Whether `err` is a {@link SecretExpansionError} or an aggregate of them. */
export function isSecretExpansionError(err: unknown): boolean {
  if (err instanceof SecretExpansionError) return true;
  return err instanceof AggregateError && err.errors.some((e) => e instanceof SecretExpansionError);
}

/** What {@link expandSecrets} needs from its environment. */
export interface SecretExpansionDeps {
  /** The process environment, for `env:<PREFIX>` descriptors. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** File access, for `file:<path>` descriptors. */
  readonly fs: RuntimeFs;
  /** Checked between descriptors and files; on abort the partial set is returned. */
  readonly signal?: AbortSignal | undefined;
  /** Receives warnings (collisions, skipped files); attributes never hold values. */
  readonly warn?: SecretWarn | undefined;
}

/** The result of {@link expandSecrets}. */
export interface SecretExpansionResult {
  /** Everything that expanded, even when some descriptors failed. */
  readonly secrets: Secrets;
  /** One error per failed descriptor, in logical-name order. */
  readonly errors: readonly SecretExpansionError[];
  /**
   * `undefined` on success; the abort reason when `signal` aborted; otherwise an
   * `AggregateError` of {@link errors} whose message joins theirs with `\n`.
   */
  readonly error: Error | undefined;
}

/**
 * Expands `raw` (logical name → descriptor, as {@link collectSecretDescriptors} returns) in
 * sorted name order:
 *
 * - `file:<path>`: see {@link readFileSecrets}; keys do not overwrite existing keys.
 * - `env:<PREFIX>`: every env var starting with PREFIX, key = the rest (empty rest skipped;
 *   empty PREFIX is an error); keys do not overwrite existing keys.
 * - anything else: a literal, key = the logical name; literals overwrite.
 *
 * A failed descriptor is skipped and reported; the rest still expand. Keys are trimmed; an empty
 * key is skipped.
 */
export async function expandSecrets(
  raw: Readonly<Record<string, string>>,
  deps: SecretExpansionDeps,
): Promise<SecretExpansionResult> {
  const expanded = new Map<string, string>();
  const errors: SecretExpansionError[] = [];
  const names = Object.keys(raw).sort(compareCodePoints);
  const done = (error: Error | undefined): SecretExpansionResult => ({
    secrets: new Secrets(expanded),
    errors,
    error,
  });

  for (const name of names) {
    if (deps.signal?.aborted) return done(abortReason(deps.signal));
    const descriptor = raw[name] as string;
    const kind = secretDescriptorKind(descriptor);
    if (kind === "literal") {
      store(expanded, name, descriptor, true, "literal", deps.warn);
      continue;
    }
    let values: Map<string, string>;
    try {
      values =
        kind === "file"
          ? await readFileSecrets(descriptor.slice("file:".length), deps.fs, { signal: deps.signal, warn: deps.warn })
          : readEnvSecrets(descriptor.slice("env:".length), deps.env, deps.warn);
    } catch (err) {
      if (deps.signal?.aborted) return done(abortReason(deps.signal));
      // Only SecretSourceError texts are known to be free of paths and values; any other
      // failure (a buggy RuntimeFs, say) is reported without its message.
      const reason = err instanceof SecretSourceError ? err.message : "unexpected error";
      errors.push(new SecretExpansionError(name, kind, reason));
      deps.warn?.(`secret ${kind} expansion incomplete`, { secret: name, descriptorKind: kind });
      continue;
    }
    for (const key of [...values.keys()].sort(compareCodePoints)) {
      store(expanded, key, values.get(key) as string, false, kind, deps.warn);
    }
  }
  if (errors.length === 0) return done(undefined);
  return done(new AggregateError(errors, errors.map((e) => e.message).join("\n")));
}

function readEnvSecrets(
  prefix: string,
  env: Readonly<Record<string, string | undefined>>,
  warn: SecretWarn | undefined,
): Map<string, string> {
  if (prefix === "") throw new InvalidSecretDescriptorError("env secret prefix must not be empty");
  const values = new Map<string, string>();
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || !name.startsWith(prefix)) continue;
    const key = name.slice(prefix.length).trim();
    if (key === "") {
      warn?.("secret env prefix matched empty key", { prefix, envVar: name });
      continue;
    }
    if (!values.has(key)) values.set(key, value);
  }
  return values;
}

function store(
  dest: Map<string, string>,
  rawKey: string,
  value: string,
  overwrite: boolean,
  source: SecretDescriptorKind,
  warn: SecretWarn | undefined,
): void {
  const key = rawKey.trim();
  if (key === "") {
    warn?.("skipping secret with empty key", { source });
    return;
  }
  if (dest.has(key)) {
    if (!overwrite) {
      warn?.("secret key collision; keeping existing value", { key, source: `${source}:${key}` });
      return;
    }
    warn?.("secret key collision; overriding existing value", { key, source: `${source}:${key}` });
  }
  dest.set(key, value);
}

/** Go's `%q` for a string: double quotes, `\"`, `\\`, C escapes, `\xNN` for other controls. */
function goQuote(text: string): string {
  let out = '"';
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\x07") out += "\\a";
    else if (ch === "\b") out += "\\b";
    else if (ch === "\f") out += "\\f";
    else if (ch === "\v") out += "\\v";
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}
