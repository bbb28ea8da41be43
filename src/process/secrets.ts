/**
 * Secrets for every kind: the `BUBU_SECRET_*` descriptors expanded (literal, `env:`, `file:`)
 * and their values registered for redaction, so no log line, span, metric label, error or
 * downstream message carries them while the run lives.
 * @module
 */
import { expandSecrets } from "../engram/secret-expansion.ts";
import type { Secrets } from "../engram/secrets.ts";
import type { Logger } from "../observability/logger.ts";
import { MIN_REDACTED_LENGTH, registerSecrets } from "../observability/redaction.ts";
import type { RuntimeFs } from "../runtime/types.ts";

/** What {@link openSecrets} reads from. */
export interface SecretSources {
  /** The run's environment (for `env:` descriptors). */
  readonly vars: Readonly<Record<string, string | undefined>>;
  readonly fs: RuntimeFs;
  readonly logger: Logger;
  readonly signal: AbortSignal;
}

/** Expanded secrets, registered for redaction until `close`. */
export interface OpenedSecrets {
  readonly secrets: Secrets;
  /** Forgets the values (after the run's last log line). */
  close(): void;
}

/**
 * Expands `descriptors` and registers every value; throws the expansion error when one fails. A
 * value shorter than the redaction minimum cannot be scrubbed (it would mangle ordinary text),
 * so each such key gets one warning, naming the key, never the value.
 */
export async function openSecrets(
  descriptors: Readonly<Record<string, string>>,
  from: SecretSources,
): Promise<OpenedSecrets> {
  const expanded = await expandSecrets(descriptors, {
    env: from.vars,
    fs: from.fs,
    signal: from.signal,
    warn: (msg, attrs) => from.logger.warn(msg, attrs),
  });
  // Registered before anything can fail or log, so even a partial set is scrubbed.
  const close = registerSecrets(expanded.secrets);
  if (expanded.error) {
    close();
    throw expanded.error;
  }
  // raw() is in key order (Secrets.names()), so the warnings are too.
  for (const [key, value] of Object.entries(expanded.secrets.raw())) {
    if (value.length > 0 && value.length < MIN_REDACTED_LENGTH)
      from.logger.warn(
        `secret value is too short to be scrubbed from output (fewer than ${MIN_REDACTED_LENGTH} characters)`,
        {
          key,
        },
      );
  }
  return { secrets: expanded.secrets, close };
}
