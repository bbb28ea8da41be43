/**
 * Checks {@link TlsFetchOptions} the same way on every runtime, so bad input fails at
 * `createTlsFetch` and not later with a runtime-specific TLS message.
 * @module
 */
import type { TlsFetchOptions } from "./types.ts";

const PEM_BEGIN = "-----BEGIN ";

/**
 * Throws a `TypeError` when a PEM field is not PEM text or when `cert`/`key` come alone.
 * @private Internal code, does not follow semantic versioning.
 */
export function checkTlsOptions(options: TlsFetchOptions): void {
  for (const field of ["ca", "cert", "key"] as const) {
    const value = options[field];
    if (value !== undefined && (typeof value !== "string" || !value.includes(PEM_BEGIN))) {
      throw new TypeError(`TLS option "${field}" must be PEM text (got no "${PEM_BEGIN.trim()}" block)`);
    }
  }
  if ((options.cert === undefined) !== (options.key === undefined)) {
    throw new TypeError('TLS options "cert" and "key" must be given together');
  }
  if (options.serverName !== undefined && (typeof options.serverName !== "string" || options.serverName === "")) {
    throw new TypeError('TLS option "serverName" must be a non-empty string');
  }
}

/** The error every adapter's fetch rejects with after `close()`. @private */
export function closedError(): TypeError {
  return new TypeError("TlsFetch is closed");
}
